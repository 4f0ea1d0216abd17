import { readFileSync, unlinkSync, chmodSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  AuthenticationError,
  ConfigError,
  Dns01Error,
  describeError,
  privateDirAt,
  InvalidInputError,
  ProviderApiError,
  ZoneNotFoundError,
  type Env,
  type Logger,
} from '@dns01/provider-client/internal';
import { openAuditLog, type AuditEvent, type AuditLog } from './audit.js';
import { RequestBudget, WindowCounter } from './budget.js';
import { ClientRegistry, sourceAddress, type AuthenticatedClient } from './clients.js';
import { openGatewaySession, type GatewaySession } from './gateway-session.js';
import { Ledger } from './ledger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { acmeDnsUpdate } from './protocols/acme-dns.js';
import { httpreqCleanup, httpreqPresent, printable } from './protocols/httpreq.js';
import type { Endpoint } from './protocols/types.js';
import { Records, type RecordEvent } from './records.js';
import { inScope } from './scope.js';
import { isLocalListen, type ListenAddress, type ResolvedGatewaySettings } from './settings.js';

/** Request bodies larger than this are refused (a challenge request is a few hundred bytes). */
export const MAX_BODY_BYTES = 4096;
/** Failed authentications per source address and minute before further requests are refused unread. */
export const MAX_AUTH_FAILURES = 10;
/** The one reply to every failed authentication, whatever failed. */
const UNAUTHORIZED = { error: 'forbidden' } as const;

const ENDPOINTS: Record<string, Endpoint> = {
  '/update': acmeDnsUpdate,
  '/present': httpreqPresent,
  '/cleanup': httpreqCleanup,
};

export interface GatewayOptions {
  /** The effective environment: the provider's settings and the DNS settings come from it. */
  env: Env;
  settings: ResolvedGatewaySettings;
  logger: Logger;
  /** Where the audit log's lines go when it is `stderr` (default process.stderr). */
  writeErr?: (line: string) => void;
  /** The budget's window (default a minute; tests shorten it). */
  budgetWindowMs?: number;
}

export interface RunningGateway {
  /** `http://127.0.0.1:8553`, `https://...`, or `unix:/path`. */
  readonly url: string;
  readonly listen: ListenAddress;
  readonly ledger: Ledger;
  readonly records: Records;
  readonly budget: RequestBudget;
  readonly session: GatewaySession;
  readonly metrics: Metrics;
  /** Reads the TLS certificate and key again (SIGHUP), and the clients file. */
  reload(): void;
  /** Stops accepting, finishes the requests in flight (bounded by the shutdown timeout), then closes everything. */
  stop(): Promise<void>;
}

/** A request that failed in a way the reply names. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail?: string,
  ) {
    super(code);
  }
}

function tlsMaterial(settings: ResolvedGatewaySettings): { cert: Buffer; key: Buffer } | undefined {
  if (!settings.tlsCert || !settings.tlsKey) return undefined;
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(`the TLS ${what} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  return { cert: read(settings.tlsCert, 'certificate'), key: read(settings.tlsKey, 'key') };
}

/** Refuses plain HTTP on an address others can reach, unless a TLS-terminating proxy is said to be in front. */
export function checkListenSafety(settings: ResolvedGatewaySettings): void {
  if (settings.tlsCert || isLocalListen(settings.listen) || settings.behindProxy) return;
  throw new ConfigError(`plain HTTP on ${describeListen(settings.listen)} would carry the clients' secrets unencrypted`, {
    hint: 'Set DNS01_SERVE_TLS_CERT and DNS01_SERVE_TLS_KEY, listen on a loopback address or a Unix socket, or set DNS01_SERVE_BEHIND_PROXY=1 when a TLS-terminating proxy is in front',
  });
}

