import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ProviderApiError,
  clearSecrets,
  closeHttp,
  createHttpClient,
  createLogger,
  isOutcomeUnknown,
  parseRetryAfter,
  proxyFromEnv,
  registerSecret,
  DEFAULT_MAX_BODY_BYTES,
} from '../src/internal.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server;
let base: string;
let seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
let handler: Handler;

beforeEach(async () => {
  seen = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await closeHttp();
  clearSecrets();
});

const fast = { minRetryDelayMs: 5, timeoutMs: 400, maxRetryTimeMs: 3000, retries: 3 };

/**
 * Closes the test server (its port then refuses connections) and listens
 * with one that never answers, on another port; returns the closed port.
 */
async function closeTheServer(): Promise<number> {
  const { port } = server.address() as AddressInfo;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return port;
}
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

describe('http client', () => {
  it('sends JSON and form bodies with the right content types', async () => {
    handler = (_req, _body, res) => json(res, 200, { ok: true });
    const http = createHttpClient({ provider: 'p', baseUrl: `${base}/`, ...fast });
    const a = await http.request({ method: 'POST', path: '/j', action: 'a', json: { x: 'ü' } });
    await http.request({ method: 'POST', path: '/f', action: 'b', form: { user: 'a b', pass: 'x&y=z' } });
    expect(a.json()).toEqual({ ok: true });
    expect(seen[0]).toMatchObject({ url: '/j', body: '{"x":"ü"}' });
    expect(seen[0]!.headers['content-type']).toContain('application/json');
    expect(seen[1]!.body).toBe('user=a+b&pass=x%26y%3Dz');
    expect(seen[1]!.headers['content-type']).toContain('application/x-www-form-urlencoded');
  });

  it('sends HTTP Basic credentials', async () => {
    handler = (_req, _body, res) => json(res, 200, {});
    const http = createHttpClient({ provider: 'p', baseUrl: base, ...fast });
    await http.request({ method: 'GET', path: '/q?a=1+2', action: 'q', basicAuth: { user: 'u', password: 'pw' } });
    expect(seen[0]!.url).toBe('/q?a=1+2');
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('u:pw').toString('base64')}`);
  });

  it('retries 5xx for idempotent requests and then succeeds', async () => {
    let n = 0;
    handler = (_req, _body, res) => (++n < 3 ? json(res, 503, { e: 1 }) : json(res, 200, { n }));
    const http = createHttpClient({ provider: 'p', baseUrl: base, ...fast });
    const res = await http.request({ method: 'GET', path: '/r', action: 'r' });
    expect(res.json()).toEqual({ n: 3 });
    expect(seen).toHaveLength(3);
  });

  it('does not retry a non-idempotent request after a 5xx (the server may have acted)', async () => {
    handler = (_req, _body, res) => json(res, 500, {});
    const http = createHttpClient({ provider: 'p', baseUrl: base, ...fast });
    await expect(http.request({ method: 'POST', path: '/create', action: 'create' })).rejects.toMatchObject({
      name: 'ProviderApiError',
      transient: true,
      message: 'p create: the provider API failed (HTTP 500)',
    });
    expect(seen).toHaveLength(1);
  });

  it('retries 429 even for non-idempotent requests, honouring Retry-After', async () => {
    let n = 0;
    handler = (_req, _body, res) => (++n === 1 ? json(res, 429, {}, { 'retry-after': '0' }) : json(res, 201, {}));
    const http = createHttpClient({ provider: 'p', baseUrl: base, ...fast });
    const res = await http.request({ method: 'POST', path: '/create', action: 'create' });
    expect(res.status).toBe(201);
    expect(seen).toHaveLength(2);
  });

  it('gives up at once when Retry-After exceeds the time budget', async () => {
    handler = (_req, _body, res) => json(res, 429, {}, { 'retry-after': '3600' });
    const http = createHttpClient({ provider: 'p', baseUrl: base, ...fast });
    await expect(http.request({ method: 'GET', path: '/x', action: 'list' })).rejects.toThrow('rate limited by the provider (HTTP 429)');
    expect(seen).toHaveLength(1);
  });

  it('returns 4xx to the caller without retrying', async () => {
    handler = (_req, _body, res) => json(res, 401, { error: ['bad auth'] });
    const http = createHttpClient({ provider: 'p', baseUrl: base, ...fast });
    const res = await http.request({ method: 'GET', path: '/x', action: 'list' });
    expect(res.status).toBe(401);
    expect(seen).toHaveLength(1);
  });

  it('times out a hanging server, retries, and fails with a transient error', async () => {
    handler = () => undefined;
    const http = createHttpClient({ provider: 'p', baseUrl: base, ...fast, timeoutMs: 150, retries: 1 });
    const error = await http.request({ method: 'GET', path: '/hang', action: 'list' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).transient).toBe(true);
    expect(seen).toHaveLength(2);
  });

  it('retries a refused connection and never shows a secret from the URL', async () => {
    registerSecret('Key/With+Secret');
    const port = await closeTheServer();
    const lines: string[] = [];
    const http = createHttpClient({
      provider: 'sourcedesk',
      baseUrl: `http://127.0.0.1:${port}/api/1/${encodeURIComponent('Key/With+Secret')}`,
      logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
      ...fast,
    });
    const error = (await http.request({ method: 'POST', path: '/dns/add', action: 'dns/add' }).catch((e: unknown) => e)) as ProviderApiError;
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('/api/1/***/dns/add');
    const all = [error.message, error.stack ?? '', ...lines].join('\n');
    expect(all).not.toContain('Secret');
    expect(lines.filter((l) => l.includes('attempt')).length).toBeGreaterThanOrEqual(3);
  });

  it('a write refused at connect every time certainly never happened; one that timed out may have: isOutcomeUnknown tells them apart', async () => {
    const port = await closeTheServer();
    const lines: string[] = [];
    const refusedHost = createHttpClient({
      provider: 'p',
      baseUrl: `http://127.0.0.1:${port}`,
      logger: createLogger({ level: 'info', write: (l) => lines.push(l) }),
      ...fast,
    });
    const refused = (await refusedHost.request({ method: 'POST', path: '/add', action: 'add' }).catch((e: unknown) => e)) as ProviderApiError;
    expect(refused.neverSent).toBe(true);
    expect(isOutcomeUnknown(refused)).toBe(false);
    // One info line per retry round, saying what failed and for how long dns01 keeps trying.
    const rounds = lines.filter((l) => new RegExp(`127\\.0\\.0\\.1:${port} unreachable \\(ECONNREFUSED\\), retrying for up to \\d+ s$`).test(l));
    expect(rounds.length).toBeGreaterThanOrEqual(1);
    expect(rounds.length).toBeLessThanOrEqual(fast.retries);

    // The server listening now never answers: the request reached it.
    const hangingUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const hanging = createHttpClient({ provider: 'p', baseUrl: hangingUrl, ...fast, timeoutMs: 150, retries: 1 });
    const timedOut = (await hanging.request({ method: 'POST', path: '/add', action: 'add' }).catch((e: unknown) => e)) as ProviderApiError;
    expect(timedOut).toBeInstanceOf(ProviderApiError);
    expect(timedOut.neverSent).toBe(false);
    expect(isOutcomeUnknown(timedOut)).toBe(true);
  });

  it('reports a body that is not JSON as a provider error naming the action', async () => {
    handler = (_req, _body, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status": "succ');
    const http = createHttpClient({ provider: 'netcup', baseUrl: base, ...fast });
    const res = await http.request({ method: 'POST', path: '/', action: 'infoDnsRecords', idempotent: true });
    expect(() => res.json()).toThrow('netcup infoDnsRecords: answered with a body that is not JSON (HTTP 200)');
  });

  it('goes through HTTP_PROXY from the environment', async () => {
    // The test server doubles as the proxy: it accepts the CONNECT tunnel and
    // answers the tunnelled request itself, so nothing leaves loopback.
    const tunnels: string[] = [];
    server.on('connect', (req: IncomingMessage, socket: Socket) => {
      tunnels.push(req.url ?? '');
      const upstream = connect((server.address() as AddressInfo).port, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      });
    });
    handler = (req, _body, res) => json(res, 200, { via: 'proxy', path: req.url, host: req.headers.host });
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
    await closeHttp();
    process.env.HTTP_PROXY = base;
    process.env.http_proxy = base;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;
    try {
      const http = createHttpClient({ provider: 'p', baseUrl: 'http://provider.invalid/api', ...fast });
      const res = await http.request({ method: 'GET', path: '/zones', action: 'list' });
      expect(res.json()).toEqual({ via: 'proxy', path: '/api/zones', host: 'provider.invalid' });
      expect(tunnels).toEqual(['provider.invalid:80']);
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      await closeHttp();
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

/** A forward proxy on loopback that tunnels CONNECT requests (as undici's ProxyAgent sends them) and records each target. */
async function startConnectProxy(): Promise<{ proxy: Server; tunnels: string[] }> {
  const tunnels: string[] = [];
  const proxy = createServer();
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return { proxy, tunnels };
}

describe('issue 15: Retry-After, body size, proxy settings', () => {
  it('a Retry-After that fits the budget is waited once and then retried (not counted twice against the deadline)', async () => {
    let n = 0;
    handler = (_req, _body, res) => (++n === 1 ? json(res, 429, {}, { 'retry-after': '2' }) : json(res, 200, { n }));
    const http = createHttpClient({ provider: 'p', baseUrl: base, ...fast, maxRetryTimeMs: 3000 });
    const started = Date.now();
    const res = await http.request({ method: 'GET', path: '/x', action: 'list' });
    expect(res.json()).toEqual({ n: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(seen).toHaveLength(2);
  });

  it('caps a response body (default 10 MB) with a clear error instead of reading it all', async () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(10 * 1024 * 1024);
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`"${'x'.repeat(50_000)}"`);
    };
    const http = createHttpClient({ provider: 'p', baseUrl: base, ...fast, maxBodyBytes: 10_000 });
    const error = await http.request({ method: 'GET', path: '/big', action: 'list' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).message).toBe('p list: answered with a body larger than 10 kB; dns01 stopped reading it');
    expect(seen).toHaveLength(1);
  });

  it('a capped reply to a write that is not idempotent has an unknown outcome', async () => {
    handler = (_req, _body, res) => res.writeHead(200).end('y'.repeat(20_000));
    const http = createHttpClient({ provider: 'p', baseUrl: base, ...fast, maxBodyBytes: 10_000 });
    const error = await http.request({ method: 'POST', path: '/create', action: 'create' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ outcomeUnknown: true });
  });

  it('proxy settings from the effective environment (the config file) are used, not only process.env', async () => {
    handler = (_req, _body, res) => json(res, 200, { ok: true });
    const { proxy, tunnels } = await startConnectProxy();
    try {
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const settings = proxyFromEnv({ HTTP_PROXY: proxyUrl, NO_PROXY: 'other.example' });
      expect(settings).toEqual({ httpProxy: proxyUrl, httpsProxy: '', noProxy: 'other.example' });
      const http = createHttpClient({ provider: 'p', baseUrl: base, ...fast, proxy: settings });
      expect((await http.request({ method: 'GET', path: '/via', action: 'list' })).json()).toEqual({ ok: true });
      expect(tunnels).toEqual([base.replace('http://', '')]);
      // NO_PROXY from the same settings wins
      const direct = createHttpClient({ provider: 'p', baseUrl: base, ...fast, proxy: proxyFromEnv({ HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' }) });
      await direct.request({ method: 'GET', path: '/d', action: 'list' });
      expect(tunnels).toHaveLength(1);
      expect(seen.map((r) => r.url)).toEqual(['/via', '/d']);
      expect(proxyFromEnv({ https_proxy: 'http://p:3128', no_proxy: 'a' })).toEqual({ httpProxy: '', httpsProxy: 'http://p:3128', noProxy: 'a' });
    } finally {
      proxy.closeAllConnections();
      await closeHttp();
      await new Promise((r) => proxy.close(r));
    }
  });
});

describe('issue 15: the flow takes the proxy from the effective environment', () => {
  it('a proxy named only in the config file is used by the provider client', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { openSession, effectiveEnv } = await import('../src/internal.js');
    handler = (_req, _body, res) => json(res, 200, { code: 100, message: 'ok', data: [] });
    const { proxy, tunnels } = await startConnectProxy();
    const dir = mkdtempSync(join(tmpdir(), 'dns01-proxy-'));
    try {
      const file = join(dir, 'config');
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      writeFileSync(file, `HTTP_PROXY=${proxyUrl}\nNO_PROXY=\n`, { mode: 0o600 });
      const env = effectiveEnv({
        DNS01_CONFIG: file,
        DNS01_PROVIDER: 'sourcedesk',
        SOURCEDESK_CUSTOMER_ID: '1',
        SOURCEDESK_API_KEY: 'sd-key-12345678',
        SOURCEDESK_ENDPOINT: base,
      });
      const ctx = openSession(env).flow();
      expect(await ctx.provider.listZones!()).toEqual([]);
      expect(tunnels).toEqual([base.replace('http://', '')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      proxy.closeAllConnections();
      await closeHttp();
      await new Promise((r) => proxy.close(r));
    }
  });
});
