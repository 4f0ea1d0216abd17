import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http as mswHttp, HttpResponse, type RequestHandler } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createXsserverApi,
  serveHandlers,
  startXsserverEmulator,
  ZoneStore,
  XSSERVER_READINGS,
  type EmulatorServer,
  type XsserverControls,
  type XsserverEmulatorOptions,
} from '@dns01/testkit';
import {
  AuthenticationError,
  ConfigError,
  Dns01Error,
  InvalidInputError,
  ProviderApiError,
  ZoneNotFoundError,
  clearSecrets,
  closeHttp,
  createLogger,
  describeError,
  redact,
  type DnsProvider,
  type Logger,
  type ProviderDeps,
} from '../../src/internal.js';
import { xsserver } from '../../src/providers/xsserver/index.js';
import { describeProviderConformance } from '../conformance.js';

const ZONE = 'example.com';
const CREDENTIALS = { username: 'xs-user@example.org', password: 'xs-secret-Pw/9+=' };
const FAST = { minRetryDelayMs: 10, timeoutMs: 500, maxRetryTimeMs: 3000 };
const CHALLENGE = `_acme-challenge.${ZONE}`;

interface Harness {
  provider: DnsProvider;
  store: ZoneStore;
  emulator: XsserverControls;
  server: EmulatorServer;
  endpoint: string;
  logs: string[];
  close(): Promise<void>;
}

function newStore(zones: string[] = [ZONE, 'other.org']): ZoneStore {
  const store = new ZoneStore();
  for (const name of zones) {
    store.addZone({ name, nameservers: [{ name: 'ns1.dns01-test.net', addresses: ['127.0.0.1'] }] });
  }
  return store;
}

async function harness(
  options: Partial<XsserverEmulatorOptions> & { extra?: RequestHandler[]; password?: string; logger?: Logger } = {},
): Promise<Harness> {
  const store = options.store ?? newStore();
  const { handlers, controls } = createXsserverApi({
    store,
    zones: [ZONE, 'other.org'],
    credentials: CREDENTIALS,
    ...options,
  });
  const server = await serveHandlers([...(options.extra ?? []), ...handlers]);
  const logs: string[] = [];
  const logger = options.logger ?? createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const endpoint = `${server.url}/api`;
  const config = { username: CREDENTIALS.username, password: options.password ?? CREDENTIALS.password, endpoint };
  const deps: ProviderDeps = { logger, http: FAST };
  const provider = xsserver.create(config, deps);
  return { provider, store, emulator: controls, server, endpoint, logs, close: () => server.close() };
}

let open: Harness[] = [];
async function track(h: Promise<Harness>): Promise<Harness> {
  const done = await h;
  open.push(done);
  return done;
}
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
  await closeHttp();
});

const txt = (store: ZoneStore, name = CHALLENGE) =>
  store
    .records(ZONE, { name, type: 'TXT' })
    .map((r) => r.data)
    .sort();
const snapshot = (store: ZoneStore) => store.records(ZONE).map(({ name, type, data }) => `${type} ${name} ${data}`);
const dnsRequests = (server: EmulatorServer, method: string) =>
  server.requests.filter((r) => r.method === method && /\/api\/domain\/\d+\/dns/.test(r.url));

async function failure(promise: Promise<unknown>): Promise<Dns01Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Dns01Error);
  return error as Dns01Error;
}

describeProviderConformance('xsserver (relative names)', async () => {
  const h = await harness();
  return { provider: h.provider, store: h.store, zone: ZONE, close: h.close };
});

describeProviderConformance('xsserver (absolute names, quoted TXT)', async () => {
  const h = await harness({ nameStyle: 'absolute', quoteTxt: true });
  return { provider: h.provider, store: h.store, zone: ZONE, close: h.close };
});

describeProviderConformance('xsserver (relative and absolute names mixed)', async () => {
  const h = await harness({ nameStyle: 'mixed' });
  return { provider: h.provider, store: h.store, zone: ZONE, close: h.close };
});

for (const reading of XSSERVER_READINGS.filter((r) => r.deletes)) {
  describeProviderConformance(`xsserver (reading: ${reading.label})`, async () => {
    const h = await harness({ readings: reading.readings, nameStyle: 'mixed' });
    return { provider: h.provider, store: h.store, zone: ZONE, close: h.close };
  });
}

