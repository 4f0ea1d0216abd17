import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http as mswHttp, HttpResponse, type RequestHandler } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FAST_RETRY_HTTP,
  providerRig,
  startXsserverEmulator,
  XSSERVER_READINGS,
  ZoneStore,
  type EmulatorOptionsOf,
  type EmulatorServer,
  type ProviderRig,
  type ProviderRigOptions,
  type XsserverReadingCase,
} from '@dns01/testkit';
import { failure } from '@dns01/testkit/support';
import {
  AuthenticationError,
  ConfigError,
  InvalidInputError,
  ProviderApiError,
  ZoneNotFoundError,
  clearSecrets,
  createLogger,
  describeError,
  redact,
} from '../../src/internal.js';
import { xsserver } from '../../src/providers/xsserver/index.js';
import { describeProviderConformance } from '../conformance.js';

const ZONE = 'example.com';
const CHALLENGE = `_acme-challenge.${ZONE}`;
/** A username that is an address and a password with characters Basic auth and URLs must carry. */
const CREDENTIALS = { username: 'xs-user@example.org', password: 'xs-secret-Pw/9+=' };

type Rig = ProviderRig<'xsserver'>;
/** The emulator's options; `reading` plays a reading case (its readings and the list options it needs), the other options over it. */
type RigOptions = EmulatorOptionsOf['xsserver'] & { reading?: XsserverReadingCase };
/**
 * The account holds ZONE and other.org, each with one nameserver, so a zone's
 * first slots are the SOA, an entry the API does not list, the NS record, then
 * the records a test adds.
 */
function rig({ reading, ...emulator }: RigOptions = {}, world: Omit<ProviderRigOptions<'xsserver'>, 'emulator'> = {}): Promise<Rig> {
  return providerRig('xsserver', {
    zones: [ZONE, 'other.org'],
    nameservers: [{}],
    ...world,
    emulator: { credentials: CREDENTIALS, ...(reading && { readings: reading.readings, ...reading.options }), ...emulator },
  });
}

let open: Rig[] = [];
async function track(h: Promise<Rig>): Promise<Rig> {
  const done = await h;
  open.push(done);
  return done;
}
const harness = (...options: Parameters<typeof rig>) => track(rig(...options));
/** A rig whose API answers with `handler` before the emulator does: a reply the emulator would not send. */
async function answering(handler: RequestHandler): Promise<Rig> {
  const h = await harness();
  h.emulator.server.use(handler);
  return h;
}
afterEach(async () => {
  for (const h of open) expect(h.emulator.losses()).toEqual([]);
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

const snapshot = (store: ZoneStore) => store.records(ZONE).map(({ name, type, data }) => `${type} ${name} ${data}`);
/** The DNS record requests the emulator saw, of one method. */
const dnsRequests = (server: EmulatorServer, method: string) => server.requests.filter((r) => r.method === method && /\/api\/domain\/\d+\/dns/.test(r.url));

/** The document's numbering: an array, ids from 1, DELETE takes the position from 1 (ids shift on delete). */
const POSITIONS_FROM_1: XsserverReadingCase = { label: 'positions from 1', readings: { listShape: 'array', ids: 'one-based', deletes: 'slot1' } };

/** The contract under a reading; the SOA and the entries the API does not list must come through too. */
function conformance(label: string, options: RigOptions): void {
  describeProviderConformance(`xsserver (${label})`, async () => {
    const h = await rig(options);
    return {
      provider: h.provider,
      store: h.store,
      zone: ZONE,
      async close() {
        const lost = h.emulator.losses();
        await h.close();
        if (lost.length > 0) throw new Error(`entries the API does not list were deleted: ${lost.join(', ')}`);
      },
    };
  });
}

for (const reading of XSSERVER_READINGS) conformance(`reading: ${reading.label}`, { reading });
conformance('names with a trailing dot', { nameStyle: 'dotted' });
conformance('positions from 1, database ids no larger than the slots in a keyed list', { readings: { ids: 'database', deletes: 'slot1' }, databaseIdStart: 3 });

describe('xsserver replies as HostBill sends them', () => {
  /** A list in HostBill's recorded form, written out by hand: keyed by slots with gaps, an SOA with a list for content, strings everywhere. */
  const recorded = (domainId: string) => ({
    service_id: domainId,
    name: ZONE,
    records: {
      '0': {
        id: '15257',
        domain_id: domainId,
        name: ZONE,
        type: 'SOA',
        content: ['ns1.example.net', 'hostmaster.example.net', '2023041401', '10800', '3600', '1814400', '7200'],
        ttl: '60',
        prio: '0',
        change_date: '0',
        priority: '0',
      },
      '1': { id: '15258', domain_id: domainId, name: ZONE, type: 'NS', content: 'ns1.example.net', ttl: '86400', prio: '0', change_date: '0', priority: '0' },
      '3': {
        id: '15260',
        domain_id: domainId,
        name: `mail.${ZONE}`,
        type: 'MX',
        content: 'mx.example.net',
        ttl: '3600',
        prio: '10',
        change_date: '0',
        priority: '10',
      },
      '7': {
        id: '406219',
        domain_id: domainId,
        name: CHALLENGE,
        type: 'TXT',
        content: '"quoted-value"',
        ttl: '3600',
        prio: '0',
        change_date: '0',
        priority: '0',
      },
      '8': {
        id: '406220',
        domain_id: domainId,
        name: `${CHALLENGE}.`,
        type: 'TXT',
        content: 'dotted-name',
        ttl: '3600',
        prio: '0',
        change_date: '0',
        priority: '0',
      },
      '9': {
        id: '406221',
        domain_id: domainId,
        name: '_acme-challenge',
        type: 'TXT',
        content: '"relative-name"',
        ttl: '3600',
        prio: '0',
        change_date: '0',
        priority: '0',
      },
      '10': { id: '406222', domain_id: domainId, name: ZONE, type: 'TXT', content: '"v=spf1 -all"', ttl: '3600', prio: '0', change_date: '0', priority: '0' },
    },
  });

  it('reads a list keyed by slots with gaps, an SOA whose content is a list, string ids, quoted TXT, names absolute with or without a dot, or relative', async () => {
    const h = await answering(mswHttp.get('*/api/domain/:id/dns', ({ params }) => HttpResponse.json(recorded(String(params.id)))));
    const zone = await h.provider.findZone(CHALLENGE);
    expect((await h.provider.listTxt(zone, CHALLENGE)).map((r) => [r.value, r.id])).toEqual([
      ['quoted-value', '406219'],
      ['dotted-name', '406220'],
      ['relative-name', '406221'],
    ]);
    expect((await h.provider.listZoneTxt!(zone)).map((r) => `${r.name} ${r.value}`)).toContain(`${ZONE} v=spf1 -all`);
  });

  it('a create answered in the recorded form (no id, info a list of lists) or the documented one is accepted once listed', async () => {
    for (const writeReply of ['recorded', 'document'] as const) {
      const h = await harness({ readings: { writeReply } });
      const zone = await h.provider.findZone(CHALLENGE);
      expect(await h.provider.appendTxt(zone, CHALLENGE, `reply-${writeReply}`)).toBe('created');
      expect(
        h.logs.some((l) =>
          l.includes(writeReply === 'recorded' ? 'createDnsRecord: dnsnewrecordadded TXT' : 'createDnsRecord: DNS Management updated successfully'),
        ),
      ).toBe(true);
      expect(await h.provider.deleteTxt(zone, CHALLENGE, `reply-${writeReply}`)).toBe('deleted');
    }
  });

  it('a refusal with HTTP 200, "success": false and an error list is the API refusing, in its words', async () => {
    const h = await answering(
      mswHttp.post('*/api/domain/:id/dns', () => HttpResponse.json({ success: false, error: ['An error occurred while adding the DNS record'] })),
    );
    const zone = await h.provider.findZone(CHALLENGE);
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'v'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('xsserver createDnsRecord: the request was refused as invalid (HTTP 200: An error occurred while adding the DNS record)');
  });

  it('"success": false without an error field is a refusal too, not a success followed by a missing record', async () => {
    const h = await answering(mswHttp.post('*/api/domain/:id/dns', () => HttpResponse.json({ success: false })));
    const zone = await h.provider.findZone(CHALLENGE);
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'v'));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toBe('xsserver createDnsRecord: failed (HTTP 200: "success": false without a message)');
    expect(dnsRequests(h.emulator.server, 'POST')).toHaveLength(1);
  });

  it('never logs in: HTTP Basic on every call (POST /login is limited to 25 per 4 minutes)', async () => {
    const h = await harness();
    const zone = await h.provider.findZone(CHALLENGE);
    await h.provider.appendTxt(zone, CHALLENGE, 'basic-only');
    await h.provider.deleteTxt(zone, CHALLENGE, 'basic-only');
    expect(h.emulator.server.requests.filter((r) => /\/(login|token)$/.test(r.url))).toEqual([]);
    expect(new Set(h.emulator.server.requests.map((r) => r.headers.authorization?.split(' ')[0]))).toEqual(new Set(['Basic']));
  });
});

