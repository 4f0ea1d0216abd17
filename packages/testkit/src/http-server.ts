import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getResponse, type RequestHandler } from 'msw';

/** What the server saw: tests count calls and search bodies for leaked secrets. */
export interface LoggedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export type FaultKind =
  /** Answer with this HTTP status and a short JSON error body. */
  | { kind: 'status'; status: number; retryAfter?: number }
  /** Never answer (the client's timeout must fire). */
  | { kind: 'hang' }
  /** Answer 200 with a body that is not JSON. */
  | { kind: 'malformed' }
  /** Close the connection without answering. */
  | { kind: 'reset' }
  /** Answer normally after a delay. */
  | { kind: 'delay'; ms: number }
  /**
   * Carry the request out, then garble the reply: `html` answers 200 with an
   * HTML error page instead, `php-warning` puts a PHP warning before the body
   * (as a PHP API with display_errors on does).
   */
  | { kind: 'garbled'; style: 'html' | 'php-warning' };

export interface Fault {
  fault: FaultKind;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** Which requests it applies to (default all). Gets the request and its body text. */
  match?: (req: LoggedRequest) => boolean;
}

export interface EmulatorServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly requests: LoggedRequest[];
  /** Queues a fault for the next matching request(s). */
  inject(fault: Fault): void;
  /**
   * Puts handlers before the emulator's (as msw's `server.use`), to serve a
   * reply the emulator would not: an odd shape, a page it ignores. A handler
   * that returns nothing hands the request on; `{ once: true }` answers once.
   */
  use(...handlers: RequestHandler[]): void;
  clearFaults(): void;
  /** The fixed delay before every answer from now on (the API latency knob; see serveHandlers). */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/** The variable that gives every emulator a fixed delay per request (ms), in any process that starts one. */
export const API_LATENCY_VARIABLE = 'TESTKIT_API_LATENCY_MS';

/** The API latency the environment asks for: TESTKIT_API_LATENCY_MS, else 0. */
export function apiLatencyFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[API_LATENCY_VARIABLE];
  if (raw === undefined || raw === '') return 0;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`${API_LATENCY_VARIABLE}=${raw}: expected milliseconds, 0 or more`);
  return ms;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Serves msw request handlers over real HTTP on loopback, so the product's
 * undici client talks to the emulator exactly as it would to the provider.
 * Handlers should match with a wildcard origin (`*\/path`), the port being
 * picked at run time. `latencyMs` (default: TESTKIT_API_LATENCY_MS, else 0)
 * delays every answer by a fixed time, as a real API's round trip and work
 * would: loopback answers in about a millisecond, real APIs in tens.
 */
export async function serveHandlers(handlers: RequestHandler[], options: { host?: string; port?: number; latencyMs?: number } = {}): Promise<EmulatorServer> {
  const host = options.host ?? '127.0.0.1';
  let latencyMs = options.latencyMs ?? apiLatencyFromEnv();
  const requests: LoggedRequest[] = [];
  let before: RequestHandler[] = [];
  let faults: (Fault & { left: number })[] = [];
  const sockets = new Set<Socket>();

  const takeFault = (logged: LoggedRequest): FaultKind | undefined => {
    const f = faults.find((x) => x.left > 0 && (!x.match || x.match(logged)));
    if (!f) return undefined;
    f.left -= 1;
    faults = faults.filter((x) => x.left > 0);
    return f.fault;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const logged: LoggedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers, body, at: Date.now() };
    requests.push(logged);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));

    const fault = takeFault(logged);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      const h: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) h['retry-after'] = String(fault.retryAfter);
      res.writeHead(fault.status, h).end(JSON.stringify({ error: [`injected HTTP ${fault.status}`] }));
      return;
    }
    if (fault?.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status": "succ');
      return;
    }
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));

    const request = new Request(new URL(logged.url, `http://${host}:${(server.address() as AddressInfo).port}`), {
      method: logged.method,
      headers,
      body: ['GET', 'HEAD'].includes(logged.method) ? undefined : body,
    });
    const response = await getResponse([...before, ...handlers], request);
    if (!response) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: ['no such endpoint'] }));
      return;
    }
    const out: Record<string, string> = {};
    response.headers.forEach((v, k) => (out[k] = v));
    let payload = Buffer.from(await response.arrayBuffer());
    if (fault?.kind === 'garbled') {
      delete out['content-length'];
      if (fault.style === 'html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1><p>upstream hiccup</p></body></html>');
        return;
      }
      const warning = '<br />\n<b>Warning</b>:  Undefined array key "ttl" in <b>/var/www/api/dns.php</b> on line <b>88</b><br />\n';
      payload = Buffer.concat([Buffer.from(warning), payload]);
    }
    res.writeHead(response.status, out).end(payload);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`emulator error: ${String(error)}`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    requests,
    inject(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    clearFaults() {
      faults = [];
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    use(...handlers) {
      before = [...handlers, ...before];
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
