import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ProviderDeps } from '../../contract.js';
import { createHttpClient, type HttpResponse } from '../../http.js';
import { replyParser } from '../../kit/index.js';
import { silentLogger } from '../../log.js';
import { API_CHANGED_HINT, errorForCode, PROVIDER, statusError, type DnsAction } from './errors.js';
import type { SourcedeskConfig } from './settings.js';
import { envelopeSchema, zoneListSchema, zoneRecordsSchema, type Envelope } from './schemas.js';

const SUCCESS = 100;
const replies = replyParser(PROVIDER, API_CHANGED_HINT);

/** A record as `dns/show` holds it. */
export interface SourcedeskRecord {
  /** The key dns/show gives it, which dns/delete takes: a row id, or a position from 0 (`positions`). */
  id: string;
  /** Relative to the zone ("" for the apex), or absolute. */
  name: string;
  type: string;
  content: string;
  ttl?: number;
  priority?: number;
  /** The listing numbered its records by position (a driver such as dbs): the key shifts when a record before it goes. */
  positions: boolean;
}

export interface NewSourcedeskRecord {
  name: string;
  type: string;
  content: string;
  ttl: number;
  priority: number;
}

export interface SourcedeskClient {
  /** Names the account (a hash of endpoint and customer ID, nothing secret), for host-wide lock names. */
  readonly account: string;
  /** `dns/list`: zone names, filtered by the API's substring match (SQL LIKE) when `filter` is given. */
  listZones(filter?: string): Promise<string[]>;
  /** `dns/show`: every record of the zone the API shows. */
  showZone(domain: string): Promise<SourcedeskRecord[]>;
  /** `dns/add` with every field. Never retried when the outcome is unknown; a refusal (805) is an InvalidInputError. */
  addRecord(domain: string, record: NewSourcedeskRecord): Promise<void>;
  /** `dns/delete` by the key dns/show gave; a record the API does not find there (code 806) is 'absent'. */
  deleteRecord(domain: string, id: string): Promise<'deleted' | 'absent'>;
}

/** dns/add changes the zone, so after an unreadable reply its outcome is unknown. */
const parse = <T>(action: DnsAction, schema: z.ZodType<T>, value: unknown): T => replies.parse(schema, value, `dns/${action}`, 'reply', action === 'add');

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
    account: createHash('sha256').update(`${options.endpoint}\n${options.customerId}`).digest('hex').slice(0, 16),
    async listZones(filter) {
      const reply = await call('list', filter === undefined ? {} : { domain: filter }, true);
      if (reply.code !== SUCCESS) throw errorForCode('list', reply.code, reply.message, filter);
      return parse('list', zoneListSchema, reply.data);
    },

    async showZone(domain) {
      const reply = await call('show', { domain }, true);
      if (reply.code !== SUCCESS) throw errorForCode('show', reply.code, reply.message, domain);
      const { records, positions } = parse('show', zoneRecordsSchema, reply.data);
      return records.map(([id, r]) => ({
        id,
        name: r.name,
        type: r.type,
        content: r.content,
        ...(r.ttl == null ? {} : { ttl: r.ttl }),
        ...(r.priority == null ? {} : { priority: r.priority }),
        positions,
      }));
    },

    async addRecord(domain, record) {
      const form = { domain, name: record.name, type: record.type, content: record.content, ttl: String(record.ttl), priority: String(record.priority) };
      const reply = await call('add', form, false);
      if (reply.code !== SUCCESS) throw errorForCode('add', reply.code, reply.message, domain);
    },

    async deleteRecord(domain, id) {
      // Not retried: under a driver that numbers records by position, a repeat could hit the record that moved up.
      const reply = await call('delete', { domain, record: id }, false);
      if (reply.code === SUCCESS) return 'deleted';
      if (reply.code === 806) return 'absent';
      throw errorForCode('delete', reply.code, reply.message, domain);
    },
  };
}