describe('xsserver readings of the document', () => {
  for (const reading of XSSERVER_READINGS.filter((r) => !r.deletes)) {
    it(`${reading.label}: refuses before any write, with one clear line naming what is left`, async () => {
      const h = await track(harness({ readings: reading.readings }));
      h.store.add(ZONE, { name: `www.${ZONE}`, type: 'A', data: '192.0.2.10' });
      h.store.add(ZONE, { name: CHALLENGE, type: 'TXT', data: 'made-earlier' });
      const before = snapshot(h.store);
      const zone = await h.provider.findZone(CHALLENGE);
      const refused = await failure(h.provider.appendTxt(zone, CHALLENGE, 'new-value'));
      expect(refused).toBeInstanceOf(ProviderApiError);
      expect(refused.message).toMatch(/record ids of example\.com are not their positions .* was not created$/);
      const kept = await failure(h.provider.deleteTxt(zone, CHALLENGE, 'made-earlier'));
      expect(kept.message).toContain('it deleted nothing: TXT _acme-challenge.example.com "made-earlier" is left behind');
      expect(kept.oneLine.split('\n')).toHaveLength(1);
      expect(snapshot(h.store)).toEqual(before);
      expect(dnsRequests(h.server, 'POST')).toHaveLength(0);
      expect(dnsRequests(h.server, 'DELETE')).toHaveLength(0);
      // Reading the list stays possible.
      expect((await h.provider.listTxt(zone, CHALLENGE)).map((r) => r.value)).toEqual(['made-earlier']);
    });
  }

  it('database ids in a zone that was empty: the first create shows them, and the error names the record left behind', async () => {
    const store = new ZoneStore();
    store.addZone({ name: ZONE, nameservers: [] });
    const h = await track(harness({ store, zones: [ZONE], readings: { ids: 'database' } }));
    const zone = await h.provider.findZone(CHALLENGE);
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'first'));
    expect(error.message).toMatch(/are not their positions in the list .*: TXT _acme-challenge\.example\.com "first" is left behind$/);
    const kept = await failure(h.provider.deleteTxt(zone, CHALLENGE, 'first'));
    expect(kept.message).toMatch(/it deleted nothing: TXT _acme-challenge\.example\.com "first" is left behind$/);
    expect(dnsRequests(h.server, 'DELETE')).toHaveLength(0);
  });

  it('errors with HTTP 200: wrong credentials are still an AuthenticationError, an unknown name is "not here"', async () => {
    const bad = await track(harness({ readings: { errors: 'http-200' }, password: 'wrong-password-x2' }));
    const error = await failure(bad.provider.findZone(CHALLENGE));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toBe('xsserver domainByName: the username or password was refused (HTTP 200: Invalid username or password)');
    const good = await track(harness({ readings: { errors: 'http-200' } }));
    await expect(good.provider.findZone('_acme-challenge.not-in-this-account.example')).rejects.toBeInstanceOf(ZoneNotFoundError);
    const gone = await failure(good.provider.listTxt({ name: ZONE, id: '9999' }, CHALLENGE));
    expect(gone).toBeInstanceOf(ZoneNotFoundError);
    expect(gone.message).toBe('xsserver listDnsRecords: domain id 9999 does not exist in this account (HTTP 200: Domain not found)');
  });

  it('an error body with HTTP 200 on a create is a refusal, not a success', async () => {
    const h = await track(
      harness({ extra: [mswHttp.post('*/api/domain/:id/dns', () => HttpResponse.json({ error: ['Invalid content'] }))] }),
    );
    const zone = await h.provider.findZone(CHALLENGE);
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'v'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('xsserver createDnsRecord: the request was refused as invalid (HTTP 200: Invalid content)');
  });

  it('a create answered with an empty object is accepted once the record is listed', async () => {
    const h = await track(harness({ readings: { writeReply: 'empty' } }));
    const zone = await h.provider.findZone(CHALLENGE);
    await h.provider.appendTxt(zone, CHALLENGE, 'empty-reply');
    expect(txt(h.store)).toEqual(['empty-reply']);
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'empty-reply')).toBe('deleted');
  });

  it('0-based ids: the DELETE is sent with the listed id, which is the 0-based position', async () => {
    const h = await track(harness({ readings: { ids: 'zero-based' } }));
    const zone = await h.provider.findZone(CHALLENGE);
    h.store.add(ZONE, { name: `a.${ZONE}`, type: 'TXT', data: 'foreign-1' });
    await h.provider.appendTxt(zone, CHALLENGE, 'last');
    const position = h.store.records(ZONE).findIndex((r) => r.data === 'last');
    expect((await h.provider.listTxt(zone, CHALLENGE)).map((r) => r.id)).toEqual([String(position)]);
    const expected = snapshot(h.store).filter((r) => r !== `TXT ${CHALLENGE} last`);
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'last')).toBe('deleted');
    expect(dnsRequests(h.server, 'DELETE').map((r) => r.url.split('/').pop())).toEqual([String(position)]);
    expect(snapshot(h.store)).toEqual(expected);
  });
});

