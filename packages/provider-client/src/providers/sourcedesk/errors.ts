import { AuthenticationError, ProviderApiError, ZoneNotFoundError, type Dns01Error } from '../../errors.js';
import { apiWords, codeTable, type CodeMeaning } from '../../kit/index.js';

export const PROVIDER = 'sourcedesk';

const CREDENTIALS_HINT = 'Check SOURCEDESK_CUSTOMER_ID and SOURCEDESK_API_KEY: the key is shown in the sourceDESK client area (or ask sourceDESK support)';
export const API_CHANGED_HINT = 'The sourceDESK API may have changed or be failing; try again later and report it if it repeats';
const ENDPOINT_HINT = 'SOURCEDESK_ENDPOINT must be the API base URL ending in /api (default https://sourceway.de/api)';

/** The DNS actions dns01 sends. */
export type DnsAction = 'list' | 'show' | 'add' | 'delete';

/** 804: sourceDESK shows no record of the domain (no zone there, or one holding only SOA and NS, which it never lists). */
export class SourcedeskNoZoneError extends ZoneNotFoundError {}

/**
 * The return codes of the client API ("Return codes",
 * https://client-api.sourcedesk.de/), as the vendor's server code answers
 * them (controller/api.php, controller/api/dns/*.php of the sourceDESK
 * panel): 805 means invalid record data on `dns/add`, an invalid record id
 * on `dns/delete`.
 */
const CODES = codeTable<number | '805 add'>(
  PROVIDER,
  {
    800: { kind: 'auth', what: 'authorization failed', hint: CREDENTIALS_HINT },
    // "Group not allowed.": the customer lacks the domain-API permission. (The other 801, "Group not found.",
    // is an unknown method, but every sourceDESK API has the "dns" method dns01 calls.)
    801: {
      kind: 'auth',
      what: 'the key was accepted, but this customer may not use the domain API',
      hint: 'Enable API access to domains for this customer in the sourceDESK panel (or ask sourceDESK support to enable it for your key)',
    },
    802: {
      kind: 'api',
      what: (action) => `the API does not know the action "${action}"`,
      hint: `Check SOURCEDESK_ENDPOINT (default https://sourceway.de/api); ${API_CHANGED_HINT}`,
    },
    803: {
      kind: 'zone',
      what: (domain) => `the domain ${domain} is not in this account`,
      hint: 'Check the domain name and that SOURCEDESK_CUSTOMER_ID is the account that holds it (only active domains count)',
    },
    804: {
      kind: 'zone',
      as: SourcedeskNoZoneError,
      what: (domain) => `the domain ${domain} has no DNS zone at sourceDESK`,
      hint: 'Point the domain at the sourceDESK nameservers so that sourceDESK hosts its zone, then try again',
    },
    '805 add': {
      kind: 'input',
      what: 'the record was refused',
      note: 'sourceDESK refuses a record whose name, type or data it cannot store',
      hint: 'Check the record name and value; ACME challenge values are 43 characters of base64url',
    },
    805: { kind: 'api', what: 'the record id was refused as invalid', hint: `Nothing was deleted; ${API_CHANGED_HINT}` },
    806: { kind: 'api', what: 'the record was not found', hint: API_CHANGED_HINT },
    807: { kind: 'api', what: 'editing the record failed', hint: `dns01 never edits records, so this answer is unexpected; ${API_CHANGED_HINT}` },
  },
  { kind: 'api', what: 'failed with an undocumented return code', hint: API_CHANGED_HINT } satisfies CodeMeaning,
);

/** The typed error for a return code of a DNS action (the domain it was about, where there is one). */
export function errorForCode(action: DnsAction, code: number, message: string, domain?: string): Dns01Error {
  const words = apiWords([message], 160);
  const key = code === 805 && action === 'add' ? '805 add' : code;
  const subject = code === 802 ? action : code === 803 || code === 804 ? (domain ?? '(none)') : undefined;
  return CODES.error(`dns/${action}`, key, `code ${code}${words ? `: ${words}` : ''}`, subject);
}

/** An HTTP status without a `{code, message, data}` body: a block, a wrong endpoint or an outage page. */
export function statusError(action: DnsAction, status: number): Dns01Error {
  if (status === 401 || status === 403) {
    return new AuthenticationError(`${PROVIDER} dns/${action}: access denied (HTTP ${status})`, {
      hint: `${CREDENTIALS_HINT}; if they are right, this IP address may be blocked: ask sourceDESK support`,
    });
  }
  if (status === 404) return new ProviderApiError(PROVIDER, `dns/${action}`, 'no API at this address (HTTP 404)', { hint: ENDPOINT_HINT });
  // dns/add changes the zone: after a reply that is not the API's, its outcome is unknown.
  return new ProviderApiError(PROVIDER, `dns/${action}`, `answered with HTTP ${status}`, { hint: API_CHANGED_HINT, outcomeUnknown: action === 'add' });
}
