import { createHash } from 'node:crypto';
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

const AUTH_HINT =
  'Check XSSERVER_USERNAME (the client area e-mail address) and XSSERVER_PASSWORD; log in at https://cp.xsserver.gmbh to confirm them and that API access is not blocked';

/** The body as JSON, or undefined when it is not JSON. */
function safeJson(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.text);
  } catch {
    return undefined;
  }
}

/** The `error` messages of a body, whatever its HTTP status; undefined when it carries none. */
function errorMessagesIn(res: HttpResponse): string[] | undefined {
  const parsed = errorReply.safeParse(safeJson(res));
  return parsed.success ? parsed.data.error : undefined;
}

/**
 * A refusal: an HTTP error status, or (a reading the document leaves open)
 * HTTP 200 with an `{"error": [...]}` body. Each body is checked for `error`
 * before its schema.
 */
interface Refusal {
  /** The HTTP status, or the status the messages imply when the body came with 200. */
  status: number;
  messages: string[];
  /** The HTTP status as sent. */
  httpStatus: number;
}

const AUTH_WORDS = /password|username|unauthori[sz]ed|authori[sz]ation|credential|log ?in|authenticat/i;
const DENIED_WORDS = /access denied|forbidden|blocked|too many|not active/i;
const NOT_FOUND_WORDS = /not found|does not exist|no such|unknown domain/i;

function refusalOf(res: HttpResponse): Refusal | undefined {
  const messages = errorMessagesIn(res);
  if (res.status >= 400) {
    return { status: res.status, messages: messages?.length ? messages : ['no error message'], httpStatus: res.status };
  }
  if (!messages?.length) return undefined; // an empty `error` list beside a success is no refusal
  const text = messages.join(' ');
  let status = 400;
  if (AUTH_WORDS.test(text)) status = 401;
  else if (DENIED_WORDS.test(text)) status = 403;
  else if (NOT_FOUND_WORDS.test(text)) status = 404;
  else if (/invalid method/i.test(text)) status = 405;
  return { status, messages, httpStatus: res.status };
}

/** `write`: the request changes the zone, so after an unreadable reply its outcome is unknown. */
function parse<S extends z.ZodType>(schema: S, res: HttpResponse, action: string, write = false): z.infer<S> {
  const parsed = schema.safeParse(res.json());
  if (parsed.success) return parsed.data;
  throw replyShapeError(PROVIDER, action, 'reply', parsed.error, 'The XSServer API may have changed; run with DNS01_LOG_LEVEL=debug and report it', write);
}

/**
 * The error for a refusal of one action. 429 and 5xx never get here: the
 * HTTP layer retries them and raises a transient ProviderApiError.
 */
function refusalError(refusal: Refusal, action: string, what: string): Error {
  const detail = `${refusal.messages.join('; ')} (HTTP ${refusal.httpStatus})`;
  if (refusal.status === 401) {
    return new AuthenticationError(`${PROVIDER} ${action}: the username or password was refused: ${detail}`, { hint: AUTH_HINT });
  }
  if (refusal.status === 403) {
    return new AuthenticationError(`${PROVIDER} ${action}: access denied: ${detail}`, {
      hint: `${AUTH_HINT}; a 403 can also mean the account or this IP address is blocked for a while after too many requests`,
    });
  }
  if (refusal.status === 404) {
    return new ZoneNotFoundError(`${PROVIDER} ${action}: ${what} does not exist in this account: ${detail}`, {
      hint: 'Check that the domain is in this XSServer account and active (dns01 zones lists them)',
    });
  }
  if (refusal.status === 400 || refusal.status === 422) {
    return new InvalidInputError(`${PROVIDER} ${action}: the request was refused as invalid: ${detail}`, {
      hint: 'Check the domain name and the TXT value; run with DNS01_LOG_LEVEL=debug for the request sent',
    });
  }
  return new ProviderApiError(PROVIDER, action, `failed: ${detail}`, {
    hint: 'Try again later; if it persists, contact XSServer support with the message above',
  });
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
      return parse(domainsByNameReply, res, action).details;
    },

    async listDomains() {
      const action = 'listDomains';
      const res = await send(http, { method: 'GET', path: '/domain', action });
      const refusal = refused(res);
      if (refusal) throw refusalError(refusal, action, 'the domain list');
      return parse(domainListReply, res, action).domains;
    },

    async listRecords(domainId) {
      const action = 'listDnsRecords';
      const res = await send(http, { method: 'GET', path: `/domain/${segment(domainId)}/dns`, action });
      const refusal = refused(res);
      if (refusal) throw refusalError(refusal, action, `domain id ${domainId}`);
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
