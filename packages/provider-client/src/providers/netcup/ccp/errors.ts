import { InvalidInputError, ProviderApiError, type Dns01Error } from '../../../errors.js';
import { apiWords, codeTable } from '../../../kit/index.js';
import type { NetcupEnvelope } from './schemas.js';

export const PROVIDER = 'netcup';

/** The status codes this client acts on (the CCP API's own numbers). */
export const NetcupStatus = {
  success: 2000,
  /** The API session id is invalid or expired (15 minutes idle): log in again. */
  sessionInvalid: 4001,
  /** Validation error: wrong credentials, the request rate limit, or invalid request data. */
  validation: 4013,
  /** The domain is not in this account (or not on netcup's CCP DNS). */
  domainNotFound: 5028,
  /** infoDnsRecords on a zone without records. */
  noRecords: 5029,
  /** infoDnsZone for a domain the account does not hold (recorded in 2019). */
  zoneNotFound: 5031,
} as const;

/** The actions whose one parameter besides the session is `domainname`, or that name a domain to change. */
const DOMAIN_ACTIONS = new Set(['infoDnsZone', 'infoDnsRecords', 'updateDnsRecords']);

/** What to do when the CCP API cannot find a domain, which may be on CloudDNS (the CCP API cannot reach those). */
export const CLOUDDNS_HINT = 'On CloudDNS it needs NETCUP_REST_API_KEY (CCP > Master Data > API, "API keys"); else check the customer number';
const CREDENTIALS_HINT =
  'Check NETCUP_CUSTOMER_NUMBER, NETCUP_API_KEY and NETCUP_API_PASSWORD (CCP > Master Data > API). Do not retry blindly: repeated failed logins lock the account temporarily';

/** A session netcup rejected (4001) right after a new login: netcup did nothing, so nothing needs checking. */
export class NetcupSessionRejectedError extends ProviderApiError {}

/** netcup's request limit (4013): never retried, since every request extends the lockout. */
export class NetcupRateLimitError extends ProviderApiError {}

/** A 4013 validation error on `domainname`: during the zone walk, "not this zone". */
export class NetcupDomainNameRefused extends InvalidInputError {}

type Meaning = 'rateLimit' | 'login' | 'domainName' | 'validation' | 'sessionRejected' | 'domainNotFound' | 'server' | 'refused' | 'status';

/** What netcup's status codes mean; 4013 covers several things (`meaningOf`). */
const CODES = codeTable<Meaning>(
  PROVIDER,
  {
    rateLimit: {
      kind: 'api',
      as: NetcupRateLimitError,
      transient: true,
      what: 'the account is locked out for now',
      note: 'netcup locks an account for a while after about 180 requests per minute or repeated failed logins',
      hint: 'Wait several minutes before trying again and do not retry in a loop: every further request extends the lockout',
    },
    login: {
      kind: 'auth',
      what: 'the login was refused',
      note: 'most likely the customer number, API key or API password is wrong (if many requests ran just before, it may be the rate limit)',
      hint: CREDENTIALS_HINT,
    },
    domainName: {
      kind: 'input',
      as: NetcupDomainNameRefused,
      what: 'the domain name was refused',
      hint: 'Check the domain name (lower case, punycode, no trailing dot) and that it is a domain of this account',
    },
    validation: {
      kind: 'input',
      what: 'the request was refused',
      // 4013 also covers the rate limit, worded in ways this client may not know: never go on sending.
      note: "4013 means an invalid request or netcup's request limit (about 180 requests per minute)",
      hint: 'Wait several minutes before trying again; if it persists, run with DNS01_LOG_LEVEL=debug for the request sent',
    },
    sessionRejected: {
      kind: 'api',
      as: NetcupSessionRejectedError,
      transient: true,
      what: 'the API session was rejected again right after a new login',
      hint: 'Try again in a minute; if it persists, create a new API key in the CCP',
    },
    domainNotFound: { kind: 'zone', what: (domain) => `the domain ${domain} is not in this account`, hint: CLOUDDNS_HINT },
    server: { kind: 'api', transient: true, what: 'netcup reported a server-side error', hint: 'The netcup API may be having problems; try again later' },
    refused: { kind: 'api', what: 'netcup refused the request', hint: 'See the message from netcup; run with DNS01_LOG_LEVEL=debug for details' },
  },
  {
    kind: 'api',
    what: (status) => `netcup answered with status "${status}"`,
    hint: 'The netcup API answered in a way this client does not know; run with DNS01_LOG_LEVEL=debug and report it',
  },
);

const RATE_LIMIT_WORDS = /requests per minute|request limit|rate limit|limitation of requests|too many|locked|gesperrt/i;
const CREDENTIAL_WORDS = /api ?key|password|customer ?number|credential|login|authenticat/i;

/**
 * What an error reply means: by its status code, the action asked and the
 * action the reply names, never by its words where the words could make
 * dns01 go on: a 4013 about the domain name (the zone walk's "not this
 * zone") is one refused before any action (`action: ""`, as netcup answers a
 * `domainname` that is no registrable domain) to a request naming a domain.
 * The words only ever make dns01 stop sooner or say more: a 4013 that
 * speaks of the request limit is the lockout (never retried), one that
 * speaks of the credentials is reported as such.
 */
function meaningOf(action: string, reply: NetcupEnvelope): Meaning {
  const code = reply.statuscode;
  const text = `${reply.shortmessage} ${reply.longmessage}`;
  if (code === NetcupStatus.validation) {
    if (RATE_LIMIT_WORDS.test(text)) return 'rateLimit';
    if (action === 'login' || CREDENTIAL_WORDS.test(text)) return 'login';
    return reply.action === '' && DOMAIN_ACTIONS.has(action) ? 'domainName' : 'validation';
  }
  // A 4001 at login is no expired session (there is none yet): the credentials were refused.
  if (code === NetcupStatus.sessionInvalid) return action === 'login' ? 'login' : 'sessionRejected';
  if (code === NetcupStatus.domainNotFound || code === NetcupStatus.zoneNotFound) return 'domainNotFound';
  if (code >= 5000 && code < 6000) return 'server';
  return code >= 4000 && code < 5000 ? 'refused' : 'status';
}

/** Maps an error reply to the typed error a caller can act on. */
export function netcupError(action: string, reply: NetcupEnvelope, domain?: string): Dns01Error {
  const meaning = meaningOf(action, reply);
  // "Domain not found" says all its words say (they stay in the debug log): the code is enough.
  const words = meaning === 'domainNotFound' ? '' : apiWords([reply.shortmessage, reply.longmessage], 300, ' ');
  const subject = meaning === 'domainNotFound' ? (domain ?? '') : meaning === 'status' ? reply.status : undefined;
  return CODES.error(action, meaning, `${reply.statuscode}${words ? `: ${words}` : ''}`, subject);
}
