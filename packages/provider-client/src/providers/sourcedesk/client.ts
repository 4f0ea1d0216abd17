import type { z } from 'zod';
import { AuthenticationError, InvalidInputError, ProviderApiError, replyShapeError, ZoneNotFoundError, type Dns01Error } from '../../errors.js';
import type { ProviderDeps } from '../../contract.js';
import { createHttpClient, type HttpResponse } from '../../http.js';
import { silentLogger } from '../../log.js';
import { redact } from '../../redact.js';
import type { SourcedeskConfig } from './settings.js';
import { envelopeSchema, zoneListSchema, zoneRecordsSchema, type Envelope } from './schemas.js';

const PROVIDER = 'sourcedesk';
const SUCCESS = 100;

export type DnsAction = 'list' | 'show' | 'add' | 'delete';

/** A record as `dns/show` holds it; `name` relative to the zone, "" for the apex. */
export interface SourcedeskRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  ttl?: number;
  priority?: number;
}

export interface NewSourcedeskRecord {
  name: string;
  type: string;
  content: string;
  ttl: number;
  priority: number;
}

/** `dns/add` either adds, or refuses the record data (code 805) with the API's reason. */
export type AddOutcome = { added: true } | { added: false; reason: string };


export interface SourcedeskClient {
  /** `dns/list`: zone names, filtered by the API's wildcard match when `filter` is given. */
  listZones(filter?: string): Promise<string[]>;
  /** `dns/show`: every record of the zone. */
  showZone(domain: string): Promise<SourcedeskRecord[]>;
  /** `dns/add` with every required field. Never retried when the outcome is unknown. */
  addRecord(domain: string, record: NewSourcedeskRecord): Promise<AddOutcome>;
  /** `dns/delete` by id; a record the API no longer has (code 806) is 'absent'. */
  deleteRecord(domain: string, id: string): Promise<'deleted' | 'absent'>;
}

const CREDENTIALS_HINT =
  'Check SOURCEDESK_CUSTOMER_ID and SOURCEDESK_API_KEY: the key is shown in the sourceDESK client area (or ask sourceDESK support)';
const API_CHANGED_HINT = 'The sourceDESK API may have changed or be failing; try again later and report it if it repeats';

/** The API's own explanation, on one short line, for the end of a message. */
function detail(message: string): string {
  // Masked before it is cut or collapsed: an echoed key must not survive in part.
  const line = redact(message).replace(/\s+/g, ' ').trim();
  if (!line) return '';
  return `: ${line.length > 160 ? `${line.slice(0, 157)}...` : line}`;
}

/** The typed error for a documented (or unknown) return code of a DNS action. */
export function errorForCode(action: DnsAction, code: number, message: string, domain?: string): Dns01Error {
  const what = `dns/${action}`;
  const why = detail(message);
  switch (code) {
    case 800:
      return new AuthenticationError(`${PROVIDER} ${what}: authorization failed (code 800${why})`, { hint: CREDENTIALS_HINT });
    case 801:
      return new ProviderApiError(PROVIDER, what, `the API does not know the method "dns" (code 801${why})`, {
        hint: 'SOURCEDESK_ENDPOINT must be the API base URL ending in /api (default https://sourceway.de/api)',
      });
    case 802:
      return new ProviderApiError(PROVIDER, what, `the API does not know the action "${action}" (code 802${why})`, {
        hint: `Check SOURCEDESK_ENDPOINT (default https://sourceway.de/api); ${API_CHANGED_HINT}`,
      });
    case 803:
      return new ZoneNotFoundError(`${PROVIDER}: the domain ${domain ?? '(none)'} is not in this account (code 803${why})`, {
        hint: 'Check the domain name and that SOURCEDESK_CUSTOMER_ID is the account that holds it',
      });
    case 804:
      return new ZoneNotFoundError(`${PROVIDER}: the domain ${domain ?? '(none)'} has no DNS zone at sourceDESK (code 804${why})`, {
        hint: 'Point the domain at the sourceDESK nameservers so that sourceDESK hosts its zone, then try again',
      });
    case 805:
      return action === 'add'
        ? new InvalidInputError(`${PROVIDER} dns/add: the record data was refused as invalid (code 805${why})`, {
            hint: 'Check the record name and value; ACME challenge values are 43 characters of base64url',
          })
        : new ProviderApiError(PROVIDER, what, `the record id was refused as invalid (code 805${why})`, {
            hint: `Nothing was deleted; ${API_CHANGED_HINT}`,
          });
    case 806:
      return new ProviderApiError(PROVIDER, what, `the record was not found (code 806${why})`, { hint: API_CHANGED_HINT });
    case 807:
      return new ProviderApiError(PROVIDER, what, `editing the record failed (code 807${why})`, {
        hint: `dns01 never edits records, so this answer is unexpected; ${API_CHANGED_HINT}`,
      });
    default:
      return new ProviderApiError(PROVIDER, what, `failed with return code ${code}${why}`, { hint: API_CHANGED_HINT });
  }
}

