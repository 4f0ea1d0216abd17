import { createHash } from 'node:crypto';
import type { ProviderDeps } from '../../contract.js';
import { createHttpClient, type HttpClient, type HttpResponse, type HttpRequest } from '../../http.js';
import { replyParser } from '../../kit/index.js';
import { registerBasicAuth } from '../../redact.js';
import { PROVIDER, refusalError, refusalOf, safeJson, type Refusal } from './errors.js';
import type { XsserverConfig } from './settings.js';
import { dnsRecordsReply, domainListReply, domainsByNameReply, infoReply, type DnsRecordReply, type DomainEntry } from './schemas.js';

const replies = replyParser(PROVIDER, 'The XSServer API may have changed; run with DNS01_LOG_LEVEL=debug and report it');


export interface NewDnsRecord {
  /** Relative to the domain ("@" for the apex). */
  name: string;
  type: string;
  priority: string;
  content: string;
}

/** What a DELETE by index did: `missing` when the API knows no record at that index (the list changed). */
export type DeleteIndexOutcome = 'deleted' | 'missing';

/** The wire client of the XSServer client area API (https://cp.xsserver.gmbh/userapi, "Domains" and "DNS Records"). */
export interface XsserverClient {
  /** Names the account (a hash of endpoint and username, nothing secret), for host-wide lock names. */
  readonly account: string;
  /** `GET /domain/name/@name`: every entry with that name; [] when the account has none. */
  domainsByName(name: string): Promise<DomainEntry[]>;
  /** `GET /domain`. */
  listDomains(): Promise<DomainEntry[]>;
  /** `GET /domain/@id/dns`, in the API's order (the order the indexes refer to). */
  listRecords(domainId: string): Promise<DnsRecordReply[]>;
  /** `POST /domain/@id/dns`; the reply carries no id. */
  createRecord(domainId: string, record: NewDnsRecord): Promise<void>;
  /** `DELETE /domain/@id/dns/@index`. Never retried by the HTTP layer: an index goes stale. */
  deleteRecord(domainId: string, index: string): Promise<DeleteIndexOutcome>;
}

export function createXsserverClient(options: XsserverConfig, deps: Pick<ProviderDeps, 'logger' | 'http' | 'observe'>): XsserverClient {
  // The Authorization header carries both in base64: register that encoding too.
  registerBasicAuth(options.username, options.password);
  const common = { provider: PROVIDER, baseUrl: options.endpoint, logger: deps.logger, ...deps.http };
  const http: HttpClient = createHttpClient(common);
  // A DELETE by index must not be sent again after a wait: other changes may shift the index meanwhile.
  const noRetryHttp: HttpClient = createHttpClient({ ...common, retries: 0 });
  const basicAuth = { user: options.username, password: options.password };
  const segment = (value: string) => encodeURIComponent(value);

  const logInfo = (res: HttpResponse, action: string) => {
    const info = infoReply.safeParse(safeJson(res));
    deps.observe?.('writeReply', info.success ? 'with info messages' : 'without info messages', true);
    deps.logger.debug(`${action}: ${info.success ? info.data.info.join('; ') : 'accepted (no info in the reply)'}`);
  };

  /** The refusal in a reply, if any; tells `deps.observe` how the refusal came. */
  const refused = (res: HttpResponse): Refusal | undefined => {
    const refusal = refusalOf(res);
    if (refusal) deps.observe?.('errors', refusal.httpStatus >= 400 ? `with an HTTP error status (${refusal.httpStatus})` : 'with HTTP 200 and an error body', true);
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
        deps.logger.debug(`${action}: ${name} is not a domain of this account (HTTP ${res.status}: ${refusal.messages.join('; ')})`);
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
      return replies.parse(dnsRecordsReply, res.json(), action).records;
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

    async deleteRecord(domainId, index) {
      const action = 'deleteDnsRecord';
      const res = await send(noRetryHttp, {
        method: 'DELETE',
        path: `/domain/${segment(domainId)}/dns/${segment(index)}`,
        action,
        idempotent: false,
      });
      const refusal = refused(res);
      if (refusal?.status === 404) return 'missing';
      if (refusal) throw refusalError(refusal, action, `domain id ${domainId}`);
      logInfo(res, action);
      return 'deleted';
    },
  };
}
