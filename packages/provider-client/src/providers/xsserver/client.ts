import type { z } from 'zod';
import { AuthenticationError, InvalidInputError, ProviderApiError, replyShapeError, ZoneNotFoundError } from '../../errors.js';
import type { ProviderDeps } from '../../contract.js';
import { createHttpClient, type HttpClient, type HttpResponse, type HttpRequest } from '../../http.js';
import { registerBasicAuth } from '../../redact.js';
import type { XsserverConfig } from './settings.js';
import {
  dnsRecordsReply,
  domainListReply,
  domainsByNameReply,
  errorReply,
  infoReply,
  type DnsRecordReply,
  type DomainEntry,
} from './schemas.js';

const PROVIDER = 'xsserver';


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

const AUTH_HINT =
  'Check XSSERVER_USERNAME (the client area e-mail address) and XSSERVER_PASSWORD; log in at https://cp.xsserver.gmbh to confirm them and that API access is not blocked';

function errorMessages(res: HttpResponse): string {
  try {
    const parsed = errorReply.safeParse(JSON.parse(res.text));
    if (parsed.success && parsed.data.error.length > 0) return parsed.data.error.join('; ');
  } catch {
    // not JSON: fall through to the status alone
  }
  return 'no error message';
}

function parse<S extends z.ZodType>(schema: S, res: HttpResponse, action: string): z.infer<S> {
  const parsed = schema.safeParse(res.json());
  if (parsed.success) return parsed.data;
  throw replyShapeError(PROVIDER, action, 'reply', parsed.error, 'The XSServer API may have changed; run with DNS01_LOG_LEVEL=debug and report it');
}

/**
 * The error for an HTTP error status of one action. 429 and 5xx never get
 * here: the HTTP layer retries them and raises a transient ProviderApiError.
 */
function statusError(res: HttpResponse, action: string, what: string): Error {
  const detail = `${errorMessages(res)} (HTTP ${res.status})`;
  if (res.status === 401) {
    return new AuthenticationError(`${PROVIDER} ${action}: the username or password was refused: ${detail}`, { hint: AUTH_HINT });
  }
  if (res.status === 403) {
    return new AuthenticationError(`${PROVIDER} ${action}: access denied: ${detail}`, {
      hint: `${AUTH_HINT}; a 403 can also mean the account or this IP address is blocked for a while after too many requests`,
    });
  }
  if (res.status === 404) {
    return new ZoneNotFoundError(`${PROVIDER} ${action}: ${what} does not exist in this account: ${detail}`, {
      hint: 'Check that the domain is in this XSServer account and active (dns01 zones lists them)',
    });
  }
  if (res.status === 400 || res.status === 422) {
    return new InvalidInputError(`${PROVIDER} ${action}: the request was refused as invalid: ${detail}`, {
      hint: 'Check the domain name and the TXT value; run with DNS01_LOG_LEVEL=debug for the request sent',
    });
  }
  return new ProviderApiError(PROVIDER, action, `failed: ${detail}`, {
    hint: 'Try again later; if it persists, contact XSServer support with the message above',
  });
}

export function createXsserverClient(options: XsserverConfig, deps: Pick<ProviderDeps, 'logger' | 'http'>): XsserverClient {
  // The Authorization header carries both in base64: register that encoding too.
  registerBasicAuth(options.username, options.password);
  const common = { provider: PROVIDER, baseUrl: options.endpoint, logger: deps.logger, ...deps.http };
  const http: HttpClient = createHttpClient(common);
  // A DELETE by index must not be sent again after a wait: other changes may shift the index meanwhile.
  const noRetryHttp: HttpClient = createHttpClient({ ...common, retries: 0 });
  const basicAuth = { user: options.username, password: options.password };
  const segment = (value: string) => encodeURIComponent(value);

  const send = (client: HttpClient, req: Omit<HttpRequest, 'basicAuth'>) => client.request({ ...req, basicAuth });

  return {
    async domainsByName(name) {
      const action = 'domainByName';
      const res = await send(http, { method: 'GET', path: `/domain/name/${segment(name)}`, action });
      // Not documented: an unknown name may come back as 404 or as a refused (400/422) name. Both mean "not here".
      if (res.status === 404 || res.status === 400 || res.status === 422) {
        deps.logger.debug(`${action}: ${name} is not a domain of this account (HTTP ${res.status}: ${errorMessages(res)})`);
        return [];
      }
      if (res.status >= 400) throw statusError(res, action, `domain ${name}`);
      return parse(domainsByNameReply, res, action).details;
    },

    async listDomains() {
      const action = 'listDomains';
      const res = await send(http, { method: 'GET', path: '/domain', action });
      if (res.status >= 400) throw statusError(res, action, 'the domain list');
      return parse(domainListReply, res, action).domains;
    },

    async listRecords(domainId) {
      const action = 'listDnsRecords';
      const res = await send(http, { method: 'GET', path: `/domain/${segment(domainId)}/dns`, action });
      if (res.status >= 400) throw statusError(res, action, `domain id ${domainId}`);
      return parse(dnsRecordsReply, res, action).records;
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
      if (res.status >= 400) throw statusError(res, action, `domain id ${domainId}`);
      parse(infoReply, res, action);
    },

    async deleteRecord(domainId, index) {
      const action = 'deleteDnsRecord';
      const res = await send(noRetryHttp, {
        method: 'DELETE',
        path: `/domain/${segment(domainId)}/dns/${segment(index)}`,
        action,
        idempotent: false,
      });
      if (res.status === 404) return 'missing';
      if (res.status >= 400) throw statusError(res, action, `domain id ${domainId}`);
      parse(infoReply, res, action);
      return 'deleted';
    },
  };
}
