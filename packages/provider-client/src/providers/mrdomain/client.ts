import type { z } from 'zod';
import { ProviderApiError } from '../../errors.js';
import type { ProviderDeps } from '../../contract.js';
import { createHttpClient } from '../../http.js';
import { replyParser } from '../../kit/index.js';
import { silentLogger, type Logger } from '../../log.js';
import { errorForReply, PROVIDER_LABEL } from './errors.js';
import type { MrDomainConfig } from './settings.js';
import {
  dnsCreateDataSchema,
  dnsDeleteDataSchema,
  dnsListDataSchema,
  envelopeSchema,
  serviceInfoDataSchema,
  serviceListDataSchema,
  type DnsEntry,
  type Envelope,
} from './schemas.js';

/**
 * The only actions this client can send. The zone-replacing ones
 * (service/dnssetzone, dnsrestore, dnsdeleteall) are deliberately absent.
 */
export type MrDomainAction = 'service/getinfo' | 'service/list' | 'service/dnslist' | 'service/dnscreate' | 'service/dnsdelete';

/** The largest page the API serves (its default); one page covers any sane zone. */
const PAGE_LENGTH = 1000;
const MAX_PAGES = 20;

/** What service/getinfo says about a name: no service of the account, or its service and status. */
export type ServiceLookup = { found: false } | { found: true; name: string; status: string | undefined };

/**
 * The codes service/getinfo answers for a name that is no service of the
 * account: 4001 (service not found) as documented; 2001 (invalid domain
 * name), 2008 (domain not found) and 105 (invalid parameter) for names the
 * API refuses outright, such as sub-names.
 */
const NOT_A_SERVICE = [4001, 2001, 2008, 105];

interface CallOptions {
  /** Safe to send again when the outcome of an attempt is unknown. */
  idempotent: boolean;
  /** Named in error messages (the service or record concerned). */
  subject?: string;
}

/** Outcome of a call: the validated data, or the refusal for the caller to interpret. */
type CallResult<T> = { ok: true; data: T } | { ok: false; reply: Envelope };

const replies = replyParser(
  PROVIDER_LABEL,
  'The API may have changed, or MRDOMAIN_ENDPOINT points at something else; run with DNS01_LOG_LEVEL=debug and report it',
);

/**
 * Wire client for the dondominio Simple-POST API (API user manual, section 2: https://dondominio.dev/en/api/docs/api/):
 * every call is `POST <endpoint>/<module>/<action>/` with a form-encoded body
 * carrying apiuser and apipasswd; every reply is the JSON envelope
 * `{success, errorCode, errorCodeMsg, action, version, messages?, responseData}`.
 */
export interface MrDomainClient {
  /** service/getinfo: the service of this name and its status, or `found: false` (see NOT_A_SERVICE). */
  findService(serviceName: string): Promise<ServiceLookup>;
  /** service/list: the names of every service in the account, page by page. */
  listServices(): Promise<string[]>;
  /** service/dnslist narrowed on the server by type and `filter` (whatever the API matches it against), page by page. */
  listDns(serviceName: string, filter?: { type?: string; name?: string }): Promise<DnsEntry[]>;
  /**
   * service/dnscreate. Not idempotent: never resent here. The created entry
   * of the reply, or undefined when the reply carries none (no failure: a
   * list then shows the record).
   */
  createDns(serviceName: string, record: { name: string; type: string; value: string; ttl?: number }): Promise<DnsEntry | undefined>;
  /** service/dnsdelete by entityID; 4002 (entity not found) means it is already gone. */
  deleteDns(serviceName: string, entityID: string): Promise<'deleted' | 'absent'>;
}

