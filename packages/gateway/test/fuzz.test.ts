// Every endpoint fed a few thousand generated requests (deterministic seed):
// malformed JSON, wrong types, huge bodies, names with "..", newlines,
// unicode, out-of-scope names, odd methods, paths and credentials. The
// gateway must answer each with a refusal or a success (never a 5xx, never a
// crash), and no record outside a client's scope may appear or go.
import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seededRandom } from '@dns01/testkit';
import { acmeValue, authHeaders, startRig, type Rig } from './rig.js';

const SEED = 0x5eed_d01;
const REQUESTS = 3000;
const CONCURRENCY = 16;

let rig: Rig;
const foreign = [
  { name: '_acme-challenge.example.com', type: 'TXT' as const, data: 'foreign-challenge' },
  { name: 'example.com', type: 'TXT' as const, data: 'v=spf1 -all' },
  { name: '_acme-challenge.other.org', type: 'TXT' as const, data: 'foreign-other' },
];

beforeAll(async () => {
  rig = await startRig({
    clients: [
      { id: 'fuzz', names: ['example.com', '*.example.com'] },
      { id: 'narrow', names: ['www.example.com'] },
    ],
    env: { DNS01_SERVE_CLIENT_RATE: '100000', DNS01_SERVE_PROVIDER_BUDGET: '100000', DNS01_SERVE_METRICS: 'open' },
    world: { records: foreign, emulator: { requestsPerMinute: 100_000 } },
  });
});
afterAll(async () => rig?.close());

interface Raw {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
  localAddress: string;
}

function send(url: string, raw: Raw): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method: raw.method, path: raw.path, headers: raw.headers, localAddress: raw.localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may close early (a refused huge body): that is an answer too, seen as status 0 only if nothing came.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: 0, body: error.code }) : reject(error),
    );
    req.end(raw.body);
  });
}

function generator(random: () => number, secrets: Record<string, string>) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chars = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const label = () => chars('abcdefghijklmnopqrstuvwxyz0123456789-', 1 + Math.floor(random() * 12));
  const names = () =>
    pick([
      '_acme-challenge.example.com',
      '_acme-challenge.example.com.',
      '_ACME-CHALLENGE.EXAMPLE.COM',
      `_acme-challenge.${label()}.example.com`,
      `_acme-challenge.${label()}.${label()}.example.com.`,
      '_acme-challenge.www.example.com',
      '_acme-challenge.other.org',
      '_acme-challenge.example.com.other.org',
      '_acme-challenge.notexample.com',
      'example.com',
      `${label()}.example.com`,
      '_acme-challenge..example.com',
      '_acme-challenge.example..com',
      '..',
      '.',
      '',
      '_acme-challenge.example.com\n',
      '_acme-challenge.example.com\r\nX-Injected: 1',
      '_acme-challenge.exa\u0000mple.com',
      '_acme-challenge.exämple.com',
      '_acme-challenge.example\uff0ecom',
      '_acme-challenge.\u202eexample.com',
      '_acme-challenge.*.example.com',
      `_acme-challenge.${'a'.repeat(64)}.example.com`,
      `_acme-challenge.${`${label()}.`.repeat(60)}example.com`,
      ' _acme-challenge.example.com ',
      '_acme-challenge.example.com/../other.org',
    ]);
  const domains = () =>
    pick([
      'example.com',
      '*.example.com',
      'www.example.com',
      `${label()}.example.com`,
      'other.org',
      '*.other.org',
      'example.com.',
      'exämple.com',
      '..',
      '',
      'a..b',
      'example.com\nother.org',
      `${'x'.repeat(300)}.com`,
    ]);
  const values = () =>
    pick([
      acmeValue(String(random())),
      acmeValue(String(random())),
      'short',
      `${acmeValue(String(random()))}x`,
      acmeValue(String(random())).slice(0, 42) + '"',
      acmeValue(String(random())).slice(0, 42) + '\\',
      'ä'.repeat(43),
      ' '.repeat(43),
      '',
      'v=spf1 include:evil.example -all',
    ]);
  const junk = () => pick<unknown>([null, 1, -1, Number.MAX_VALUE, true, [], [1, 2], {}, { a: 1 }, 'x', '', '\u0000', 'x'.repeat(10_000)]);
  const field = <T>(make: () => T): unknown => (random() < 0.85 ? make() : junk());
  const bodies = (path: string): string | Buffer => {
    // Mostly the body of the path's own protocol, so the parsers behind the authentication get their share.
    const own = random() < 0.6;
    const r = own ? (path === '/update' ? 0.6 + random() * 0.25 : 0.1 + random() * 0.5) : random();
    if (r < 0.05) return pick(['', '{', '}', '[', 'null', '"str"', '42', '{"fqdn":', '{"fqdn":"a",}', 'not json', '\u0000\u0001', '{"a":1}{"b":2}']);
    if (r < 0.08) return Buffer.alloc(pick([4097, 8192, 65_536, 1_048_576]), 0x7b);
    if (r < 0.1) return JSON.stringify({ fqdn: '_acme-challenge.example.com', value: acmeValue('x'), pad: 'p'.repeat(5000) });
    if (r < 0.4) return JSON.stringify({ fqdn: field(names), value: field(values) });
    if (r < 0.6) return JSON.stringify({ domain: field(domains), token: field(() => label()), keyAuth: field(() => `${label()}.${label()}`) });
    if (r < 0.85) {
      const [s, t] = pick([
        ['subdomain', 'txt'],
        ['SubDomain', 'Txt'],
        ['SUBDOMAIN', 'TXT'],
        ['subdomain', 'Txt'],
      ] as const);
      const body: Record<string, unknown> = { [s]: field(() => (random() < 0.5 ? domains() : names())), [t]: field(values) };
      if (random() < 0.1) body.subdomain = domains();
      return JSON.stringify(body);
    }
    return JSON.stringify(
      pick<unknown>([[], [{ fqdn: '_acme-challenge.example.com' }], { fqdn: { fqdn: 'x' } }, { __proto__: { fqdn: 'x' } }, { constructor: 'x', value: 1 }]),
    );
  };
  return (): { raw: Raw; authorised: string | undefined } => {
    const client = pick(['fuzz', 'fuzz', 'fuzz', 'narrow']);
    const auth = random();
    const path =
      random() < 0.85
        ? pick(['/present', '/cleanup', '/update'])
        : pick(['/register', '/health', '/metrics', '/nope', '/present/../update', '//present', '/present?x=1', '/%2e%2e/update', '/PRESENT']);
    const method = random() < 0.9 ? 'POST' : pick(['GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);
    const headers: Record<string, string> = { 'content-type': pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded']) };
    let authorised: string | undefined;
    // Most requests carry good credentials, so the parsers are what gets fuzzed; the rest come from many addresses (the failure throttle is per address).
    let localAddress = '127.0.0.1';
    if (auth < 0.8) {
      Object.assign(headers, authHeaders({ id: client, secret: secrets[client]!, style: path === '/update' ? 'api-key' : 'basic' }));
      authorised = client;
    } else {
      localAddress = `127.0.${1 + Math.floor(random() * 200)}.${1 + Math.floor(random() * 250)}`;
      const bad = pick([
        { authorization: 'Basic' },
        { authorization: 'Basic !!!' },
        { authorization: `Basic ${Buffer.from('fuzz').toString('base64')}` },
        { authorization: `Basic ${Buffer.from(`fuzz:${secrets.fuzz}x`).toString('base64')}` },
        { authorization: `Bearer ${secrets.fuzz}` },
        { 'x-api-user': 'fuzz', 'x-api-key': '' },
        { 'x-api-user': '', 'x-api-key': secrets.fuzz! },
        { 'x-api-user': `fuzz\u00e4`, 'x-api-key': secrets.fuzz! },
        { 'x-api-user': 'x'.repeat(5000), 'x-api-key': 'y' },
        {},
      ]);
      Object.assign(headers, Object.fromEntries(Object.entries(bad).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('latin1')])));
    }
    return { raw: { method, path, headers, body: bodies(path), localAddress }, authorised };
  };
}