describe('xsserver settings', () => {
  afterEach(() => clearSecrets());

  it('reads username, password and the endpoint (default: the public API)', () => {
    const config = xsserver.readConfig({ XSSERVER_USERNAME: 'u@example.org', XSSERVER_PASSWORD: 'pw-read-1' });
    expect(config).toEqual({ username: 'u@example.org', password: 'pw-read-1', endpoint: 'https://cp.xsserver.gmbh/api' });
    expect(redact('pw-read-1')).toBe('***');
    const custom = xsserver.readConfig({ XSSERVER_USERNAME: 'u', XSSERVER_PASSWORD: 'pw-read-3', XSSERVER_ENDPOINT: 'http://127.0.0.1:1/api/' });
    expect(custom.endpoint).toBe('http://127.0.0.1:1/api');
    expect(xsserver.propagation).toMatchObject({ timeout: 600, interval: 5 });
    expect(xsserver.settings.password!.secret).toBe(true);
  });

  it('reads the password from XSSERVER_PASSWORD_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xsserver-'));
    try {
      writeFileSync(join(dir, 'pw'), 'pw-from-file-2\n', { mode: 0o600 });
      const config = xsserver.readConfig({ XSSERVER_USERNAME: 'u', XSSERVER_PASSWORD_FILE: join(dir, 'pw') });
      expect(config.password).toBe('pw-from-file-2');
      expect(redact('pw-from-file-2')).toBe('***');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the missing or malformed variable', () => {
    expect(() => xsserver.readConfig({ XSSERVER_USERNAME: 'u' })).toThrow(/XSSERVER_PASSWORD is not set/);
    expect(() => xsserver.readConfig({ XSSERVER_PASSWORD: 'pw-read-4' })).toThrow(ConfigError);
    expect(() => xsserver.readConfig({ XSSERVER_USERNAME: 'u', XSSERVER_PASSWORD: 'pw-read-5', XSSERVER_ENDPOINT: 'ftp://x' })).toThrow(
      /XSSERVER_ENDPOINT is malformed/,
    );
  });
});