export function createMrDomainClient(
  config: MrDomainConfig,
  deps: Pick<ProviderDeps, 'logger' | 'http' | 'observe'> = { logger: silentLogger },
): MrDomainClient {
  const log: Logger = deps.logger;
  const http = createHttpClient({ ...deps.http, provider: PROVIDER_LABEL, baseUrl: config.endpoint, logger: log });

  /** Sends one action; a refusal comes back as `ok: false` (not thrown) so callers can read codes like 4001/4002. */
  async function tryCall<T>(action: MrDomainAction, params: Record<string, string>, schema: z.ZodType<T>, options: CallOptions): Promise<CallResult<T>> {
    const res = await http.request({
      method: 'POST',
      path: `/${action}/`,
      action,
      form: { apiuser: config.apiUser, apipasswd: config.apiPassword, ...params },
      idempotent: options.idempotent,
    });
    let body: unknown;
    try {
      body = res.json();
    } catch (error) {
      if (res.status !== 200 && error instanceof ProviderApiError) {
        throw new ProviderApiError(PROVIDER_LABEL, action, `answered HTTP ${res.status} without the API's JSON reply`, {
          hint: 'Check that MRDOMAIN_ENDPOINT points at the Simple-POST API (default https://simple-api.dondominio.net)',
          outcomeUnknown: !options.idempotent,
        });
      }
      throw error;
    }
    const envelope = envelopeSchema.safeParse(body);
    if (!envelope.success) throw replies.shapeError(action, 'reply', envelope.error, !options.idempotent);
    const reply = envelope.data;
    log.debug(`${action}: ${reply.success ? 'success' : `error ${reply.errorCode} ${reply.errorCodeMsg ?? ''}`.trim()}`);
    if (!reply.success || reply.errorCode !== 0) return { ok: false, reply };
    const data = schema.safeParse(reply.responseData);
    if (!data.success) throw replies.shapeError(action, 'responseData', data.error, !options.idempotent);
    return { ok: true, data: data.data };
  }

  /** Sends one action; any refusal is thrown as the typed error for its code. */
  async function call<T>(action: MrDomainAction, params: Record<string, string>, schema: z.ZodType<T>, options: CallOptions): Promise<T> {
    const result = await tryCall(action, params, schema, options);
    if (!result.ok) throw errorForReply(action, result.reply, options.subject);
    return result.data;
  }

  /** service/getinfo: the service of this name and its status, or `found: false` (see NOT_A_SERVICE). */
  async function findService(serviceName: string): Promise<ServiceLookup> {
    const result = await tryCall('service/getinfo', { serviceName, infoType: 'status' }, serviceInfoDataSchema, {
      idempotent: true,
      subject: serviceName,
    });
    if (result.ok) return { found: true, name: result.data.name, status: result.data.status ?? undefined };
    if (NOT_A_SERVICE.includes(result.reply.errorCode)) {
      deps.observe?.('unknownService', `error ${result.reply.errorCode}`, true);
      return { found: false };
    }
    throw errorForReply('service/getinfo', result.reply, serviceName);
  }

  /**
   * Every entry of a paged list. `queryInfo.total` is not trusted on its own
   * (the document's own example shows total 20 with 3 results): the walk
   * stops at a page shorter than the page length the API reports using, at
   * an empty page, or at a page that brings nothing new; entries are
   * de-duplicated by their key.
   */
  async function pages<D extends { queryInfo: { pageLength: number; total: number } }, T>(
    action: MrDomainAction,
    params: Record<string, string>,
    schema: z.ZodType<D>,
    itemsOf: (data: D) => T[],
    keyOf: (item: T) => string,
    subject?: string,
  ): Promise<T[]> {
    const seen = new Map<string, T>();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const data = await call(action, { ...params, page: String(page), pageLength: String(PAGE_LENGTH) }, schema, {
        idempotent: true,
        subject,
      });
      const items = itemsOf(data);
      const before = seen.size;
      for (const item of items) if (!seen.has(keyOf(item))) seen.set(keyOf(item), item);
      const served = data.queryInfo.pageLength > 0 && data.queryInfo.pageLength < PAGE_LENGTH ? data.queryInfo.pageLength : PAGE_LENGTH;
      if (items.length < served || seen.size === before) {
        const total = data.queryInfo.total;
        deps.observe?.('total', total > seen.size ? `more than the entries listed (total ${total}, ${seen.size} listed)` : 'the entries listed', true);
        return [...seen.values()];
      }
    }
    throw new ProviderApiError(PROVIDER_LABEL, action, `listed more than ${MAX_PAGES} full pages; refusing to work on a partial list`, {
      hint: 'The zone is larger than dns01 reads; report it to the dns01 maintainers',
    });
  }

  /** service/list: the names of every service in the account, page by page. */
  async function listServices(): Promise<string[]> {
    const services = await pages(
      'service/list',
      {},
      serviceListDataSchema,
      (d) => d.services,
      (s) => s.name,
    );
    return services.map((s) => s.name);
  }

  /** service/dnslist narrowed on the server by type and `filter` (whatever the API matches it against), page by page. */
  async function listDns(serviceName: string, filter: { type?: string; name?: string } = {}): Promise<DnsEntry[]> {
    const params: Record<string, string> = { serviceName };
    if (filter.type) params.filterType = filter.type;
    if (filter.name) params.filter = filter.name;
    return pages(
      'service/dnslist',
      params,
      dnsListDataSchema,
      (d) => d.dns,
      (e) => e.entityID,
      serviceName,
    );
  }

  /**
   * service/dnscreate. Not idempotent: a failure of unknown outcome is not
   * resent here (the provider checks with a list instead). The created entry
   * in the reply is not needed (the record is found by name and value when it
   * is deleted), so a reply without it is no failure.
   */
  async function createDns(serviceName: string, record: { name: string; type: string; value: string; ttl?: number }): Promise<DnsEntry | undefined> {
    const params: Record<string, string> = { serviceName, name: record.name, type: record.type, value: record.value };
    if (record.ttl !== undefined) params.ttl = String(record.ttl);
    const data = await call('service/dnscreate', params, dnsCreateDataSchema, { idempotent: false, subject: record.name });
    deps.observe?.('createReply', data.dns?.[0] ? 'with the created entry' : 'without the created entry', true);
    return data.dns?.[0];
  }

  /** service/dnsdelete by entityID; 4002 (entity not found) means it is already gone. */
  async function deleteDns(serviceName: string, entityID: string): Promise<'deleted' | 'absent'> {
    // Deleting one entity twice has the same effect as once, so a lost reply may be resent.
    const result = await tryCall('service/dnsdelete', { serviceName, entityID }, dnsDeleteDataSchema, {
      idempotent: true,
      subject: entityID,
    });
    if (result.ok) return 'deleted';
    if (result.reply.errorCode === 4002) return 'absent';
    throw errorForReply('service/dnsdelete', result.reply, entityID);
  }

  return { findService, listServices, listDns, createDns, deleteDns };
}
