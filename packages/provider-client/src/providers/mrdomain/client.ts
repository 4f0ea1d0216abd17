import type { z } from 'zod';
import { ProviderApiError, replyShapeError } from '../../errors.js';
import type { ProviderDeps } from '../../contract.js';
import { createHttpClient } from '../../http.js';
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

interface CallOptions {
  /** Safe to send again when the outcome of an attempt is unknown. */
  idempotent: boolean;
  /** Named in error messages (the service or record concerned). */
  subject?: string;
}

/** Outcome of a call: the validated data, or the refusal for the caller to interpret. */
type CallResult<T> = { ok: true; data: T } | { ok: false; reply: Envelope };

/**
 * Wire client for the dondominio Simple-POST API (API user manual, section 2: https://dondominio.dev/en/api/docs/api/):
 * every call is `POST <endpoint>/<module>/<action>/` with a form-encoded body
 * carrying apiuser and apipasswd; every reply is the JSON envelope
 * `{success, errorCode, errorCodeMsg, action, version, messages?, responseData}`.
 */
export function createMrDomainClient(config: MrDomainConfig, deps: Pick<ProviderDeps, 'logger' | 'http'> = { logger: silentLogger }) {
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
        });
      }
      throw error;
    }
    const envelope = envelopeSchema.safeParse(body);
    if (!envelope.success) throw shapeError(action, 'reply', envelope.error);
    const reply = envelope.data;
    log.debug(`${action}: ${reply.success ? 'success' : `error ${reply.errorCode} ${reply.errorCodeMsg ?? ''}`.trim()}`);
    if (!reply.success || reply.errorCode !== 0) return { ok: false, reply };
    const data = schema.safeParse(reply.responseData);
    if (!data.success) throw shapeError(action, 'responseData', data.error);
    return { ok: true, data: data.data };
  }

  /** Sends one action; any refusal is thrown as the typed error for its code. */
  async function call<T>(action: MrDomainAction, params: Record<string, string>, schema: z.ZodType<T>, options: CallOptions): Promise<T> {
    const result = await tryCall(action, params, schema, options);
    if (!result.ok) throw errorForReply(action, result.reply, options.subject);
    return result.data;
  }

  /** service/getinfo: the service of this name, or undefined when the account has none (4001, 2001, 2008). */
  async function findService(serviceName: string): Promise<string | undefined> {
    const result = await tryCall('service/getinfo', { serviceName, infoType: 'status' }, serviceInfoDataSchema, {
      idempotent: true,
      subject: serviceName,
    });
    if (result.ok) return result.data.name;
    if ([4001, 2001, 2008].includes(result.reply.errorCode)) return undefined;
    throw errorForReply('service/getinfo', result.reply, serviceName);
  }

  /** service/list: the names of every service in the account, page by page. */
  async function listServices(): Promise<string[]> {
    const names: string[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const data = await call('service/list', { page: String(page), pageLength: String(PAGE_LENGTH) }, serviceListDataSchema, {
        idempotent: true,
      });
      names.push(...data.services.map((s) => s.name));
      if (data.services.length === 0 || names.length >= data.queryInfo.total) break;
    }
    return names;
  }

  /** service/dnslist filtered on the server by type and name, page by page. */
  async function listDns(serviceName: string, filter: { type?: string; name?: string } = {}): Promise<DnsEntry[]> {
    const params: Record<string, string> = { serviceName, pageLength: String(PAGE_LENGTH) };
    if (filter.type) params.filterType = filter.type;
    if (filter.name) params.filter = filter.name;
    const entries: DnsEntry[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const data = await call('service/dnslist', { ...params, page: String(page) }, dnsListDataSchema, {
        idempotent: true,
        subject: serviceName,
      });
      entries.push(...data.dns);
      if (data.dns.length === 0 || entries.length >= data.queryInfo.total) break;
    }
    return entries;
  }

  /**
   * service/dnscreate. Not idempotent: a failure of unknown outcome is not
   * resent here (the provider checks with a list instead).
   */
  async function createDns(serviceName: string, record: { name: string; type: string; value: string; ttl?: number }): Promise<DnsEntry> {
    const params: Record<string, string> = { serviceName, name: record.name, type: record.type, value: record.value };
    if (record.ttl !== undefined) params.ttl = String(record.ttl);
    const data = await call('service/dnscreate', params, dnsCreateDataSchema, { idempotent: false, subject: record.name });
    return data.dns[0]!;
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

  return { tryCall, call, findService, listServices, listDns, createDns, deleteDns };
}

export type MrDomainClient = ReturnType<typeof createMrDomainClient>;

function shapeError(action: string, part: string, error: z.ZodError): ProviderApiError {
  const hint = 'The API may have changed, or MRDOMAIN_ENDPOINT points at something else; run with DNS01_LOG_LEVEL=debug and report it';
  return replyShapeError(PROVIDER_LABEL, action, part, error, hint);
}
