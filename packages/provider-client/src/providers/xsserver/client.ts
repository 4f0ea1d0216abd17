import { createHash } from 'node:crypto';
import type { ProviderDeps } from '../../contract.js';
import { createHttpClient, type HttpClient, type HttpResponse, type HttpRequest } from '../../http.js';
import { apiWords, replyParser } from '../../kit/index.js';
import { registerBasicAuth } from '../../redact.js';
import { PROVIDER, refusalDetail, refusalError, refusalOf, safeJson, type Refusal } from './errors.js';
import type { XsserverConfig } from './settings.js';
import { dnsRecordsReply, domainListReply, domainsByNameReply, infoReply, type DnsRecordReply, type DomainEntry, type ListShape } from './schemas.js';

const replies = replyParser(PROVIDER, 'The XSServer API may have changed; run with DNS01_LOG_LEVEL=debug and report it');

export interface NewDnsRecord {
  /** Relative to the domain ("@" for the apex). */
  name: string;
  type: string;
  priority: string;
  content: string;
}

/** What a DELETE answered: accepted, or refused (nothing deleted, in the API's words). */
export type DeleteReply = { accepted: true } | { accepted: false; refusal: Refusal };

/** A zone's records in slot order, and how the list came. */
export interface RecordList {
  shape: ListShape;
  records: DnsRecordReply[];
}

/** The wire client of the XSServer client area API (https://cp.xsserver.gmbh/userapi, "Domains" and "DNS Records"). */
export interface XsserverClient {
  /** Names the account (a hash of endpoint and username, nothing secret), for host-wide lock names. */
  readonly account: string;
  /** `GET /domain/name/@name`: every entry with that name; [] when the account has none. */
  domainsByName(name: string): Promise<DomainEntry[]>;
  /** `GET /domain`. */
  listDomains(): Promise<DomainEntry[]>;
  /** `GET /domain/@id/dns`, each record with its slot. */
  listRecords(domainId: string): Promise<RecordList>;
  /** `POST /domain/@id/dns`; the reply carries no id. */
  createRecord(domainId: string, record: NewDnsRecord): Promise<void>;
  /**
   * `DELETE /domain/@id/dns/<number>`. Never retried by the HTTP layer (a
   * number goes stale). A refusal that is no authentication error comes back
   * as `accepted: false`: the caller lists to see what happened.
   */
  deleteRecord(domainId: string, number: number): Promise<DeleteReply>;
}

export function createXsserverClient(options: XsserverConfig, deps: Pick<ProviderDeps, 'logger' | 'http' | 'observe'>): XsserverClient {
  // The Authorization header carries both in base64: register that encoding too.
  registerBasicAuth(options.username, options.password);
  const common = { provider: PROVIDER, baseUrl: options.endpoint, logger: deps.logger, ...deps.http };
  const http: HttpClient = createHttpClient(common);
  // A DELETE must not be sent again after a wait: other changes may shift the slots meanwhile.
  const noRetryHttp: HttpClient = createHttpClient({ ...common, retries: 0 });
  const basicAuth = { user: options.username, password: options.password };
  const segment = (value: string) => encodeURIComponent(value);

  const logInfo = (res: HttpResponse, action: string) => {
    const body = safeJson(res);
    const info = infoReply.safeParse(body);
    const keys = body && typeof body === 'object' ? Object.keys(body) : [];
    deps.observe?.('writeReply', keys.length > 0 ? `an object with ${keys.join(', ')}` : 'an empty object', true);
    deps.logger.debug(`${action}: ${info.success ? apiWords(info.data.info) : 'accepted (no info in the reply)'}`);
  };

  /** The refusal in a reply, if any; tells `deps.observe` how the refusal came. */
  const refused = (res: HttpResponse): Refusal | undefined => {
    const refusal = refusalOf(res);
    if (refusal) {
      const seen =
        refusal.httpStatus >= 400
          ? `with an HTTP error status (${refusal.httpStatus})`
          : refusal.messages.length > 0
            ? 'with HTTP 200 and an error body'
            : 'with HTTP 200, "success": false and no message';
      deps.observe?.('errors', seen, true);
    }
    return refusal;
  };

  const send = (client: HttpClient, req: Omit<HttpRequest, 'basicAuth'>) => client.request({ ...req, basicAuth });

  return {
    account: createHash('sha256').update(`${options.endpoint}\n${options.username}`).digest('hex').slice(0, 16),

    async domainsByName(name) {
      const action = 'domainByName';
      const res = await send(http, { method: 'GET', path: `/domain/name/${segment(name)}`, action });
      const refusal = refused(res);
      // Not documented: an unknown name may come back as 404, as a refused (400/422) name, or as an
      // error body with HTTP 200. All of them mean "not here"; only a refused login is a failure.
      if (refusal && ![401, 403].includes(refusal.status) && (refusal.httpStatus < 400 || [400, 404, 422].includes(refusal.status))) {
        deps.logger.debug(`${action}: ${name} is not a domain of this account (${refusalDetail(refusal)})`);
        return [];
      }
      if (refusal) throw refusalError(refusal, action, `domain ${name}`);
      return replies.parse(domainsByNameReply, res.json(), action).details;
    },

    async listDomains() {
      const action = 'listDomains';
      const res = await send(http, { method: 'GET', path: '/domain', action });
      const refusal = refused(res);
      if (refusal) throw refusalError(refusal, action, 'the domain list');
      return replies.parse(domainListReply, res.json(), action).domains;
    },

    async listRecords(domainId) {
      const action = 'listDnsRecords';
      const res = await send(http, { method: 'GET', path: `/domain/${segment(domainId)}/dns`, action });
      const refusal = refused(res);
      if (refusal) throw refusalError(refusal, action, `domain id ${domainId}`);
      return replies.parse(dnsRecordsReply, res.json(), action);
    },

    async createRecord(domainId, record) {
      const action = 'createDnsRecord';
      const res = await send(http, {
        method: 'POST',
        path: `/domain/${segment(domainId)}/dns`,
        action,
        json: { name: record.name, type: record.type, priority: record.priority, content: record.content },
        idempotent: false,
      });
      const refusal = refused(res);
      if (refusal) throw refusalError(refusal, action, `domain id ${domainId}`);
      // The `info` messages are not used: the caller re-lists to see the record (a reply without them is no failure).
      logInfo(res, action);
    },

    async deleteRecord(domainId, number) {
      const action = 'deleteDnsRecord';
      const res = await send(noRetryHttp, {
        method: 'DELETE',
        path: `/domain/${segment(domainId)}/dns/${number}`,
        action,
        idempotent: false,
      });
      const refusal = refused(res);
      if (refusal && [401, 403].includes(refusal.status)) throw refusalError(refusal, action, `domain id ${domainId}`);
      if (refusal) {
        deps.logger.debug(`${action}: ${number} refused (${refusalDetail(refusal)})`);
        return { accepted: false, refusal };
      }
      logInfo(res, action);
      return { accepted: true };
    },
  };
}