const ALLOWED = new Set([0, 200, 400, 401, 403, 404, 405, 413, 429, 431]);

it(`${REQUESTS} generated requests (seed ${SEED}): no 5xx, no crash, no record outside a client's scope touched`, { timeout: 240_000 }, async () => {
  const snapshot = () =>
    rig.world.store
      .records('example.com')
      .concat(rig.world.store.records('other.org'))
      .filter((r) => r.type !== 'SOA')
      .map(({ name, type, data }) => `${type} ${name} ${data}`)
      .sort();
  const before = snapshot();
  const next = generator(seededRandom(SEED), rig.secrets);
  const statuses = new Map<number, number>();
  const unexpected: string[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < REQUESTS) {
        sent += 1;
        const { raw } = next();
        const reply = await send(rig.gateway.url, raw);
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        if (!ALLOWED.has(reply.status))
          unexpected.push(`${raw.method} ${raw.path} ${String(raw.body).slice(0, 200)} -> ${reply.status} ${reply.body.slice(0, 200)}`);
      }
    }),
  );
  console.log(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  expect(unexpected).toEqual([]);
  expect((await fetch(`${rig.gateway.url}/health`)).status).toBe(200);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(100);

  // Every record the fuzz left is one of the ledger's, inside its client's scope, and nothing else changed.
  const scopes: Record<string, (name: string) => boolean> = {
    fuzz: (n) => n === '_acme-challenge.example.com' || (n.startsWith('_acme-challenge.') && n.endsWith('.example.com')),
    narrow: (n) => n === '_acme-challenge.www.example.com',
  };
  for (const entry of rig.gateway.ledger.all()) expect([entry.client, entry.name, scopes[entry.client]!(entry.name)]).toEqual([entry.client, entry.name, true]);
  const ours = new Set(rig.gateway.ledger.all().map((e) => `TXT ${e.name} ${e.value}`));
  expect(snapshot().filter((r) => !ours.has(r))).toEqual(before);
  for (const r of before) expect(snapshot()).toContain(r);

  // And a restart takes every one of them away again.
  await rig.restart();
  expect(snapshot()).toEqual(before);
});