describe('xsserver wire format', () => {
  it('sends HTTP Basic auth on every request, nothing secret in URLs, and the documented create body', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    await h.provider.appendTxt(zone, CHALLENGE, 'wire-value');
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'wire-value')).toBe('deleted');
    const basic = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;
    expect(h.server.requests.length).toBeGreaterThan(4);
    for (const r of h.server.requests) {
      expect(r.headers.authorization).toBe(basic);
      expect(r.url).not.toContain(encodeURIComponent(CREDENTIALS.password));
      expect(r.url).not.toContain('xs-user');
    }
    // Without a SOA hint, the longest candidate is asked first.
    expect(h.server.requests.slice(0, 2).map((r) => r.url)).toEqual([`/api/domain/name/${CHALLENGE}`, `/api/domain/name/${ZONE}`]);
    const [post] = dnsRequests(h.server, 'POST');
    expect(post!.headers['content-type']).toContain('application/json');
    expect(JSON.parse(post!.body)).toEqual({ name: '_acme-challenge', type: 'TXT', priority: '0', content: 'wire-value' });
    expect(dnsRequests(h.server, 'DELETE')[0]!.url).toMatch(/^\/api\/domain\/\d+\/dns\/\d+$/);
  });

  it('picks the Active entry when an expired one shares the name', async () => {
    const h = await track(harness({ expiredDomains: [ZONE] }));
    expect(h.emulator.domains.filter((d) => d.name === ZONE).map((d) => d.status)).toEqual(['Expired', 'Active']);
    const zone = await h.provider.findZone(CHALLENGE);
    expect(zone).toEqual({ name: ZONE, id: h.emulator.domainId(ZONE) });
    await h.provider.appendTxt(zone, CHALLENGE, 'active-only');
    expect(txt(h.store)).toEqual(['active-only']);
  });

  it('says clearly when only inactive entries hold the name', async () => {
    const store = newStore([ZONE, 'expired.net']);
    const h = await track(harness({ store, zones: [ZONE], expiredDomains: ['expired.net'] }));
    const error = await failure(h.provider.findZone('_acme-challenge.www.expired.net'));
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect(error.message).toBe('xsserver: no active domain holds _acme-challenge.www.expired.net; found only expired.net (Expired)');
    expect(error.hint).toMatch(/Renew or reactivate/);
  });

  it('uses the SOA apex first: one lookup for a deep name', async () => {
    const h = await track(harness());
    const deps: ProviderDeps = { logger: createLogger({ level: 'quiet' }), http: FAST, findApex: async () => ZONE };
    const provider = xsserver.create({ ...CREDENTIALS, endpoint: h.endpoint }, deps);
    expect((await provider.findZone(`_acme-challenge.a.b.c.${ZONE}`)).name).toBe(ZONE);
    expect(h.server.requests.map((r) => r.url)).toEqual([`/api/domain/name/${ZONE}`]);
  });

  it('reads a name the API refuses (400) or a single details object as lookups, not failures', async () => {
    const h = await track(
      harness({
        extra: [
          mswHttp.get('*/api/domain/name/:name', ({ params }) =>
            String(params.name).startsWith('_acme-challenge.')
              ? HttpResponse.json({ error: ['Invalid domain name'] }, { status: 400 })
              : HttpResponse.json({ details: { id: '47', name: String(params.name), status: 'Active' } }),
          ),
        ],
      }),
    );
    expect(await h.provider.findZone(CHALLENGE)).toEqual({ name: ZONE, id: '47' });
  });

  it('lists the active zones of the account', async () => {
    const store = newStore([ZONE, 'other.org', 'expired.net']);
    const h = await track(harness({ store, expiredDomains: ['expired.net', ZONE] }));
    expect(await h.provider.listZones!()).toEqual([ZONE, 'other.org']);
  });

  it('rejects a value the API cannot carry before sending anything', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    const before = h.server.requests.length;
    await expect(h.provider.appendTxt(zone, CHALLENGE, 'a "quoted" value')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(h.provider.appendTxt(zone, 'www.elsewhere.org', 'v')).rejects.toBeInstanceOf(InvalidInputError);
    expect(h.server.requests.length).toBe(before);
  });
});