describe('xsserver: what DELETE is sent under each reading', () => {
  const lastPath = (h: Rig) => dnsRequests(h.emulator.server, 'DELETE').map((r) => Number(r.url.split('/').pop()));

  it("recorded reading (database ids, DELETE takes the listed id): one DELETE with the record's id, which lies above every slot", async () => {
    const h = await harness();
    const zone = await h.provider.findZone(CHALLENGE);
    h.store.add(ZONE, { name: CHALLENGE, type: 'TXT', data: 'foreign-before' });
    await h.provider.appendTxt(zone, CHALLENGE, 'ours');
    const [ours] = (await h.provider.listTxt(zone, CHALLENGE)).filter((r) => r.value === 'ours');
    const before = snapshot(h.store).filter((r) => !r.endsWith(' ours'));
    const calls = h.emulator.server.requests.length;
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'ours')).toBe('deleted');
    expect(lastPath(h)).toEqual([Number(ours!.id)]);
    expect(h.emulator.server.requests.slice(calls).map((r) => r.method)).toEqual(['GET', 'DELETE', 'GET']);
    expect(snapshot(h.store)).toEqual(before);
  });

  it('positions from 0, DELETE counts from 1 (the reading that deleted the neighbour): the position + 1 is sent and the record listed before ours stays', async () => {
    const h = await harness({ readings: { listShape: 'array', ids: 'zero-based', deletes: 'slot1' } });
    const zone = await h.provider.findZone(CHALLENGE);
    h.store.add(ZONE, { name: CHALLENGE, type: 'TXT', data: 'foreign-before' });
    await h.provider.appendTxt(zone, CHALLENGE, 'ours');
    const [ours] = (await h.provider.listTxt(zone, CHALLENGE)).filter((r) => r.value === 'ours');
    const before = snapshot(h.store).filter((r) => !r.endsWith(' ours'));
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'ours')).toBe('deleted');
    expect(lastPath(h)).toEqual([Number(ours!.id) + 1]);
    expect(snapshot(h.store)).toEqual(before);
  });

  it('positions from 1 (the document): one DELETE for the record on top; a record below another needs a guard once, then the reading is known', async () => {
    const h = await harness({ reading: POSITIONS_FROM_1 });
    const zone = await h.provider.findZone(CHALLENGE);
    h.store.add(ZONE, { name: CHALLENGE, type: 'TXT', data: 'foreign-before' });
    const before = snapshot(h.store);
    await h.provider.appendTxt(zone, CHALLENGE, 'apex');
    await h.provider.appendTxt(zone, CHALLENGE, 'wildcard');
    let calls = h.emulator.server.requests.length;
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'apex')).toBe('deleted');
    // list, guard, list, DELETE the guard by its position + 1 (slot1 and the listed id agree), list, DELETE apex, list
    expect(h.emulator.server.requests.slice(calls).map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'DELETE', 'GET', 'DELETE', 'GET']);
    expect(JSON.parse(dnsRequests(h.emulator.server, 'POST').at(-1)!.body)).toMatchObject({
      name: '_acme-challenge',
      type: 'TXT',
      content: expect.stringMatching(/^dns01-guard-[0-9a-f]{16}$/),
    });
    calls = h.emulator.server.requests.length;
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'wildcard')).toBe('deleted');
    expect(h.emulator.server.requests.slice(calls).map((r) => r.method)).toEqual(['GET', 'DELETE', 'GET']);
    expect(snapshot(h.store)).toEqual(before);
  });

  it('database ids no larger than the positions: refuses before any write, in one line naming what was not created', async () => {
    const h = await harness({ readings: { ids: 'database', deletes: 'slot0' }, databaseIds: [4, 3, 2, 1], hiddenSlots: [] });
    h.store.add(ZONE, { name: `www.${ZONE}`, type: 'A', data: '192.0.2.10' });
    h.store.add(ZONE, { name: CHALLENGE, type: 'TXT', data: 'made-earlier' });
    const before = snapshot(h.store);
    const zone = await h.provider.findZone(CHALLENGE);
    const refused = await failure(h.provider.appendTxt(zone, CHALLENGE, 'new-value'));
    expect(refused).toBeInstanceOf(ProviderApiError);
    expect(refused.oneLine.split('\n')).toHaveLength(1);
    expect(refused.message).toMatch(
      /^xsserver createDnsRecord: the record ids of example\.com are database ids no larger than the positions in the list \(ids 4, 3, 2, 1\).* was not created$/,
    );
    expect(dnsRequests(h.emulator.server, 'POST')).toHaveLength(0);
    expect(snapshot(h.store)).toEqual(before);
    // Reading the list stays possible.
    expect((await h.provider.listTxt(zone, CHALLENGE)).map((r) => r.value)).toEqual(['made-earlier']);
  });

  it('a record no number can reach safely (the list shows two records under one id) is left alone and named; nothing foreign is touched', async () => {
    const h = await harness({
      readings: { listShape: 'array', ids: 'database', deletes: 'id' },
      databaseIds: [5, 2, 2, 1, 4],
      databaseIdStart: 6,
      hiddenSlots: [],
    });
    h.store.add(ZONE, { name: CHALLENGE, type: 'TXT', data: 'made-earlier' });
    h.store.add(ZONE, { name: `f1.${ZONE}`, type: 'TXT', data: 'foreign-1' });
    h.store.add(ZONE, { name: `f2.${ZONE}`, type: 'TXT', data: 'foreign-2' });
    const before = snapshot(h.store);
    const zone = await h.provider.findZone(CHALLENGE);
    const error = await failure(h.provider.deleteTxt(zone, CHALLENGE, 'made-earlier'));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toMatch(
      /^xsserver deleteDnsRecord: no number addresses TXT _acme-challenge\.example\.com "made-earlier" alone under every reading of DELETE still possible on this account \(.*\); nothing more was sent; left behind: TXT _acme-challenge\.example\.com "made-earlier"(, TXT _acme-challenge\.example\.com "dns01-guard-[0-9a-f]{16}")*$/,
    );
    expect(snapshot(h.store).filter((r) => !r.includes('dns01-guard-'))).toEqual(before);
  });
});