export function describeListen(address: ListenAddress): string {
  return address.kind === 'unix' ? `unix:${address.path}` : `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { id: text.slice(0, colon), secret: text.slice(colon + 1) };
}

function apiKeyCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const id = req.headers['x-api-user'];
  const secret = req.headers['x-api-key'];
  return typeof id === 'string' && typeof secret === 'string' ? { id, secret } : undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new Refusal(413, 'payload_too_large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Refusal(413, 'payload_too_large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isLoopback(source: string): boolean {
  return source === '::1' || source.startsWith('127.');
}

/** How a failure of the provider or of the name is answered: a status and a code the client can show, never a secret (messages are redacted). */
function refusalFor(error: unknown): Refusal {
  if (error instanceof Refusal) return error;
  const detail = error instanceof Dns01Error ? error.oneLine : describeError(error);
  if (error instanceof ZoneNotFoundError) return new Refusal(404, 'zone_not_found', detail);
  if (error instanceof InvalidInputError) return new Refusal(400, 'bad_request', detail);
  if (error instanceof ProviderApiError || error instanceof AuthenticationError) return new Refusal(502, 'provider_error', detail);
  if (error instanceof ConfigError) return new Refusal(500, 'configuration_error', detail);
  return new Refusal(500, 'internal_error', detail);
}

/** Starts the gateway: state directory, clients, ledger (its leftovers deleted first), provider session, then the listener. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { settings, logger } = options;
  checkListenSafety(settings);
  privateDirAt(settings.stateDir);
  const tls = tlsMaterial(settings);
  const clients = new ClientRegistry(settings.clientsFile);
  const ledger = Ledger.open(join(settings.stateDir, 'ledger.json'));
  const audit: AuditLog = openAuditLog(settings.auditLog ?? join(settings.stateDir, 'audit.log'), { writeErr: options.writeErr });
  const budget = new RequestBudget(settings.budget, options.budgetWindowMs);
  let inFlight = 0;
  const metrics = createMetrics({
    ledgerSize: () => ledger.size,
    budgetQueue: () => budget.queueDepth,
    budgetUsed: () => budget.used,
    writerDepth: () => records.writerDepth,
    inFlight: () => inFlight,
  });
  const session = openGatewaySession(options.env, {
    logger,
    beforeRequest: async (request) => {
      await budget.acquire();
      metrics.providerRequests.inc({ action: request.action });
    },
  });
  const recordEvent = (event: RecordEvent) =>
    audit.write({
      client: event.entry.client,
      source: 'gateway',
      protocol: event.entry.protocol,
      action: event.action,
      name: event.entry.asked,
      ...(event.entry.name !== event.entry.asked ? { target: event.entry.name } : {}),
      value: event.entry.value,
      result: event.result,
      ms: event.ms,
      ...(event.detail ? { detail: event.detail } : {}),
    });
  const records = new Records({
    session,
    ledger,
    logger,
    maxAgeMs: settings.maxAge * 1000,
    onEvent: recordEvent,
    onWrite: (s) => metrics.writeSeconds.observe(s),
  });

  try {
    if (ledger.size > 0) {
      logger.info(`the ledger holds ${ledger.size} record(s) from the last run; deleting them exactly`);
      const { failed } = await records.recover();
      if (failed > 0)
        logger.error(`${failed} record(s) of the last run could not be deleted yet; the sweeper tries again (they stay in the ledger, ${ledger.path})`);
    }
  } catch (error) {
    await session.close().catch(() => undefined);
    audit.close();
    throw error;
  }

  const failures = new WindowCounter(MAX_AUTH_FAILURES);
  const clientRate = new WindowCounter(settings.clientRate);
  let stopping = false;
  let drained: (() => void) | undefined;

  async function authenticate(endpoint: Endpoint, req: IncomingMessage, source: string): Promise<AuthenticatedClient> {
    const credentials = endpoint.auth === 'basic' ? basicCredentials(req.headers.authorization) : apiKeyCredentials(req);
    const client = credentials && credentials.id !== '' ? await clients.authenticate(credentials.id, credentials.secret) : undefined;
    if (!client || !clients.sourceAllowed(client.id, source)) {
      failures.take(source);
      throw new Refusal(401, 'unauthorized');
    }
    return client;
  }

  async function change(endpoint: Endpoint, req: IncomingMessage, source: string, event: AuditEvent): Promise<{ status: number; body: unknown }> {
    if (failures.exhausted(source)) throw new Refusal(429, 'too_many_failures');
    const client = await authenticate(endpoint, req, source);
    event.client = client.id;
    if (!clientRate.take(client.id)) throw new Refusal(429, 'rate_limited');
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Refusal(400, 'malformed_json_payload');
    }
    const parsed = endpoint.parse(body);
    if (!parsed.ok) {
      if (parsed.name) event.name = parsed.name;
      throw new Refusal(parsed.status, parsed.error);
    }
    event.name = parsed.name;
    event.value = parsed.value;
    if (!inScope(client.names, parsed.domain)) throw new Refusal(403, 'forbidden_name');
    const request = { client: client.id, protocol: endpoint.protocol, domain: parsed.domain, value: parsed.value };
    if (endpoint.action === 'cleanup') {
      const removed = await records.cleanup(request);
      if (removed === 0) event.detail = 'no record of this client with this value';
    } else {
      const entry = await records.present(request);
      if (entry.name !== entry.asked) event.target = entry.name;
      if (endpoint.protocol === 'acme-dns') await records.keepLatest(entry);
    }
    return { status: 200, body: parsed.reply };
  }

  function reply(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
    if (res.headersSent) return;
    const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'no-store' };
    if (status === 401) headers['www-authenticate'] = 'Basic realm="dns01"';
    // After a refusal the rest of the body is not read: the connection cannot carry another request.
    if (stopping || status === 401 || status === 413 || status === 429) headers.connection = 'close';
    res.writeHead(status, headers).end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const source = req.socket.remoteAddress === undefined ? 'unix' : sourceAddress(req.socket.remoteAddress);
    // A base URL with a trailing slash makes clients that append "/update" by concatenation (libdns/acmedns,
    // goacmedns before 0.2, acme.sh) ask for "//update": the same endpoint.
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/{2,}/g, '/');
    const endpoint = ENDPOINTS[path];
    if (!endpoint) {
      if (req.method === 'GET' && path === '/health') return reply(res, 200, { status: 'ok' });
      if (req.method === 'GET' && path === '/metrics' && settings.metrics !== 'off') {
        if (settings.metrics === 'local' && !(source === 'unix' || isLoopback(source))) return reply(res, 403, { error: 'forbidden' });
        return reply(res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
      }
      if (req.method === 'POST' && path === '/register') return reply(res, 403, { error: 'registration_disabled' });
      return reply(res, 404, { error: 'not_found' });
    }
    if (req.method !== 'POST') return reply(res, 405, { error: 'method_not_allowed' });
    const event: AuditEvent = {
      client: '-',
      source,
      protocol: endpoint.protocol,
      action: endpoint.protocol === 'acme-dns' ? 'update' : endpoint.action,
      result: 'ok',
      ms: 0,
    };
    let status: number;
    try {
      const done = await change(endpoint, req, source, event);
      status = done.status;
      reply(res, status, done.body);
    } catch (error) {
      const refusal = refusalFor(error);
      status = refusal.status;
      event.result = refusal.code;
      if (refusal.detail) event.detail = refusal.detail;
      if (status >= 500) logger.error(`${event.protocol} ${event.action} ${event.name ?? ''} for ${event.client}: ${refusal.detail ?? refusal.code}`);
      reply(res, status, status === 401 ? UNAUTHORIZED : { error: refusal.code, ...(refusal.detail && status >= 500 ? { detail: refusal.detail } : {}) });
    }
    event.status = status;
    event.ms = Math.round(performance.now() - started);
    if (event.name) event.name = printable(event.name);
    audit.write(event);
    metrics.requests.inc({ client: event.client, action: `${endpoint.protocol}:${event.action}`, result: event.result });
    metrics.requestSeconds.observe({ action: `${endpoint.protocol}:${event.action}` }, event.ms / 1000);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    handle(req, res)
      .catch((error: unknown) => {
        logger.error(`request failed: ${describeError(error)}`);
        reply(res, 500, { error: 'internal_error' });
      })
      .finally(() => {
        inFlight -= 1;
        if (inFlight === 0) drained?.();
      });
  };
  const server: Server = tls
    ? createHttpsServer({ ...tls, maxHeaderSize: 8192, minVersion: 'TLSv1.2' }, onRequest)
    : createHttpServer({ maxHeaderSize: 8192 }, onRequest);
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 64;
  server.maxConnections = settings.maxConnections;
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  const listen = settings.listen;
  if (listen.kind === 'unix') await removeStaleSocket(listen.path);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (listen.kind === 'unix') server.listen(listen.path, resolve);
      else server.listen(listen.port, listen.host, resolve);
    });
  } catch (error) {
    await session.close().catch(() => undefined);
    audit.close();
    throw new ConfigError(`cannot listen on ${describeListen(listen)} (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`, {
      hint: 'Is another process listening there? Set DNS01_SERVE_LISTEN to a free address',
    });
  }
  if (listen.kind === 'unix') chmodSync(listen.path, 0o660);
  const bound: ListenAddress = listen.kind === 'unix' ? listen : { ...listen, port: (server.address() as AddressInfo).port };
  const url = bound.kind === 'unix' ? `unix:${bound.path}` : `${tls ? 'https' : 'http'}://${describeListen(bound)}`;

  const sweepEveryMs = Math.min(60_000, Math.max(1_000, (settings.maxAge * 1000) / 4));
  const sweeper = setInterval(() => {
    records.sweep().catch((error: unknown) => logger.error(`sweep failed: ${describeError(error)}`));
  }, sweepEveryMs);
  sweeper.unref();

  let stopped: Promise<void> | undefined;
  return {
    url,
    listen: bound,
    ledger,
    records: records,
    budget,
    session,
    metrics,
    reload() {
      clients.reload();
      const material = tlsMaterial(settings);
      if (material && 'setSecureContext' in server) (server as import('node:https').Server).setSecureContext(material);
      logger.info(`reloaded the clients file${material ? ' and the TLS certificate' : ''}`);
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        clearInterval(sweeper);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          logger.info(`stopping: finishing ${inFlight} request(s) in flight`);
          const finished = new Promise<void>((resolve) => (drained = resolve));
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, settings.shutdownTimeout * 1000)));
          await Promise.race([finished, timeout]);
          clearTimeout(timer);
          if (inFlight > 0)
            logger.error(
              `stopping with ${inFlight} request(s) still in flight after ${settings.shutdownTimeout}s; the ledger names their records, the next start deletes them`,
            );
        }
        server.closeAllConnections();
        await closed;
        budget.close();
        await ledger.flush().catch((error: unknown) => logger.error(`writing the ledger failed: ${describeError(error)}`));
        await session.close().catch((error: unknown) => logger.debug(`closing the provider session failed: ${describeError(error)}`));
        audit.close();
        if (listen.kind === 'unix') unlinkSync(listen.path);
      })();
      return stopped;
    },
  };
}

/** A socket file left by a gateway that is gone is removed; one a live process answers on is refused. */
async function removeStaleSocket(path: string): Promise<void> {
  const answers = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (answers) throw new ConfigError(`another process listens on unix:${path}`, { hint: 'Stop it, or set DNS01_SERVE_LISTEN to another path' });
  try {
    unlinkSync(path);
  } catch {
    // nothing there
  }
}