describe('xsserver errors', () => {
  it('wrong credentials: AuthenticationError (401) with what to check, not retried', async () => {
    const h = await track(harness({ password: 'wrong-password-x1' }));
    const error = await failure(h.provider.findZone(CHALLENGE));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.exitCode).toBe(4);
    expect(error.message).toBe('xsserver domainByName: the username or password was refused (HTTP 401: Invalid username or password)');
    expect(error.hint).toMatch(/XSSERVER_USERNAME .* XSSERVER_PASSWORD/);
    expect(h.server.requests).toHaveLength(1);
  });

  it('credentials changed mid-run (password reset): 401 on the record list', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    h.emulator.setCredentials({ ...CREDENTIALS, password: 'changed-elsewhere-7' });
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'v'));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/^xsserver listDnsRecords: the username or password was refused/);
  });

  it('blocked account or IP: 403 is an AuthenticationError that mentions the block', async () => {
    const h = await track(harness());
    h.emulator.block('Access denied: too many requests, try again later');
    const error = await failure(h.provider.findZone(CHALLENGE));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toBe('xsserver domainByName: access denied (HTTP 403: Access denied: too many requests, try again later)');
    expect(error.hint).toMatch(/blocked/);
  });

  it('a domain id that no longer exists: ZoneNotFoundError (404)', async () => {
    const h = await track(harness());
    const error = await failure(h.provider.listTxt({ name: ZONE, id: '9999' }, CHALLENGE));
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect(error.message).toBe('xsserver listDnsRecords: domain id 9999 does not exist in this account (HTTP 404: Domain not found)');
  });

  it('a request the API refuses as invalid (400): InvalidInputError with the API message', async () => {
    const h = await track(
      harness({ extra: [mswHttp.post('*/api/domain/:id/dns', () => HttpResponse.json({ error: ['Invalid content'] }, { status: 400 }))] }),
    );
    const zone = await h.provider.findZone(CHALLENGE);
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'v'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('xsserver createDnsRecord: the request was refused as invalid (HTTP 400: Invalid content)');
    expect(txt(h.store)).toEqual([]);
  });

  it('any other error status: a non-transient ProviderApiError with the message', async () => {
    const h = await track(
      harness({ extra: [mswHttp.get('*/api/domain/:id/dns', () => HttpResponse.json({ error: ['Locked by another operation'] }, { status: 409 }))] }),
    );
    const zone = await h.provider.findZone(CHALLENGE);
    const error = await failure(h.provider.listTxt(zone, CHALLENGE));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).transient).toBe(false);
    expect(error.message).toBe('xsserver listDnsRecords: failed (HTTP 409: Locked by another operation)');
  });

  it.each([
    ['records is not a list', { records: 'none' }, /listDnsRecords: answered in an unexpected shape .* at records/],
    ['a record without content', { records: [{ id: 1, name: 'x', type: 'TXT' }] }, /at records\.0\.content/],
    ['a non-numeric index', { records: [{ id: 'abc', name: 'x', type: 'TXT', content: 'v' }] }, /at records\.0\.id/],
  ])('an unexpected reply shape (%s) is a clear ProviderApiError', async (_label, body, pattern) => {
    const h = await track(harness({ extra: [mswHttp.get('*/api/domain/:id/dns', () => HttpResponse.json(body))] }));
    const zone = await h.provider.findZone(CHALLENGE);
    const error = await failure(h.provider.listTxt(zone, CHALLENGE));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toMatch(pattern);
    expect(error.hint).toMatch(/API may have changed/);
  });

  it('a body that is not JSON is a clear ProviderApiError', async () => {
    const h = await track(harness());
    h.server.inject({ fault: { kind: 'malformed' }, match: (r) => r.url.startsWith('/api/domain/name/') });
    const error = await failure(h.provider.findZone(CHALLENGE));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toBe('xsserver domainByName: answered with a body that is not JSON (HTTP 200)');
  });

  it('a create that answers success but stores nothing is reported, not silently accepted', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    h.emulator.dropNextCreate();
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'lost-value'));
    expect(error.message).toBe(
      `xsserver createDnsRecord: reported success but TXT ${CHALLENGE} "lost-value" is not in the record list`,
    );
  });
});

describe('xsserver retries', () => {
  it('retries a list on 5xx and after a hang', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    h.server.inject({ fault: { kind: 'status', status: 503 }, times: 2, match: (r) => r.method === 'GET' });
    h.server.inject({ fault: { kind: 'hang' }, times: 1, match: (r) => r.method === 'GET' });
    expect(await h.provider.listTxt(zone, CHALLENGE)).toEqual([]);
    expect(dnsRequests(h.server, 'GET')).toHaveLength(4);
  });

  it('waits out a rate limit (429 with Retry-After)', async () => {
    const h = await track(harness());
    h.emulator.rateLimit(2, 0);
    expect((await h.provider.findZone(CHALLENGE)).name).toBe(ZONE);
    // two 429s, then the _acme-challenge candidate (404) and the zone
    expect(h.server.requests.map((r) => r.url)).toEqual([
      `/api/domain/name/${CHALLENGE}`,
      `/api/domain/name/${CHALLENGE}`,
      `/api/domain/name/${CHALLENGE}`,
      `/api/domain/name/${ZONE}`,
    ]);
  });

  it('a rate limit that does not end is a transient ProviderApiError', async () => {
    const h = await track(harness());
    h.emulator.rateLimit(100, 0);
    const error = await failure(h.provider.findZone(CHALLENGE));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).transient).toBe(true);
    expect(error.message).toBe('xsserver domainByName: rate limited by the provider (HTTP 429)');
  });

  it('a create that fails with 5xx is re-listed and sent again only when it did not land', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    h.server.inject({ fault: { kind: 'status', status: 502 }, match: (r) => r.method === 'POST' });
    await h.provider.appendTxt(zone, CHALLENGE, 'after-502');
    expect(txt(h.store)).toEqual(['after-502']);
    expect(dnsRequests(h.server, 'POST')).toHaveLength(2);
  });

  it('a create that keeps failing ends in a transient error and leaves nothing', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    h.server.inject({ fault: { kind: 'status', status: 500 }, times: 5, match: (r) => r.method === 'POST' });
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'never'));
    expect((error as ProviderApiError).transient).toBe(true);
    expect(txt(h.store)).toEqual([]);
  });

  it('a delete that fails (5xx, 429, hang) is re-listed before it is sent again, and deletes exactly one record', async () => {
    for (const fault of [{ kind: 'status', status: 503 }, { kind: 'status', status: 429 }, { kind: 'hang' }] as const) {
      const h = await track(harness());
      const zone = await h.provider.findZone(CHALLENGE);
      await h.provider.appendTxt(zone, CHALLENGE, 'keep-me');
      await h.provider.appendTxt(zone, CHALLENGE, 'delete-me');
      const before = snapshot(h.store);
      h.server.inject({ fault, match: (r) => r.method === 'DELETE' });
      const lists = dnsRequests(h.server, 'GET').length;
      expect(await h.provider.deleteTxt(zone, CHALLENGE, 'delete-me')).toBe('deleted');
      expect(snapshot(h.store)).toEqual(before.filter((r) => !r.endsWith('delete-me')));
      expect(dnsRequests(h.server, 'DELETE')).toHaveLength(2);
      // list before, list after the failure, re-list before the second delete, list after it (which finds no more)
      expect(dnsRequests(h.server, 'GET').length - lists).toBe(4);
    }
  });
});