describe('xsserver: what a run remembers of the reading', () => {
  it('orders the first choice of a later process, never narrows it: a wrong memory deletes nothing foreign', async () => {
    const h = await harness({ readings: { listShape: 'array', deletes: 'slot1' } });
    const first = h.open({ shareRun: {} }).provider;
    const zone = await first.findZone(CHALLENGE);
    h.store.add(ZONE, { name: CHALLENGE, type: 'TXT', data: 'foreign-before' });
    const before = snapshot(h.store);
    const deletes = () => dnsRequests(h.emulator.server, 'DELETE').length;
    await first.appendTxt(zone, CHALLENGE, 'one');
    expect(await first.deleteTxt(zone, CHALLENGE, 'one')).toBe('deleted');
    // Unknown at first: the database id (ruled out), then the position + 1.
    expect(deletes()).toBe(2);
    const later = h.open({ shareRun: {} }).provider;
    await later.appendTxt(zone, CHALLENGE, 'two');
    expect(await later.deleteTxt(zone, CHALLENGE, 'two')).toBe('deleted');
    expect(deletes()).toBe(3);
    h.runCache().set('delete-index', JSON.stringify(['slot0']), 60_000);
    const misled = h.open({ shareRun: {} }).provider;
    await misled.appendTxt(zone, CHALLENGE, 'three');
    expect(await misled.deleteTxt(zone, CHALLENGE, 'three')).toBe('deleted');
    // The planted memory was read: its reading went first and cost two more DELETEs than the one a right memory needs.
    expect(deletes()).toBe(5);
    expect(snapshot(h.store)).toEqual(before);
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
    const h = await harness();
    const zone = await h.provider.findZone(CHALLENGE);
    await h.provider.appendTxt(zone, CHALLENGE, 'wire-value');
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'wire-value')).toBe('deleted');
    const basic = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;
    expect(h.emulator.server.requests.length).toBeGreaterThan(4);
    for (const r of h.emulator.server.requests) {
      expect(r.headers.authorization).toBe(basic);
      expect(r.url).not.toContain(encodeURIComponent(CREDENTIALS.password));
      expect(r.url).not.toContain('xs-user');
    }
    // Without a SOA hint, the longest candidate is asked first.
    expect(h.emulator.server.requests.slice(0, 2).map((r) => r.url)).toEqual([`/api/domain/name/${CHALLENGE}`, `/api/domain/name/${ZONE}`]);
    const [post] = dnsRequests(h.emulator.server, 'POST');
    expect(post!.headers['content-type']).toContain('application/json');
    expect(JSON.parse(post!.body)).toEqual({ name: '_acme-challenge', type: 'TXT', priority: '0', content: 'wire-value' });
    expect(dnsRequests(h.emulator.server, 'DELETE')[0]!.url).toMatch(/^\/api\/domain\/\d+\/dns\/\d+$/);
  });

  it('picks the Active entry when an expired one shares the name', async () => {
    const h = await harness({ expiredDomains: [ZONE] });
    expect(h.emulator.domains.filter((d) => d.name === ZONE).map((d) => d.status)).toEqual(['Expired', 'Active']);
    const zone = await h.provider.findZone(CHALLENGE);
    expect(zone).toEqual({ name: ZONE, id: h.emulator.domainId(ZONE) });
    await h.provider.appendTxt(zone, CHALLENGE, 'active-only');
    expect(h.txt(CHALLENGE)).toEqual(['active-only']);
  });

  it('says clearly when only inactive entries hold the name', async () => {
    const h = await harness({ expiredDomains: ['expired.net'] }, { zones: [ZONE], foreignZones: ['expired.net'] });
    const error = await failure(h.provider.findZone('_acme-challenge.www.expired.net'));
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect(error.message).toBe('xsserver: no active domain holds _acme-challenge.www.expired.net; found only expired.net (Expired)');
    expect(error.hint).toMatch(/Renew or reactivate/);
  });

  it('uses the SOA apex first: one lookup for a deep name', async () => {
    const h = await harness();
    const { provider } = h.open({ apex: async () => ZONE });
    expect((await provider.findZone(`_acme-challenge.a.b.c.${ZONE}`)).name).toBe(ZONE);
    expect(h.emulator.server.requests.map((r) => r.url)).toEqual([`/api/domain/name/${ZONE}`]);
  });

  it('reads a name the API refuses (400) or a single details object as lookups, not failures', async () => {
    const h = await answering(
      mswHttp.get('*/api/domain/name/:name', ({ params }) =>
        String(params.name).startsWith('_acme-challenge.')
          ? HttpResponse.json({ error: ['Invalid domain name'] }, { status: 400 })
          : HttpResponse.json({ details: { id: '47', name: String(params.name), status: 'Active' } }),
      ),
    );
    expect(await h.provider.findZone(CHALLENGE)).toEqual({ name: ZONE, id: '47' });
  });

  it('lists the active zones of the account', async () => {
    const h = await harness({ expiredDomains: ['expired.net', ZONE] }, { foreignZones: ['expired.net'] });
    expect(await h.provider.listZones!()).toEqual([ZONE, 'other.org']);
  });

  it('rejects a value the API cannot carry before sending anything', async () => {
    const h = await harness();
    const zone = await h.provider.findZone(CHALLENGE);
    const before = h.emulator.server.requests.length;
    await expect(h.provider.appendTxt(zone, CHALLENGE, 'a "quoted" value')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(h.provider.appendTxt(zone, 'www.elsewhere.org', 'v')).rejects.toBeInstanceOf(InvalidInputError);
    expect(h.emulator.server.requests.length).toBe(before);
  });
});

