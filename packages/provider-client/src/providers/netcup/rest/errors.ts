import { InvalidInputError, ProviderApiError, type Dns01Error } from '../../../errors.js';
import { apiWords, codeTable, type Target } from '../../../kit/index.js';
import type { RestEnvelope } from './schemas.js';

export const PROVIDER = 'netcup';

/** The `errors[].code` values this client acts on; HTTP status and message text decide nothing. */
export const RestCode = {
  authentication: 'authenticationError',
  notFound: 'resourceDoesNotExist',
  validation: 'validationError',
} as const;

export const REST_KEY_HINT = 'Check NETCUP_REST_API_KEY: an API key from the CCP, Master Data > API, section "API keys" (64 characters), not a legacy API key';

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

const ADD = 'REST challenge add';

export const notRestZone = (zone: string) => new ProviderApiError(PROVIDER, 'REST', `zone ${zone} is not a REST zone`);

export const notChallengeName = (fqdn: string, zone: string) =>
  new InvalidInputError(
    `netcup REST: ${fqdn} is not an _acme-challenge name, and the REST API's ACME endpoints reach only _acme-challenge records of ${zone}`,
    {
      hint: 'Point the CNAME at an _acme-challenge.<name> in a netcup zone, or set DNS01_CNAME=0 to write _acme-challenge.<domain> itself; NETCUP_REST_CHANGESET=1 allows other names through the general-record endpoint (less proven, checked before and after)',
    },
  );

export const notAcmeValue = (value: string) =>
  new InvalidInputError(`netcup REST: "${value}" is not an ACME dns-01 value (43 characters of base64url), which is all the ACME challenge endpoint accepts`, {
    hint: 'Pass the TXT value the ACME client gives (RAW-mode hooks compute it from the key authorization)',
  });

export const secondValueRefused = (name: string) =>
  new ProviderApiError(PROVIDER, ADD, `refusing to add a second value to TXT ${name}: an earlier add to this domain replaced the value that was there`, {
    hint: 'This API replaces a challenge value instead of adding one: issue the apex and the wildcard in separate certificates, or use the CCP API for this domain',
  });

export const valueReplaced = (t: Target, vanished: readonly string[]) =>
  new ProviderApiError(
    PROVIDER,
    ADD,
    `adding "${t.value}" to TXT ${t.name} removed ${vanished.map((v) => `"${v}"`).join(', ')} that was there before: the API replaced a value instead of adding one`,
    {
      hint: 'Apex and wildcard cannot coexist through this API: issue them in separate certificates, or use the CCP API for this domain; restore any value above that is not yours (dns01 removed the one it had just added)',
    },
  );

export const addNotListed = (t: Target) =>
  new ProviderApiError(PROVIDER, ADD, `accepted "${t.value}" for TXT ${t.name} but does not list it afterwards`, {
    hint: 'Check the domain in the CCP and try again',
  });