describe('xsserver shifting indexes', () => {
  it('deletes the right record after another client removed one before it (indexes shifted since the append)', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    h.store.add(ZONE, { name: `a.${ZONE}`, type: 'TXT', data: 'foreign-1' });
    await h.provider.appendTxt(zone, CHALLENGE, 'ours');
    h.store.add(ZONE, { name: `b.${ZONE}`, type: 'TXT', data: 'foreign-after' });
    const [indexAfterAppend] = (await h.provider.listTxt(zone, CHALLENGE)).map((r) => r.id);
    h.store.remove(ZONE, h.store.records(ZONE, { name: `a.${ZONE}` }).map((r) => r.id));
    const before = snapshot(h.store);
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'ours')).toBe('deleted');
    expect(snapshot(h.store)).toEqual(before.filter((r) => r !== `TXT ${CHALLENGE} ours`));
    const sent = dnsRequests(h.server, 'DELETE')[0]!.url;
    expect(sent.endsWith(`/dns/${Number(indexAfterAppend) - 1}`)).toBe(true);
  });

  it.each(['http-status', 'http-200'] as const)('another client deletes a record between our list and our delete: our stale index points past the end; nothing wrong is deleted (errors: %s)', async (errors) => {
    const h = await track(harness({ readings: { errors } }));
    const zone = await h.provider.findZone(CHALLENGE);
    h.store.add(ZONE, { name: `a.${ZONE}`, type: 'TXT', data: 'foreign-1' });
    await h.provider.appendTxt(zone, CHALLENGE, 'ours-last');
    h.emulator.beforeNext('delete', () => {
      h.store.remove(ZONE, h.store.records(ZONE, { name: `a.${ZONE}` }).map((r) => r.id));
    });
    const expected = snapshot(h.store).filter((r) => r !== `TXT a.${ZONE} foreign-1` && r !== `TXT ${CHALLENGE} ours-last`);
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'ours-last')).toBe('deleted');
    expect(snapshot(h.store)).toEqual(expected);
    expect(dnsRequests(h.server, 'DELETE')).toHaveLength(2);
  });

  it('another client deletes a record between our list and our delete so our index hits a foreign record: a loud error, no further deletes', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    h.store.add(ZONE, { name: `a.${ZONE}`, type: 'TXT', data: 'foreign-1' });
    await h.provider.appendTxt(zone, CHALLENGE, 'ours');
    await h.provider.appendTxt(zone, CHALLENGE, 'ours-too');
    h.store.add(ZONE, { name: `z.${ZONE}`, type: 'TXT', data: 'foreign-after' });
    h.emulator.beforeNext('delete', () => {
      h.store.remove(ZONE, h.store.records(ZONE, { name: `a.${ZONE}` }).map((r) => r.id));
    });
    const error = await failure(h.provider.deleteTxt(zone, CHALLENGE, 'ours'));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toMatch(/did not remove exactly TXT _acme-challenge\.example\.com "ours": .*is still there; other records vanished: TXT a\.example\.com "foreign-1", TXT _acme-challenge\.example\.com "ours-too"/);
    expect(error.hint).toMatch(/No further deletes are sent to this zone/);
    expect(txt(h.store)).toEqual(['ours']);
    const deletes = dnsRequests(h.server, 'DELETE').length;
    await expect(h.provider.deleteTxt(zone, CHALLENGE, 'ours')).rejects.toBe(error);
    expect(dnsRequests(h.server, 'DELETE')).toHaveLength(deletes);
  });

  it('a record another client deletes just before our delete counts as gone', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    await h.provider.appendTxt(zone, CHALLENGE, 'raced');
    h.emulator.beforeNext('delete', () => {
      h.store.remove(ZONE, h.store.records(ZONE, { name: CHALLENGE }).map((r) => r.id));
    });
    const before = snapshot(h.store).filter((r) => !r.endsWith('raced'));
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'raced')).toBe('absent');
    expect(snapshot(h.store)).toEqual(before);
  });

  it('duplicates of the value (made by another tool) are all removed, one verified index at a time', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    h.store.add(ZONE, { name: CHALLENGE, type: 'TXT', data: 'dup' });
    h.store.add(ZONE, { name: `x.${ZONE}`, type: 'A', data: '192.0.2.1' });
    h.store.add(ZONE, { name: CHALLENGE, type: 'TXT', data: 'dup' });
    h.store.add(ZONE, { name: `y.${ZONE}`, type: 'TXT', data: 'dup' });
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'dup')).toBe('deleted');
    expect(txt(h.store)).toEqual([]);
    expect(txt(h.store, `y.${ZONE}`)).toEqual(['dup']);
    expect(h.store.records(ZONE, { name: `x.${ZONE}` })).toHaveLength(1);
  });

  it('20 concurrent appends and deletes on two names with foreign records interleaved keep every foreign record', async () => {
    const h = await track(harness());
    const zone = await h.provider.findZone(CHALLENGE);
    const wild = `_acme-challenge.www.${ZONE}`;
    for (let i = 0; i < 5; i++) h.store.add(ZONE, { name: `f${i}.${ZONE}`, type: 'TXT', data: `foreign-${i}` });
    const before = snapshot(h.store);
    const jobs = Array.from({ length: 20 }, (_, i) => ({ name: i % 2 ? wild : CHALLENGE, value: `v-${i}` }));
    await Promise.all(jobs.map((j) => h.provider.appendTxt(zone, j.name, j.value)));
    expect(txt(h.store).length + txt(h.store, wild).length).toBe(20);
    const outcomes = await Promise.all(jobs.reverse().map((j) => h.provider.deleteTxt(zone, j.name, j.value)));
    expect(outcomes.every((o) => o === 'deleted')).toBe(true);
    expect(snapshot(h.store)).toEqual(before);
  });
});