describe('xsserver errors', () => {
  it('wrong credentials: AuthenticationError (401) with what to check, not retried', async () => {
    const h = await harness({}, { env: { XSSERVER_PASSWORD: 'wrong-password-x1' } });
    const error = await failure(h.provider.findZone(CHALLENGE));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.exitCode).toBe(4);
    expect(error.message).toBe('xsserver domainByName: the username or password was refused (HTTP 200: Invalid username or password)');
    expect(error.hint).toMatch(/XSSERVER_USERNAME .* XSSERVER_PASSWORD/);
    expect(h.emulator.server.requests).toHaveLength(1);
  });

  it('credentials changed mid-run (password reset): 401 on the record list', async () => {
    const h = await harness();
    const zone = await h.provider.findZone(CHALLENGE);
    h.emulator.setCredentials({ ...CREDENTIALS, password: 'changed-elsewhere-7' });
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'v'));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/^xsserver listDnsRecords: the username or password was refused/);
  });

  it('blocked account or IP: 403 is an AuthenticationError that mentions the block', async () => {
    const h = await harness();
    h.emulator.block('Access denied: too many requests, try again later');
    const error = await failure(h.provider.findZone(CHALLENGE));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toBe('xsserver domainByName: access denied (HTTP 403: Access denied: too many requests, try again later)');
    expect(error.hint).toMatch(/blocked/);
  });

  it('a domain id that no longer exists: ZoneNotFoundError (404)', async () => {
    const h = await harness();
    const error = await failure(h.provider.listTxt({ name: ZONE, id: '9999' }, CHALLENGE));
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect(error.message).toBe('xsserver listDnsRecords: domain id 9999 does not exist in this account (HTTP 200: Domain not found)');
  });

  it('a request the API refuses as invalid (400): InvalidInputError with the API message', async () => {
    const h = await answering(mswHttp.post('*/api/domain/:id/dns', () => HttpResponse.json({ error: ['Invalid content'] }, { status: 400 })));
    const zone = await h.provider.findZone(CHALLENGE);
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'v'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('xsserver createDnsRecord: the request was refused as invalid (HTTP 400: Invalid content)');
    expect(h.txt(CHALLENGE)).toEqual([]);
  });

  it('any other error status: a non-transient ProviderApiError with the message', async () => {
    const h = await answering(mswHttp.get('*/api/domain/:id/dns', () => HttpResponse.json({ error: ['Locked by another operation'] }, { status: 409 })));
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
    const h = await answering(mswHttp.get('*/api/domain/:id/dns', () => HttpResponse.json(body)));
    const zone = await h.provider.findZone(CHALLENGE);
    const error = await failure(h.provider.listTxt(zone, CHALLENGE));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toMatch(pattern);
    expect(error.hint).toMatch(/API may have changed/);
  });

  it('a body that is not JSON is a clear ProviderApiError', async () => {
    const h = await harness();
    h.emulator.server.inject({ fault: { kind: 'malformed' }, match: (r) => r.url.startsWith('/api/domain/name/') });
    const error = await failure(h.provider.findZone(CHALLENGE));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toBe('xsserver domainByName: answered with a body that is not JSON (HTTP 200)');
  });

  it('a create that answers success but stores nothing is reported, not silently accepted', async () => {
    const h = await harness();
    const zone = await h.provider.findZone(CHALLENGE);
    h.emulator.dropNextCreate();
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'lost-value'));
    expect(error.message).toBe(`xsserver createDnsRecord: reported success but TXT ${CHALLENGE} "lost-value" is not in the record list`);
  });
});

