import pRetry, { AbortError } from 'p-retry';
import type { Dispatcher } from 'undici';
import { EnvHttpProxyAgent } from './undici-lite.js';
import { Dns01Error, ProviderApiError } from './errors.js';
import { silentLogger, type Logger } from './log.js';
import { describeError, redact, registerBasicAuth, registerSecret } from './redact.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Appended to the base URL as is (the caller encodes path segments). */
  path: string;
  /** Provider action name, for logs and error messages (e.g. `infoDnsRecords`). */
  action: string;
  json?: unknown;
  form?: Record<string, string>;
  basicAuth?: { user: string; password: string };
  /** `Authorization: Bearer <token>` (netcup's REST API); the token is registered as a secret. */
  bearerToken?: string;
  /**
   * May the request be sent again after a failure whose outcome is unknown
   * (timeout, reset, 5xx)? Defaults to true for GET. Non-idempotent requests
   * are only retried when the server certainly did not act (connection
   * refused, 429).
   */
  idempotent?: boolean;
  /**
   * Which statuses are retried (and never returned): default 429 and every
   * 5xx. A caller whose server names its own failures in a 5xx body (the
   * gateway's 502) narrows it to read them.
   */
  retryStatus?: (status: number) => boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, or a ProviderApiError naming the action. */
  json(): unknown;
}

export interface HttpClientOptions {
  /** Provider name for error messages. */
  provider: string;
  baseUrl: string;
  logger?: Logger;
  /** Per attempt, headers and body (default 30 s). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** Upper bound for all attempts and waits together (default 60 s). */
  maxRetryTimeMs?: number;
  /** First backoff delay (default 500 ms); doubles each retry up to 8 s. */
  minRetryDelayMs?: number;
  dispatcher?: Dispatcher;
  /** Proxy settings of the effective environment (proxyFromEnv); default: undici reads process.env. */
  proxy?: ProxySettings;
  /** Largest response body read (default DEFAULT_MAX_BODY_BYTES); a larger one is an error. */
  maxBodyBytes?: number;
  /** Called for every request sent, retries included (`dns01 check --write` counts the API calls). */
  onRequest?: (request: { action: string; method: string }) => void;
  /** Awaited before every request, retries included, before its timeout starts (the gateway waits there for its request budget). */
  beforeRequest?: (request: { action: string; method: string }) => Promise<void>;
}

/** No provider reply is anywhere near this: a bigger body is an error, not something to buffer. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** HTTP(S)_PROXY and NO_PROXY as undici's EnvHttpProxyAgent takes them ('' is "none"). */
export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

/**
 * The proxy settings of an environment (the config file applied), lower-case
 * names first as curl and undici read them. Given explicitly, so a proxy set
 * only in the config file is honoured too.
 */
export function proxyFromEnv(env: Readonly<Record<string, string | undefined>>): ProxySettings {
  const pick = (name: string) => env[name.toLowerCase()] || env[name] || '';
  return { httpProxy: pick('HTTP_PROXY'), httpsProxy: pick('HTTPS_PROXY'), noProxy: pick('NO_PROXY') };
}

export interface HttpClient {
  readonly baseUrl: string;
  request(req: HttpRequest): Promise<HttpResponse>;
}

const sharedDispatchers = new Map<string, Dispatcher>();

/** One keep-alive agent per process and proxy setting; without settings undici reads HTTP(S)_PROXY and NO_PROXY from process.env. */
export function defaultDispatcher(proxy?: ProxySettings): Dispatcher {
  const key = proxy ? JSON.stringify(proxy) : '';
  let d = sharedDispatchers.get(key);
  if (!d) {
    d = new EnvHttpProxyAgent({ keepAliveTimeout: 10_000, connections: 16, ...proxy });
    sharedDispatchers.set(key, d);
  }
  return d;
}

/** Closes the shared agents so a short-lived process can exit at once. */
export async function closeHttp(): Promise<void> {
  const all = [...sharedDispatchers.values()];
  sharedDispatchers.clear();
  await Promise.all(all.map((d) => d.close()));
}