describe('xsserver secrets', () => {
  afterEach(() => clearSecrets());

  it('never show the password or the Basic token, at debug level and on failures, for programmatic use', async () => {
    clearSecrets();
    const wrong = 'wrong-Pa55/word+x';
    const outputs: string[] = [];
    const logger = createLogger({ level: 'debug', write: (l) => outputs.push(l) });
    const jsonLogger = createLogger({ level: 'debug', format: 'json', write: (l) => outputs.push(l) });

    const good = await track(harness({ logger }));
    const zone = await good.provider.findZone(CHALLENGE);
    good.server.inject({ fault: { kind: 'status', status: 503 }, match: (r) => r.method === 'GET' });
    good.server.inject({ fault: { kind: 'hang' }, match: (r) => r.method === 'POST' });
    await good.provider.appendTxt(zone, CHALLENGE, 'secret-test');
    good.server.inject({ fault: { kind: 'status', status: 500 }, times: 10 });
    outputs.push(describeError(await failure(good.provider.deleteTxt(zone, CHALLENGE, 'secret-test'))));

    const bad = await track(harness({ password: wrong, logger: jsonLogger }));
    const error = await failure(bad.provider.findZone(CHALLENGE));
    outputs.push(error.oneLine, describeError(error), String(error.stack));
    bad.emulator.block();
    outputs.push((await failure(bad.provider.listTxt({ name: ZONE, id: '47' }, CHALLENGE))).oneLine);

    const text = outputs.join('\n');
    expect(outputs.filter((l) => l.includes('debug')).length).toBeGreaterThan(5);
    for (const secret of [CREDENTIALS.password, wrong]) {
      for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) {
        expect(text).not.toContain(form);
      }
    }
    for (const user of [CREDENTIALS.username]) {
      for (const pw of [CREDENTIALS.password, wrong]) expect(text).not.toContain(Buffer.from(`${user}:${pw}`).toString('base64'));
    }
    for (const r of [...good.server.requests, ...bad.server.requests]) {
      expect(`${r.url} ${r.body}`).not.toContain(CREDENTIALS.password);
      expect(`${r.url} ${r.body}`).not.toContain(wrong);
    }
  });
});