describe('xsserver retries', () => {
  it('retries a list on 5xx and after a hang', async () => {
    const h = await harness();
    const zone = await h.provider.findZone(CHALLENGE);
    h.emulator.server.inject({ fault: { kind: 'status', status: 503 }, times: 2, match: (r) => r.method === 'GET' });
    h.emulator.server.inject({ fault: { kind: 'hang' }, times: 1, match: (r) => r.method === 'GET' });
    expect(await h.provider.listTxt(zone, CHALLENGE)).toEqual([]);
    expect(dnsRequests(h.emulator.server, 'GET')).toHaveLength(4);
  });

  it('waits out a rate limit (429 with Retry-After)', async () => {
    const h = await harness();
    h.emulator.rateLimit(2, 0);
    expect((await h.provider.findZone(CHALLENGE)).name).toBe(ZONE);
    // two 429s, then the _acme-challenge candidate (404) and the zone
    expect(h.emulator.server.requests.map((r) => r.url)).toEqual([
      `/api/domain/name/${CHALLENGE}`,
      `/api/domain/name/${CHALLENGE}`,
      `/api/domain/name/${CHALLENGE}`,
      `/api/domain/name/${ZONE}`,
    ]);
  });

  it('a rate limit that does not end is a transient ProviderApiError', async () => {
    const h = await harness();
    h.emulator.rateLimit(100, 0);
    const error = await failure(h.provider.findZone(CHALLENGE));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).transient).toBe(true);
    expect(error.message).toBe('xsserver domainByName: rate limited by the provider (HTTP 429)');
  });

  it('a create that fails with 5xx is re-listed and sent again only when it did not land', async () => {
    const h = await harness();
    const zone = await h.provider.findZone(CHALLENGE);
    h.emulator.server.inject({ fault: { kind: 'status', status: 502 }, match: (r) => r.method === 'POST' });
    await h.provider.appendTxt(zone, CHALLENGE, 'after-502');
    expect(h.txt(CHALLENGE)).toEqual(['after-502']);
    expect(dnsRequests(h.emulator.server, 'POST')).toHaveLength(2);
  });

  it('a create that keeps failing ends in a transient error and leaves nothing', async () => {
    const h = await harness();
    const zone = await h.provider.findZone(CHALLENGE);
    h.emulator.server.inject({ fault: { kind: 'status', status: 500 }, times: 5, match: (r) => r.method === 'POST' });
    const error = await failure(h.provider.appendTxt(zone, CHALLENGE, 'never'));
    expect((error as ProviderApiError).transient).toBe(true);
    expect(h.txt(CHALLENGE)).toEqual([]);
  });

  it('a delete that fails (5xx, 429, hang) is re-listed before it is sent again, and deletes exactly one record', async () => {
    for (const fault of [{ kind: 'status', status: 503 }, { kind: 'status', status: 429 }, { kind: 'hang' }] as const) {
      const h = await harness();
      const zone = await h.provider.findZone(CHALLENGE);
      await h.provider.appendTxt(zone, CHALLENGE, 'keep-me');
      await h.provider.appendTxt(zone, CHALLENGE, 'delete-me');
      const before = snapshot(h.store);
      h.emulator.server.inject({ fault, match: (r) => r.method === 'DELETE' });
      const lists = dnsRequests(h.emulator.server, 'GET').length;
      expect(await h.provider.deleteTxt(zone, CHALLENGE, 'delete-me')).toBe('deleted');
      expect(snapshot(h.store)).toEqual(before.filter((r) => !r.endsWith('delete-me')));
      expect(dnsRequests(h.emulator.server, 'DELETE')).toHaveLength(2);
      // list before, list after the failure, re-list before the second delete, list after it (which finds no more)
      expect(dnsRequests(h.emulator.server, 'GET').length - lists).toBe(4);
    }
  });
});