function sizeText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${Math.round(bytes / 1000)} kB`;
}

const CERTAINLY_NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** The error code of a failed request (its cause's, as undici nests them). */
function errorCode(error: Error): string | undefined {
  return (error as { code?: string }).code ?? (error.cause as { code?: string } | undefined)?.code;
}

/**
 * The retry rounds already said, per host: the highest attempt announced and
 * when. Requests to one host that fail together (a batch, concurrent calls)
 * share one line per round instead of one each.
 */
const announced = new Map<string, { attempt: number; at: number }>();
const ANNOUNCE_WINDOW_MS = 60_000;

/** Whether this failed attempt starts a retry round not yet said for `host` (and records it). */
function firstOfRound(host: string, attempt: number, now = Date.now()): boolean {
  const last = announced.get(host);
  if (last && last.attempt >= attempt && now - last.at < ANNOUNCE_WINDOW_MS) return false;
  announced.set(host, { attempt, at: now });
  return true;
}

class RetryableStatus extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}`);
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function headerRecord(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const log = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 4;
  const maxRetryTimeMs = options.maxRetryTimeMs ?? 60_000;
  const minRetryDelayMs = options.minRetryDelayMs ?? 500;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const provider = options.provider;

  async function readBody(body: AsyncIterable<Buffer> & { destroy(): void }, req: HttpRequest, idempotent: boolean): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBodyBytes) {
        body.destroy();
        throw new ProviderApiError(provider, req.action, `answered with a body larger than ${sizeText(maxBodyBytes)}; dns01 stopped reading it`, {
          hint: 'The endpoint setting may point at something that is not the provider API; check it',
          outcomeUnknown: !idempotent,
        });
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async function attempt(req: HttpRequest, url: string, number: number, idempotent: boolean): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      body = JSON.stringify(req.json);
    } else if (req.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
      body = new URLSearchParams(req.form).toString();
    }
    if (req.basicAuth) {
      registerBasicAuth(req.basicAuth.user, req.basicAuth.password);
      const token = Buffer.from(`${req.basicAuth.user}:${req.basicAuth.password}`, 'utf8').toString('base64');
      headers.authorization = `Basic ${token}`;
    }
    if (req.bearerToken) {
      registerSecret(req.bearerToken);
      headers.authorization = `Bearer ${req.bearerToken}`;
    }
    await options.beforeRequest?.({ action: req.action, method: req.method });
    const started = Date.now();
    options.onRequest?.({ action: req.action, method: req.method });
    const signal = AbortSignal.timeout(timeoutMs);
    const target = new URL(url);
    const res = await (options.dispatcher ?? defaultDispatcher(options.proxy)).request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: req.method,
      headers,
      body,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await readBody(res.body, req, idempotent);
    const responseHeaders = headerRecord(res.headers);
    log.debug(`${req.action}: ${req.method} ${redact(url)} -> ${res.statusCode}`, {
      attempt: number,
      ms: Date.now() - started,
    });
    if (req.retryStatus ? req.retryStatus(res.statusCode) : res.statusCode === 429 || res.statusCode >= 500) {
      throw new RetryableStatus(res.statusCode, parseRetryAfter(responseHeaders['retry-after']));
    }
    return {
      status: res.statusCode,
      headers: responseHeaders,
      text,
      json() {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new ProviderApiError(provider, req.action, `answered with a body that is not JSON (HTTP ${res.statusCode})`, {
            transient: res.statusCode >= 500,
            outcomeUnknown: !idempotent,
            hint: 'The provider API may be having problems; try again later',
          });
        }
      },
    };
  }

  return {
    baseUrl,
    async request(req) {
      const url = `${baseUrl}${req.path}`;
      const idempotent = req.idempotent ?? req.method === 'GET';
      const deadline = Date.now() + maxRetryTimeMs;
      let lastStatus: RetryableStatus | undefined;
      // Decided once per failed attempt: onFailedAttempt waits out a Retry-After before p-retry asks again.
      const fitsDeadline = new WeakMap<RetryableStatus, boolean>();
      const willRetry = (error: Error): boolean => {
        if (error instanceof RetryableStatus) {
          lastStatus = error;
          if (!idempotent && error.status !== 429) return false;
          if (!fitsDeadline.has(error)) fitsDeadline.set(error, error.retryAfterMs === undefined || Date.now() + error.retryAfterMs <= deadline);
          return fitsDeadline.get(error)!;
        }
        if (error instanceof Dns01Error) return false;
        const code = errorCode(error);
        return idempotent || (code !== undefined && CERTAINLY_NOT_SENT.has(code));
      };
      // Whether every attempt failed before the request could reach the server: then a write certainly did not happen.
      let neverSent = true;
      const host = new URL(url).host;
      /** One info line per retry round and host: what failed and how long dns01 keeps trying. */
      const announce = (error: Error, attempt: number): void => {
        if (!firstOfRound(host, attempt)) return;
        const seconds = Math.max(1, Math.round((deadline - Date.now()) / 1000));
        const what =
          error instanceof RetryableStatus
            ? error.status === 429
              ? `${host} is limiting requests (HTTP 429)`
              : `${host} answered HTTP ${error.status}`
            : `${host} unreachable (${errorCode(error) ?? error.message})`;
        log.info(`${what}, retrying for up to ${seconds} s`);
      };
      try {
        return await pRetry((n) => attempt(req, url, n, idempotent), {
          retries,
          minTimeout: minRetryDelayMs,
          maxTimeout: 8_000,
          factor: 2,
          randomize: true,
          maxRetryTime: maxRetryTimeMs,
          shouldRetry: ({ error, attemptNumber }) => {
            const retry = willRetry(error);
            if (retry) announce(error, attemptNumber);
            return retry;
          },
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            const code = errorCode(error);
            if (error instanceof RetryableStatus || error instanceof Dns01Error || code === undefined || !CERTAINLY_NOT_SENT.has(code)) neverSent = false;
            log.debug(`${req.action}: attempt ${attemptNumber} failed: ${describeError(error)}`, { retriesLeft });
            if (error instanceof RetryableStatus && error.retryAfterMs && retriesLeft > 0 && willRetry(error)) {
              const wait = Math.min(error.retryAfterMs, Math.max(0, deadline - Date.now()));
              await new Promise((r) => setTimeout(r, wait));
            }
          },
        });
      } catch (error) {
        if (error instanceof Dns01Error) throw error;
        const cause = error instanceof AbortError ? error.originalError : error;
        if (cause instanceof RetryableStatus || lastStatus === cause) {
          const status = (cause as RetryableStatus).status;
          throw new ProviderApiError(
            provider,
            req.action,
            status === 429 ? 'rate limited by the provider (HTTP 429)' : `the provider API failed (HTTP ${status})`,
            { transient: true, hint: 'The provider may be having an outage or limiting requests; try again later' },
          );
        }
        throw new ProviderApiError(provider, req.action, `request to ${redact(url)} failed: ${describeError(cause)}`, {
          transient: true,
          // The final error too (one that skipped onFailedAttempt, an abort, must not count as not sent).
          neverSent: neverSent && cause instanceof Error && CERTAINLY_NOT_SENT.has(errorCode(cause) ?? ''),
          hint: 'Check the network connection and the endpoint setting',
          cause,
        });
      }
    },
  };
}