describe('xsserver emulator strictness', () => {
  let emulator: Awaited<ReturnType<typeof startXsserverEmulator>>;
  afterEach(async () => emulator?.close());

  const call = (path: string, init: RequestInit & { auth?: boolean } = {}) => {
    const headers = new Headers(init.headers);
    if (init.auth !== false) {
      headers.set('authorization', `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`);
    }
    return fetch(`${emulator.endpoint}${path}`, { ...init, headers });
  };
  const post = (body: unknown, contentType = 'application/json') =>
    call(`/domain/${emulator.domainId(ZONE)}/dns`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('refuses what the real API would refuse', async () => {
    emulator = await startXsserverEmulator({ store: newStore(), zones: [ZONE], credentials: CREDENTIALS });
    const ok = { name: '_acme-challenge', type: 'TXT', priority: '0', content: 'v' };
    expect((await call('/domain', { auth: false })).status).toBe(401);
    expect((await call(`/domain?username=x`)).status).toBe(400);
    expect((await post(ok, 'application/x-www-form-urlencoded')).status).toBe(400);
    expect((await post('{"name": ')).status).toBe(400);
    expect(await (await post({ name: 'x', type: 'TXT', content: 'v' })).json()).toEqual({ error: ['Missing field: priority'] });
    expect((await post({ ...ok, ttl: 60 })).status).toBe(400);
    expect((await post({ ...ok, type: 'BOGUS' })).status).toBe(400);
    expect((await post({ ...ok, name: 'www.elsewhere.org.' })).status).toBe(400);
    expect((await call(`/domain/${emulator.domainId(ZONE)}/dns`, { method: 'PATCH' })).status).toBe(400);
    expect((await call(`/domain/${emulator.domainId(ZONE)}/dns/999`, { method: 'DELETE' })).status).toBe(404);
    expect((await call('/domain/name/nothing.example')).status).toBe(404);
    expect(await (await post(ok)).json()).toEqual({ info: ['DNS Management updated successfully'] });
  });

  it('shifts indexes on delete like an array and edits in place', async () => {
    const store = newStore();
    emulator = await startXsserverEmulator({ store, zones: [ZONE], credentials: CREDENTIALS });
    for (const v of ['one', 'two', 'three']) store.add(ZONE, { name: `t.${ZONE}`, type: 'TXT', data: v });
    const id = emulator.domainId(ZONE);
    const list = async () =>
      ((await (await call(`/domain/${id}/dns`)).json()) as { records: { id: number; content: string }[] }).records
        .filter((r) => ['one', 'two', 'three', 'edited'].includes(r.content))
        .map((r) => `${r.id}:${r.content}`);
    const [first] = await list();
    const base = Number(first!.split(':')[0]);
    expect(await list()).toEqual([`${base}:one`, `${base + 1}:two`, `${base + 2}:three`]);
    expect((await call(`/domain/${id}/dns/${base}`, { method: 'DELETE' })).status).toBe(200);
    expect(await list()).toEqual([`${base}:two`, `${base + 1}:three`]);
    const put = await call(`/domain/${id}/dns/${base}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 't', type: 'TXT', priority: '0', content: 'edited' }),
    });
    expect(put.status).toBe(200);
    expect(await list()).toEqual([`${base}:edited`, `${base + 1}:three`]);
  });
});