describe("xsserver: positions that shift under another client (the document's numbering)", () => {
  it('deletes the right record after another client removed one before it (positions shifted since the append)', async () => {
    const h = await harness({ reading: POSITIONS_FROM_1 });
    const zone = await h.provider.findZone(CHALLENGE);
    h.store.add(ZONE, { name: `a.${ZONE}`, type: 'TXT', data: 'foreign-1' });
    await h.provider.appendTxt(zone, CHALLENGE, 'ours');
    const [idAfterAppend] = (await h.provider.listTxt(zone, CHALLENGE)).map((r) => Number(r.id));
    h.store.remove(
      ZONE,
      h.store.records(ZONE, { name: `a.${ZONE}` }).map((r) => r.id),
    );
    const before = snapshot(h.store);
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'ours')).toBe('deleted');
    expect(snapshot(h.store)).toEqual(before.filter((r) => r !== `TXT ${CHALLENGE} ours`));
    expect(dnsRequests(h.emulator.server, 'DELETE').map((r) => Number(r.url.split('/').pop()))).toEqual([idAfterAppend! - 1]);
  });

  it.each(['http-status', 'http-200'] as const)(
    'another client deletes a record between our list and our delete: our stale number points past the end and is refused; nothing wrong is deleted (errors: %s)',
    async (errors) => {
      const h = await harness({ readings: { ...POSITIONS_FROM_1.readings, errors } });
      const zone = await h.provider.findZone(CHALLENGE);
      h.store.add(ZONE, { name: `a.${ZONE}`, type: 'TXT', data: 'foreign-1' });
      await h.provider.appendTxt(zone, CHALLENGE, 'ours-last');
      h.emulator.beforeNext('delete', () => {
        h.store.remove(
          ZONE,
          h.store.records(ZONE, { name: `a.${ZONE}` }).map((r) => r.id),
        );
      });
      const expected = snapshot(h.store).filter((r) => r !== `TXT a.${ZONE} foreign-1` && r !== `TXT ${CHALLENGE} ours-last`);
      expect(await h.provider.deleteTxt(zone, CHALLENGE, 'ours-last')).toBe('deleted');
      expect(snapshot(h.store)).toEqual(expected);
      expect(dnsRequests(h.emulator.server, 'DELETE')).toHaveLength(2);
    },
  );

  it('another client deletes a record between our list and our delete so our number hits a foreign record: a loud error naming both, no further deletes', async () => {
    const h = await harness({ readings: { listShape: 'array', ids: 'one-based', deletes: 'slot0' } });
    const zone = await h.provider.findZone(CHALLENGE);
    // A first value proves the reading (the position from 0).
    await h.provider.appendTxt(zone, CHALLENGE, 'first');
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'first')).toBe('deleted');
    h.store.add(ZONE, { name: `a.${ZONE}`, type: 'TXT', data: 'foreign-1' });
    await h.provider.appendTxt(zone, CHALLENGE, 'ours');
    h.store.add(ZONE, { name: `z.${ZONE}`, type: 'TXT', data: 'foreign-after' });
    h.emulator.beforeNext('delete', () => {
      h.store.remove(
        ZONE,
        h.store.records(ZONE, { name: `a.${ZONE}` }).map((r) => r.id),
      );
    });
    const error = await failure(h.provider.deleteTxt(zone, CHALLENGE, 'ours'));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toMatch(
      /^xsserver deleteDnsRecord: DELETE \d+ removed TXT a\.example\.com "foreign-1", TXT z\.example\.com "foreign-after" from example\.com, which no reading of DELETE's number predicted; left behind: TXT _acme-challenge\.example\.com "ours"$/,
    );
    expect(error.hint).toMatch(/No further deletes are sent to this zone/);
    expect(h.txt(CHALLENGE)).toEqual(['ours']);
    const deletes = dnsRequests(h.emulator.server, 'DELETE').length;
    await expect(h.provider.deleteTxt(zone, CHALLENGE, 'ours')).rejects.toBe(error);
    expect(dnsRequests(h.emulator.server, 'DELETE')).toHaveLength(deletes);
  });
});

