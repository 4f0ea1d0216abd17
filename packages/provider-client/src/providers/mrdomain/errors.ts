import type { Dns01Error } from '../../errors.js';
import { apiWords, codeTable, type CodeMeaning } from '../../kit/index.js';
import type { Envelope } from './schemas.js';

export const PROVIDER_LABEL = 'MrDomain';

const BLOCKED: CodeMeaning = {
  kind: 'auth',
  what: 'the API account is blocked',
  hint:
    'MrDomain blocks API access for a while after too many requests or errors: wait before trying again (never in a loop), ' +
    'and ask MrDomain support to unblock it if it stays blocked',
};
const INVALID_PASSWORD: CodeMeaning = {
  kind: 'auth',
  what: 'the API password is wrong',
  hint: 'Check MRDOMAIN_API_PASSWORD (the API password, not the control panel password); repeated failures get the account blocked',
};
const FILTERED: CodeMeaning = {
  kind: 'auth',
  what: "this machine's IP address is not allowed to use the API",
  hint: "Register this machine's public IP address in the MrDomain API panel (the API only answers registered IP addresses), then try again",
};
const NOT_PERMITTED: CodeMeaning = {
  kind: 'auth',
  what: 'this API user may not use this action',
  hint: 'Ask MrDomain support to allow the service DNS actions (service/dnslist, dnscreate, dnsdelete) for this API user',
};
const BUG: CodeMeaning = {
  kind: 'api',
  what: 'the API rejected the request as malformed',
  hint: 'This is a bug in dns01: please report it with the log of DNS01_LOG_LEVEL=debug (secrets are masked)',
};
const WRONG_ENDPOINT: CodeMeaning = {
  kind: 'api',
  what: 'the API does not know this action',
  hint: 'Check that MRDOMAIN_ENDPOINT points at the Simple-POST API (default https://simple-api.dondominio.net)',
};

/** Every code of the API user manual's section 10.1.1 (https://dondominio.dev/en/api/docs/api/) that the DNS actions can answer, with what it means for us. */
export const MRDOMAIN_ERROR_CODES: Readonly<Record<number, CodeMeaning>> = {
  1: { kind: 'api', transient: true, what: 'the API reported an undefined error', hint: 'Try again later; if it persists, contact MrDomain support' },
  100: BUG,
  101: BUG,
  102: WRONG_ENDPOINT,
  103: NOT_PERMITTED,
  104: WRONG_ENDPOINT,
  105: {
    kind: 'input',
    what: 'the API rejected a parameter as invalid',
    hint: 'Check the domain name and the TXT value (printable ASCII); record names must lie inside the domain',
  },
  200: {
    kind: 'auth',
    what: 'the API did not receive the credentials',
    hint: 'Set MRDOMAIN_API_USER and MRDOMAIN_API_PASSWORD; if they are set, check that MRDOMAIN_ENDPOINT does not redirect (a redirect drops the POST body)',
  },
  201: { kind: 'auth', what: 'the login is invalid', hint: 'Check MRDOMAIN_API_USER and MRDOMAIN_API_PASSWORD' },
  210: { kind: 'auth', what: 'the session is invalid', hint: 'Check MRDOMAIN_API_USER and MRDOMAIN_API_PASSWORD, then try again' },
  300: NOT_PERMITTED,
  1000: BLOCKED,
  1001: { kind: 'auth', what: 'the API account was deleted', hint: 'Ask MrDomain support for new API credentials' },
  1002: { kind: 'auth', what: 'the API account is inactive', hint: 'Activate API access in the MrDomain control panel or ask MrDomain support' },
  1003: { kind: 'auth', what: 'no API account has this username', hint: 'Check MRDOMAIN_API_USER (the API username, not the control panel login)' },
  1004: INVALID_PASSWORD,
  1005: INVALID_PASSWORD,
  1006: BLOCKED,
  1007: FILTERED,
  1009: INVALID_PASSWORD,
  1010: BLOCKED,
  1011: BLOCKED,
  1012: BLOCKED,
  1013: BLOCKED,
  1014: FILTERED,
  1030: {
    kind: 'auth',
    what: 'the API account is banned (MrDomain bans accounts that send mass requests)',
    hint: 'Do not retry: contact MrDomain support to lift the ban',
  },
  1100: { kind: 'api', what: 'the account balance is insufficient', hint: 'Top up the account balance in the MrDomain control panel' },
  2001: { kind: 'input', what: 'the API rejects the domain name', hint: 'Check the domain name (the registered domain, as the MrDomain panel shows it)' },
  2008: {
    kind: 'zone',
    what: 'the domain is not in this account',
    hint: 'Check that the domain is in this MrDomain account and that its DNS is managed by MrDomain',
  },
  4001: {
    kind: 'zone',
    what: 'no service (DNS zone) of this name in this account',
    hint: 'Check that the domain is in this MrDomain account and that its DNS is managed by MrDomain',
  },
  4002: { kind: 'api', what: 'the DNS record does not exist (any more)', hint: 'Someone else may have changed the zone; run the command again' },
  4003: {
    kind: 'api',
    what: 'the zone holds the maximum number of records',
    hint: 'Delete unused records (old _acme-challenge TXT records) in the MrDomain panel',
  },
  4004: { kind: 'api', transient: true, what: 'MrDomain failed to create the record', hint: 'Try again later; if it persists, contact MrDomain support' },
  4005: { kind: 'api', transient: true, what: 'MrDomain failed to update the record', hint: 'Try again later; if it persists, contact MrDomain support' },
  4006: { kind: 'api', transient: true, what: 'MrDomain failed to delete the record', hint: 'Try again later, or delete the record in the MrDomain panel' },
};

const CODES = codeTable(PROVIDER_LABEL, MRDOMAIN_ERROR_CODES, {
  kind: 'api',
  what: 'the API refused the request',
  hint: 'See the error code table of the MrDomain API documentation (section 10.1.1)',
});

/** The typed error for a reply with `success: false`, naming action, code and what to do. */
export function errorForReply(action: string, reply: Envelope, subject?: string): Dns01Error {
  const words = apiWords([reply.errorCodeMsg, ...(reply.messages ?? [])]);
  return CODES.error(action, reply.errorCode, `error ${reply.errorCode}${words ? `: ${words}` : ''}`, subject);
}