/** dns/add changes the zone, so after an unreadable reply its outcome is unknown. */
const isWrite = (action: DnsAction) => action === 'add';

function shapeError(action: DnsAction, error: z.ZodError): ProviderApiError {
  return replyShapeError(PROVIDER, `dns/${action}`, 'reply', error, API_CHANGED_HINT, isWrite(action));
}

function parse<T>(action: DnsAction, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw shapeError(action, parsed.error);
  return parsed.data;
}

/** An HTTP status without a `{code, message, data}` body: a block, a wrong endpoint or an outage page. */
function statusError(action: DnsAction, status: number): Dns01Error {
  if (status === 401 || status === 403) {
    return new AuthenticationError(`${PROVIDER} dns/${action}: access denied (HTTP ${status})`, {
      hint: `${CREDENTIALS_HINT}; if they are right, this IP address may be blocked: ask sourceDESK support`,
    });
  }
  if (status === 404) {
    return new ProviderApiError(PROVIDER, `dns/${action}`, 'no API at this address (HTTP 404)', {
      hint: 'SOURCEDESK_ENDPOINT must be the API base URL ending in /api (default https://sourceway.de/api)',
    });
  }
  return new ProviderApiError(PROVIDER, `dns/${action}`, `answered with HTTP ${status}`, { hint: API_CHANGED_HINT, outcomeUnknown: isWrite(action) });
}

function envelopeOf(action: DnsAction, res: HttpResponse): Envelope {
  if (res.status < 200 || res.status >= 300) {
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      throw statusError(action, res.status);
    }
    const parsed = envelopeSchema.safeParse(body);
    if (!parsed.success) throw statusError(action, res.status);
    return parsed.data;
  }
  return parse(action, envelopeSchema, res.json());
}

export function createSourcedeskClient(options: SourcedeskConfig, deps: Pick<ProviderDeps, 'logger' | 'http'> = { logger: silentLogger }): SourcedeskClient {
  const http = createHttpClient({ ...deps.http, provider: PROVIDER, baseUrl: options.endpoint, logger: deps.logger });
  // The key is a path segment: encoded here; the definition registered it (with its encodings) as a secret.
  const prefix = `/${encodeURIComponent(options.customerId)}/${encodeURIComponent(options.apiKey)}/dns`;

  async function call(action: DnsAction, form: Record<string, string>, idempotent: boolean): Promise<Envelope> {
    const res = await http.request({ method: 'POST', path: `${prefix}/${action}`, action: `dns/${action}`, form, idempotent });
    return envelopeOf(action, res);
  }

  return {
    async listZones(filter) {
      const reply = await call('list', filter === undefined ? {} : { domain: filter }, true);
      if (reply.code !== SUCCESS) throw errorForCode('list', reply.code, reply.message, filter);
      return parse('list', zoneListSchema, reply.data);
    },

    async showZone(domain) {
      const reply = await call('show', { domain }, true);
      if (reply.code !== SUCCESS) throw errorForCode('show', reply.code, reply.message, domain);
      const records = parse('show', zoneRecordsSchema, reply.data);
      return Object.entries(records).map(([id, r]) => ({
        id,
        name: r.name,
        type: r.type,
        content: r.content,
        ttl: r.ttl ?? undefined,
        priority: r.priority ?? undefined,
      }));
    },

    async addRecord(domain, record) {
      const reply = await call(
        'add',
        {
          domain,
          name: record.name,
          type: record.type,
          content: record.content,
          ttl: String(record.ttl),
          priority: String(record.priority),
        },
        false,
      );
      if (reply.code === SUCCESS) return { added: true };
      if (reply.code === 805) return { added: false, reason: reply.message };
      throw errorForCode('add', reply.code, reply.message, domain);
    },

    async deleteRecord(domain, id) {
      // Ids are not reused, so sending the same delete again cannot remove another record.
      const reply = await call('delete', { domain, record: id }, true);
      if (reply.code === SUCCESS) return 'deleted';
      if (reply.code === 806) return 'absent';
      throw errorForCode('delete', reply.code, reply.message, domain);
    },
  };
}