describe('xsserver: other clients and copies', () => {
  it('a record another client deletes just before our delete counts as gone', async () => {
    const h = await harness();
    const zone = await h.provider.findZone(CHALLENGE);
    await h.provider.appendTxt(zone, CHALLENGE, 'raced');
    h.emulator.beforeNext('delete', () => {
      h.store.remove(
        ZONE,
        h.store.records(ZONE, { name: CHALLENGE }).map((r) => r.id),
      );
    });
    const before = snapshot(h.store).filter((r) => !r.endsWith('raced'));
    expect(await h.provider.deleteTxt(zone, CHALLENGE, 'raced')).toBe('absent');
    expect(snapshot(h.store)).toEqual(before);
  });

  it.each([{ label: 'recorded', readings: {} }, POSITIONS_FROM_1])(
    'copies of the value (made by another tool) are all removed, one checked DELETE at a time ($label)',
    async ({ readings }) => {
      const h = await harness({ readings });
      const zone = await h.provider.findZone(CHALLENGE);
      h.store.add(ZONE, { name: CHALLENGE, type: 'TXT', data: 'dup' });
      h.store.add(ZONE, { name: `x.${ZONE}`, type: 'A', data: '192.0.2.1' });
      h.store.add(ZONE, { name: CHALLENGE, type: 'TXT', data: 'dup' });
      h.store.add(ZONE, { name: `y.${ZONE}`, type: 'TXT', data: 'dup' });
      expect(await h.provider.deleteTxt(zone, CHALLENGE, 'dup')).toBe('deleted');
      expect(h.txt(CHALLENGE)).toEqual([]);
      expect(h.txt(`y.${ZONE}`)).toEqual(['dup']);
      expect(h.store.records(ZONE, { name: `x.${ZONE}` })).toHaveLength(1);
    },
  );

  it('20 concurrent appends and deletes on two names with foreign records interleaved keep every foreign record', async () => {
    for (const reading of [{ label: 'recorded', readings: {} }, POSITIONS_FROM_1]) {
      const h = await harness({ reading });
      const zone = await h.provider.findZone(CHALLENGE);
      const wild = `_acme-challenge.www.${ZONE}`;
      for (let i = 0; i < 5; i++) h.store.add(ZONE, { name: `f${i}.${ZONE}`, type: 'TXT', data: `foreign-${i}` });
      const before = snapshot(h.store);
      const jobs = Array.from({ length: 20 }, (_, i) => ({ name: i % 2 ? wild : CHALLENGE, value: `v-${i}` }));
      await Promise.all(jobs.map((j) => h.provider.appendTxt(zone, j.name, j.value)));
      expect(h.txt(CHALLENGE).length + h.txt(wild).length).toBe(20);
      const outcomes = await Promise.all(jobs.reverse().map((j) => h.provider.deleteTxt(zone, j.name, j.value)));
      expect(outcomes.every((o) => o === 'deleted')).toBe(true);
      expect(snapshot(h.store)).toEqual(before);
    }
  });
});

describe('xsserver secrets', () => {
  afterEach(() => clearSecrets());

  it('never show the password or the Basic token, at debug level and on failures, for programmatic use', async () => {
    const good = await harness();
    const bad = await harness();
    // The rigs' sessions read the password from their settings, which registers it; the providers here are built
    // from literal configs, so create() must register it itself.
    clearSecrets();
    const wrong = 'wrong-Pa55/word+x';
    const outputs: string[] = [];
    const logger = createLogger({ level: 'debug', write: (l) => outputs.push(l) });
    const jsonLogger = createLogger({ level: 'debug', format: 'json', write: (l) => outputs.push(l) });

    const goodProvider = xsserver.create({ ...CREDENTIALS, endpoint: good.env.XSSERVER_ENDPOINT! }, { logger, http: FAST_RETRY_HTTP });
    const zone = await goodProvider.findZone(CHALLENGE);
    good.emulator.server.inject({ fault: { kind: 'status', status: 503 }, match: (r) => r.method === 'GET' });
    good.emulator.server.inject({ fault: { kind: 'hang' }, match: (r) => r.method === 'POST' });
    await goodProvider.appendTxt(zone, CHALLENGE, 'secret-test');
    good.emulator.server.inject({ fault: { kind: 'status', status: 500 }, times: 10 });
    outputs.push(describeError(await failure(goodProvider.deleteTxt(zone, CHALLENGE, 'secret-test'))));

    const badProvider = xsserver.create(
      { ...CREDENTIALS, password: wrong, endpoint: bad.env.XSSERVER_ENDPOINT! },
      { logger: jsonLogger, http: FAST_RETRY_HTTP },
    );
    const error = await failure(badProvider.findZone(CHALLENGE));
    outputs.push(error.oneLine, describeError(error), String(error.stack));
    bad.emulator.block();
    outputs.push((await failure(badProvider.listTxt({ name: ZONE, id: '47' }, CHALLENGE))).oneLine);
    await Promise.all([goodProvider.close(), badProvider.close()]);

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
    for (const r of [...good.emulator.server.requests, ...bad.emulator.server.requests]) {
      expect(`${r.url} ${r.body}`).not.toContain(CREDENTIALS.password);
      expect(`${r.url} ${r.body}`).not.toContain(wrong);
    }
  });
});

