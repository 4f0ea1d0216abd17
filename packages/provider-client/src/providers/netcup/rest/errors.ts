import type { Dns01Error } from '../../../errors.js';
import { apiWords, codeTable } from '../../../kit/index.js';
import type { RestEnvelope } from './schemas.js';

export const PROVIDER = 'netcup';

/** The `errors[].code` values this client acts on; HTTP status and message text decide nothing. */
export const RestCode = {
  authentication: 'authenticationError',
  notFound: 'resourceDoesNotExist',
  validation: 'validationError',
} as const;

export const REST_KEY_HINT =
  'Check NETCUP_REST_API_KEY: an API key from the CCP, Master Data > API, section "API keys" (64 characters), not a legacy API key';

const CODES = codeTable<string>(
  PROVIDER,
  {
    [RestCode.authentication]: { kind: 'auth', what: 'the API key was refused', hint: REST_KEY_HINT },
    [RestCode.validation]: {
      kind: 'input',
      what: 'the request was rejected as invalid',
      hint: 'Check the domain name and the TXT value (an ACME value is 43 characters of base64url); run with DNS01_LOG_LEVEL=debug for details',
    },
  },
  { kind: 'api', what: 'the request failed', hint: 'See the codes from netcup; run with DNS01_LOG_LEVEL=debug for details' },
);

/** Maps an error reply to the typed error a caller acts on, by its codes (the first this client knows, else the first). */
export function restError(action: string, reply: RestEnvelope): Dns01Error {
  const codes = reply.errors.map((e) => e.code);
  const known = [RestCode.authentication, RestCode.validation].find((c) => codes.includes(c)) ?? codes[0] ?? '';
  const words = apiWords(reply.errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)));
  return CODES.error(`REST ${action}`, known, words || 'no error code given');
}