describe('xsserver emulator', () => {
  let emulator: Awaited<ReturnType<typeof startXsserverEmulator>>;
  /** ZONE with one nameserver, for the emulator alone. */
  const newStore = () => {
    const store = new ZoneStore();
    store.addZone({ name: ZONE, nameservers: [{ name: 'ns1.dns01-test.net', addresses: ['127.0.0.1'] }] });
    return store;
  };
  afterEach(async () => {
    expect(emulator.losses()).toEqual([]);
    await emulator.close();
  });

  const call = (path: string, init: RequestInit & { auth?: boolean } = {}) => {
    const headers = new Headers(init.headers);
    if (init.auth !== false) headers.set('authorization', `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`);
    return fetch(`${emulator.endpoint}${path}`, { ...init, headers });
  };
  const dns = (suffix = '') => `/domain/${emulator.domainId(ZONE)}/dns${suffix}`;
  const post = (body: unknown, contentType = 'application/json') =>
    call(dns(), { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  type Listed = { id: string; name: string; type: string; content: unknown };
  const list = async () => ((await (await call(dns())).json()) as { records: Record<string, Listed> | Listed[] }).records;

  it('answers as HostBill was recorded: HTTP 200 refusals with success false, the create reply without id, form and JSON bodies, ttl accepted', async () => {
    emulator = await startXsserverEmulator({ store: newStore(), zones: [ZONE], credentials: CREDENTIALS });
    const ok = { name: '_acme-challenge', type: 'TXT', content: 'v', ttl: 3600 };
    const refused = async (res: Response) => ({ status: res.status, body: (await res.json()) as { success?: boolean } });
    expect(await refused(await call('/domain', { auth: false }))).toEqual({ status: 200, body: { success: false, error: ['Authorization required'] } });
    expect((await refused(await call('/domain?username=x'))).body.success).toBe(false);
    expect(await refused(await post('{"name": '))).toEqual({ status: 200, body: { success: false, error: ['Invalid JSON'] } });
    expect((await refused(await post({ name: 'x', type: 'TXT' }))).body).toEqual({ success: false, error: ['Missing field: content'] });
    expect((await refused(await post({ ...ok, type: 'BOGUS' }))).body.success).toBe(false);
    expect((await refused(await post({ ...ok, name: 'www.elsewhere.org.' }))).body.success).toBe(false);
    expect((await refused(await call(dns(), { method: 'PATCH' }))).body).toEqual({ success: false, error: ['invalid method'] });
    expect((await refused(await call(dns('/999'), { method: 'DELETE' }))).body).toEqual({
      success: false,
      error: ['An error occurred while deleting the DNS record'],
    });
    expect((await refused(await call('/domain/name/nothing.example'))).body).toEqual({ success: false, error: ['Domain not found'] });
    expect(await (await post(ok)).json()).toEqual({
      success: true,
      record: { name: '_acme-challenge', type: 'TXT', ttl: 3600, priority: 0, content: 'v' },
      info: [['dnsnewrecordadded', 'TXT']],
    });
    expect((await post('name=form&type=TXT&content=w&priority=0', 'application/x-www-form-urlencoded')).status).toBe(200);
    const records = Object.values(await list());
    expect(records.map((r) => [r.type, r.name, r.content])).toEqual([
      ['SOA', ZONE, [`ns1.${ZONE}`, `hostmaster.${ZONE}`, '2023041401', '10800', '3600', '1814400', '7200']],
      ['NS', ZONE, 'ns1.dns01-test.net'],
      ['TXT', CHALLENGE, '"v"'],
      ['TXT', `form.${ZONE}`, '"w"'],
    ]);
    expect(records[2]).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      ttl: '3600',
      priority: '0',
      prio: '0',
      change_date: '0',
      domain_id: emulator.domainId(ZONE),
    });
  });

  it('a keyed list keeps its keys after a delete, leaves a gap, gives a new record the key above the highest; DELETE takes the listed id', async () => {
    const store = newStore();
    emulator = await startXsserverEmulator({ store, zones: [ZONE], credentials: CREDENTIALS });
    for (const v of ['one', 'two', 'three']) store.add(ZONE, { name: `t.${ZONE}`, type: 'TXT', data: v });
    const keyed = async () => Object.entries((await list()) as Record<string, Listed>).map(([key, r]) => `${key}:${String(r.content)}`);
    // slot 0 the SOA, slot 1 an entry the API does not list, then NS and the three.
    expect(await keyed()).toEqual([
      `0:ns1.${ZONE},hostmaster.${ZONE},2023041401,10800,3600,1814400,7200`,
      '2:ns1.dns01-test.net',
      '3:"one"',
      '4:"two"',
      '5:"three"',
    ]);
    const two = ((await list()) as Record<string, Listed>)['4']!.id;
    expect((await call(dns(`/${two}`), { method: 'DELETE' })).status).toBe(200);
    expect((await keyed()).slice(2)).toEqual(['3:"one"', '5:"three"']);
    store.remove(
      ZONE,
      store
        .records(ZONE, { name: `t.${ZONE}` })
        .filter((r) => r.data === 'three')
        .map((r) => r.id),
    );
    store.add(ZONE, { name: `t.${ZONE}`, type: 'TXT', data: 'four' });
    expect((await keyed()).slice(2)).toEqual(['3:"one"', '4:"four"']);
  });

  it('an array closes up after a delete; ids are the positions from 1; DELETE takes the position from 1; an edit keeps its place', async () => {
    const store = newStore();
    emulator = await startXsserverEmulator({ store, zones: [ZONE], credentials: CREDENTIALS, readings: POSITIONS_FROM_1.readings, soa: false });
    for (const v of ['one', 'two', 'three']) store.add(ZONE, { name: `t.${ZONE}`, type: 'TXT', data: v });
    const shown = async () => ((await list()) as Listed[]).slice(1).map((r) => `${r.id}:${String(r.content)}`);
    expect(await shown()).toEqual(['2:"one"', '3:"two"', '4:"three"']);
    expect((await call(dns('/3'), { method: 'DELETE' })).status).toBe(200);
    expect(await shown()).toEqual(['2:"one"', '3:"three"']);
    const put = await call(dns('/2'), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 't', type: 'TXT', priority: '0', content: 'edited' }),
    });
    expect(put.status).toBe(200);
    expect(await shown()).toEqual(['2:"edited"', '3:"three"']);
  });

  it('a DELETE that hits the SOA or an entry the list does not show is carried out and remembered as a loss', async () => {
    emulator = await startXsserverEmulator({ store: newStore(), zones: [ZONE], credentials: CREDENTIALS, readings: { ids: 'zero-based', deletes: 'slot0' } });
    expect(Object.keys(await list())).toEqual(['0', '2']);
    expect((await call(dns('/1'), { method: 'DELETE' })).status).toBe(200);
    expect((await call(dns('/0'), { method: 'DELETE' })).status).toBe(200);
    expect(emulator.losses()).toEqual([`an unlisted entry of ${ZONE} in slot 1 (DELETE 1)`, `the SOA of ${ZONE} in slot 0 (DELETE 0)`]);
    await emulator.close();
    // The losses were the point: the next check is against an emulator that has none.
    emulator = await startXsserverEmulator({ store: newStore(), zones: [ZONE], credentials: CREDENTIALS });
  });
});
