import { afterEach, describe, expect, it } from 'vitest';
import { http as mswHttp } from 'msw';
import { MRDOMAIN_READINGS, providerRig, type ApexHint, type EmulatorOptionsOf, type ProviderRig } from '@dns01/testkit';
import { AuthenticationError, ConfigError, createRecords, present, cleanup, deleteRecords, ZoneNotFoundError } from '../../src/internal.js';
import { mrdomain } from '../../src/providers/mrdomain/index.js';
import { describeProviderConformance } from '../conformance.js';

const ZONE = 'example.com';
/** A password with characters that change under URL, form and JSON encoding. */
const CREDENTIALS = { apiUser: 'md-user-4711', apiPassword: 'md-Secret/P+ss&w=rd%"7' } as const;
const FOREIGN_RECORD = { name: '_acme-challenge.foreign.org', type: 'TXT', data: 'not-in-the-account' } as const;
type Rig = ProviderRig<'mrdomain'>;
/** The account holds ZONE and example.net; foreign.org is served by DNS, not in the account. */
const rig = ({ apex = 'store', ...emulator }: EmulatorOptionsOf['mrdomain'] & { apex?: ApexHint } = {}): Promise<Rig> =>
  providerRig('mrdomain', {
    zones: [ZONE, 'example.net'],
    foreignZones: ['foreign.org'],
    records: [FOREIGN_RECORD],
    emulator: { credentials: CREDENTIALS, ...emulator },
    apex,
  });
/** Requests the emulator saw for one action path (`service/dnslist`). */
const requestsTo = (r: Rig, action: string) => r.emulator.server.requests.filter((q) => q.url.startsWith(`/${action}/`)).length;

function conformance(label: string, options: Parameters<typeof rig>[0]): void {
  describeProviderConformance(label, async () => {
    const h = await rig(options);
    return {
      provider: h.provider,
      store: h.store,
      zone: ZONE,
      close: async () => {
        expect(h.emulator.forbiddenCalls).toEqual([]);
        await h.close();
      },
    };
  });
}

conformance('mrdomain', {});
conformance('mrdomain (TXT values unquoted, no DNS apex hint)', { quoteTxt: false, apex: 'none' });
conformance('mrdomain (two-record pages)', { maxPageLength: 2 });
for (const reading of MRDOMAIN_READINGS) {
  conformance(`mrdomain (reading: ${reading.label})`, { readings: reading.readings });
  conformance(`mrdomain (reading: ${reading.label}; two-record pages)`, { readings: reading.readings, maxPageLength: 2 });
}

describe('mrdomain: readings of the document', () => {
  let h: Rig | undefined;
  afterEach(async () => {
    expect(h?.emulator.forbiddenCalls ?? []).toEqual([]);
    await h?.close();
    h = undefined;
  });
  const NAME = `_acme-challenge.${ZONE}`;

  it('total counting the whole zone (total 20, 3 results): one dnslist call, not one per "missing" page', async () => {
    h = await rig({ readings: { total: 'zone' } });
    for (let i = 0; i < 17; i++) h.store.add(ZONE, { name: `host${i}.${ZONE}`, type: 'A', data: `192.0.2.${i + 1}` });
    const zone = await h.provider.findZone(NAME);
    await h.provider.appendTxt(zone, NAME, 'one');
    const lists = requestsTo(h, 'service/dnslist');
    expect((await h.provider.listTxt(zone, NAME)).map((r) => r.value)).toEqual(['one']);
    expect(requestsTo(h, 'service/dnslist') - lists).toBe(1);
  });

  it('pages: stops at the first short page, reads every full one, whatever total says', async () => {
    h = await rig({ readings: { total: 'zone' }, maxPageLength: 2 });
    const zone = await h.provider.findZone(NAME);
    for (const v of ['p1', 'p2', 'p3', 'p4', 'p5']) h.store.add(ZONE, { name: NAME, type: 'TXT', data: v });
    const lists = requestsTo(h, 'service/dnslist');
    expect((await h.provider.listTxt(zone, NAME)).map((r) => r.value).sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(requestsTo(h, 'service/dnslist') - lists).toBe(3);
  });

  it('pages: a server that ignores `page` (the same entries again) ends the walk; entries are de-duplicated by entityID', async () => {
    h = await rig({ maxPageLength: 2 });
    const { backend } = h.emulator;
    h.emulator.server.use(
      mswHttp.post('*/service/dnslist/', async ({ request }) => {
        const body = new URLSearchParams(await request.text());
        body.set('page', '1');
        return backend.respond(new Request(request.url, { method: 'POST', headers: request.headers, body: body.toString() }));
      }),
    );
    const zone = await h.provider.findZone(NAME);
    for (const v of ['d1', 'd2', 'd3']) h.store.add(ZONE, { name: NAME, type: 'TXT', data: v });
    const lists = requestsTo(h, 'service/dnslist');
    const listed = await h.provider.listTxt(zone, NAME);
    expect(listed.map((r) => r.value)).toEqual(['d1', 'd2']);
    expect(new Set(listed.map((r) => r.id)).size).toBe(2);
    expect(requestsTo(h, 'service/dnslist') - lists).toBe(2);
  });

  for (const filter of ['exact', 'relative', 'substring'] as const) {
    it(`filter matching the ${filter} name: one TXT list (no name filter) finds the record; nothing live is reported gone`, async () => {
      h = await rig({ readings: { filter } });
      const deep = `_acme-challenge.www.${ZONE}`;
      const zone = await h.provider.findZone(deep);
      h.store.add(ZONE, { name: deep, type: 'TXT', data: 'ours' });
      h.store.add(ZONE, { name: NAME, type: 'TXT', data: 'ours' });
      h.store.add(ZONE, { name: `x${NAME}`, type: 'TXT', data: 'ours' });
      const lists = requestsTo(h, 'service/dnslist');
      expect(await h.provider.deleteTxt(zone, deep, 'ours')).toBe('deleted');
      expect(requestsTo(h, 'service/dnslist') - lists).toBe(1);
      expect(h.txt(deep)).toEqual([]);
      expect(h.txt(NAME)).toEqual(['ours']);
      expect(h.txt(`x${NAME}`)).toEqual(['ours']);
      await h.provider.appendTxt(zone, NAME, 'ours');
      expect(h.txt(NAME)).toEqual(['ours']);
    });
  }

  for (const code of [4001, 2001, 105] as const) {
    it(`names that are no service answering ${code}: "not this name", the walk goes on; \`_\` names are never asked`, async () => {
      h = await rig({ readings: { unknownService: code }, apex: 'none' });
      expect((await h.provider.findZone(`_acme-challenge.a.${ZONE}`)).name).toBe(ZONE);
      const asked = h.emulator.calls.filter((c) => c.action === 'service/getinfo').map((c) => c.params.serviceName);
      expect(asked).toEqual([`a.${ZONE}`, ZONE]);
      await expect(h.provider.findZone('_acme-challenge.foreign.org')).rejects.toBeInstanceOf(ZoneNotFoundError);
    });
  }

  it('a service that is not active: a clear error naming the status, before any write', async () => {
    h = await rig({ serviceStatus: { [ZONE]: 'inactive' } });
    const error = await h.provider.findZone(NAME).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect((error as ZoneNotFoundError).message).toBe('MrDomain: the service example.com is not active (status "inactive"); its DNS cannot be changed');
    expect(h.emulator.callCount('service/dnscreate')).toBe(0);
  });

  it('dnscreate answering without the entry: accepted once a list shows the record', async () => {
    h = await rig({ readings: { createReply: 'empty' } });
    const zone = await h.provider.findZone(NAME);
    await h.provider.appendTxt(zone, NAME, 'no-entry');
    expect(h.txt(NAME)).toEqual(['no-entry']);
    expect(await h.provider.deleteTxt(zone, NAME, 'no-entry')).toBe('deleted');
  });
});

describe('mrdomain: settings', () => {
  it('reads the variables, with the default endpoint', () => {
    const config = mrdomain.readConfig({ MRDOMAIN_API_USER: 'settings-user', MRDOMAIN_API_PASSWORD: 'settings-password-1' });
    expect(config).toEqual({
      apiUser: 'settings-user',
      apiPassword: 'settings-password-1',
      endpoint: 'https://simple-api.dondominio.net',
    });
    expect(mrdomain.settings.apiPassword!.secret).toBe(true);
    expect(mrdomain.propagation).toMatchObject({ timeout: 900, interval: 5 });
  });

  it('names the missing variable; a malformed endpoint (not secret) is echoed, a secret never', () => {
    expect(() => mrdomain.readConfig({ MRDOMAIN_API_USER: 'settings-user' })).toThrow(/MRDOMAIN_API_PASSWORD is not set/);
    const bad = { MRDOMAIN_API_USER: 'settings-user', MRDOMAIN_API_PASSWORD: 'settings-password-2', MRDOMAIN_ENDPOINT: 'ftp://x' };
    expect(() => mrdomain.readConfig(bad)).toThrow(ConfigError);
    expect(() => mrdomain.readConfig(bad)).toThrow(/^MRDOMAIN_ENDPOINT is malformed: must be an http\(s\) URL \(read "ftp:\/\/x"\)$/);
    expect(() => mrdomain.readConfig({ ...bad, MRDOMAIN_ENDPOINT: undefined, MRDOMAIN_API_PASSWORD: ' ' })).toThrow(
      /^MRDOMAIN_API_PASSWORD is malformed: must not be empty$/,
    );
  });

  it('MRDOMAIN_ENDPOINT overrides the base URL and a trailing slash is dropped', () => {
    const config = mrdomain.readConfig({
      MRDOMAIN_API_USER: 'settings-user',
      MRDOMAIN_API_PASSWORD: 'settings-password-3',
      MRDOMAIN_ENDPOINT: 'http://127.0.0.1:9/',
    });
    expect(config.endpoint).toBe('http://127.0.0.1:9');
  });
});

describe('mrdomain: wire format', () => {
  let h: Rig;
  afterEach(async () => {
    expect(h.emulator.forbiddenCalls).toEqual([]);
    await h.close();
  });

  it('POSTs form-encoded to <endpoint>/<module>/<action>/ with the credentials in the body only', async () => {
    h = await rig();
    const name = `_acme-challenge.${ZONE}`;
    const zone = await h.provider.findZone(name);
    await h.provider.appendTxt(zone, name, 'wire-value');
    expect(await h.provider.deleteTxt(zone, name, 'wire-value')).toBe('deleted');
    expect(h.emulator.server.requests.map((r) => r.url)).toEqual([
      '/service/getinfo/',
      '/service/dnslist/',
      '/service/dnscreate/',
      '/service/dnslist/',
      '/service/dnsdelete/',
    ]);
    for (const r of h.emulator.server.requests) {
      expect(r.method).toBe('POST');
      expect(r.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      const body = new URLSearchParams(r.body);
      expect(body.get('apiuser')).toBe(CREDENTIALS.apiUser);
      expect(body.get('apipasswd')).toBe(CREDENTIALS.apiPassword);
      expect(r.url).not.toContain('api');
    }
    const [, list, create, , del] = h.emulator.server.requests.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
    // Narrowed by type only: what `filter` matches is not documented; names are compared exactly here.
    expect(list).toMatchObject({ serviceName: ZONE, filterType: 'TXT' });
    expect(list!.filter).toBeUndefined();
    expect(create).toMatchObject({ serviceName: ZONE, name, type: 'TXT', value: 'wire-value' });
    expect(create!.ttl).toBeUndefined();
    expect(del).toMatchObject({ serviceName: ZONE });
    expect(del!.entityID).toMatch(/^SRV\d+-\d+$/);
  });

  it('reads TXT values quoted by the API and stores them unquoted', async () => {
    h = await rig({ quoteTxt: true });
    const name = `_acme-challenge.${ZONE}`;
    h.store.add(ZONE, { name, type: 'TXT', data: 'already-there' });
    const zone = await h.provider.findZone(name);
    await h.provider.appendTxt(zone, name, 'already-there');
    expect(h.emulator.callCount('service/dnscreate')).toBe(0);
    expect(h.txt(name)).toEqual(['already-there']);
    expect((await h.provider.listTxt(zone, name)).map((r) => r.value)).toEqual(['already-there']);
  });

  it('keeps only exact names from the server-side filter (a search, not a match)', async () => {
    h = await rig();
    const name = `_acme-challenge.${ZONE}`;
    h.store.add(ZONE, { name: `x.${name}`, type: 'TXT', data: 'same-value' });
    const zone = await h.provider.findZone(name);
    expect(await h.provider.listTxt(zone, name)).toEqual([]);
    expect(await h.provider.deleteTxt(zone, name, 'same-value')).toBe('absent');
    expect(h.txt(`x.${name}`)).toEqual(['same-value']);
  });

  it('lists the services of the account as zones', async () => {
    h = await rig();
    expect(await h.provider.listZones!()).toEqual(['example.com', 'example.net']);
  });

  it('refuses a name outside the zone without calling the API', async () => {
    h = await rig();
    const zone = await h.provider.findZone(`_acme-challenge.${ZONE}`);
    const before = h.emulator.server.requests.length;
    await expect(h.provider.appendTxt(zone, '_acme-challenge.example.org', 'v')).rejects.toThrow(/not inside the MrDomain zone/);
    expect(h.emulator.server.requests.length).toBe(before);
  });
});

describe('mrdomain: minimal API calls (MrDomain blocks mass requests)', () => {
  let h: Rig;
  afterEach(async () => {
    expect(h.emulator.forbiddenCalls).toEqual([]);
    await h.close();
  });

  it('present and cleanup in separate processes stay within 6 calls; the budget is never hit', async () => {
    h = await rig({ requestBudget: 6 });
    const challenge = { domain: `*.${ZONE}`, value: 'budget-value' };
    await present(h.open().flow(), [challenge], { wait: false });
    expect(h.txt(`_acme-challenge.${ZONE}`)).toEqual(['budget-value']);
    await cleanup(h.open().flow(), [challenge]);
    expect(h.txt(`_acme-challenge.${ZONE}`)).toEqual([]);
    expect(h.emulator.callCount()).toBe(6);
    expect(h.emulator.callCount('service/getinfo')).toBe(2);
    expect(h.emulator.callCount('service/dnslist')).toBe(2);
    expect(h.emulator.callCount('service/dnscreate')).toBe(1);
    expect(h.emulator.callCount('service/dnsdelete')).toBe(1);
  });

  it('one process: apex + wildcard values, placed and removed, in 9 calls (zone confirmed once)', async () => {
    h = await rig({ requestBudget: 9 });
    const ctx = h.session.flow();
    const placed = await createRecords(ctx, [
      { domain: ZONE, value: 'apex-value' },
      { domain: `*.${ZONE}`, value: 'wildcard-value' },
    ]);
    expect(h.txt(`_acme-challenge.${ZONE}`)).toEqual(['apex-value', 'wildcard-value']);
    await deleteRecords(ctx, placed);
    expect(h.txt(`_acme-challenge.${ZONE}`)).toEqual([]);
    expect(h.emulator.callCount('service/getinfo')).toBe(1);
    expect(h.emulator.callCount()).toBe(9);
  });

  it('with the DNS apex hint a deep name costs one zone lookup; without it, one per parent name', async () => {
    h = await rig();
    await h.provider.findZone(`_acme-challenge.a.b.${ZONE}`);
    expect(h.emulator.callCount('service/getinfo')).toBe(1);
    await h.open({ apex: 'none' }).provider.findZone(`_acme-challenge.a.b.${ZONE}`);
    // a.b.example.com, b.example.com, example.com: `_acme-challenge...` is never asked.
    expect(h.emulator.callCount('service/getinfo')).toBe(1 + 3);
  });

  it('a spent budget is the documented "Account blocked" error, answered once and never retried', async () => {
    h = await rig({ requestBudget: 1 });
    const zone = await h.provider.findZone(`_acme-challenge.${ZONE}`);
    const before = h.emulator.server.requests.length;
    const error = await h.provider.listTxt(zone, `_acme-challenge.${ZONE}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toMatch(/blocked.*error 1010/);
    expect((error as AuthenticationError).hint).toMatch(/wait before trying again/);
    expect(h.emulator.server.requests.length).toBe(before + 1);
  });
});

describe('mrdomain: concurrency', () => {
  let h: Rig;
  afterEach(async () => {
    expect(h.emulator.forbiddenCalls).toEqual([]);
    await h.close();
  });

  it('20 concurrent appends of one value create one record; 20 concurrent deletes remove only it', async () => {
    h = await rig();
    const name = `_acme-challenge.${ZONE}`;
    h.store.add(ZONE, { name, type: 'TXT', data: 'foreign' });
    const zone = await h.provider.findZone(name);
    await Promise.all(Array.from({ length: 20 }, () => h.provider.appendTxt(zone, name, 'same')));
    expect(h.txt(name)).toEqual(['foreign', 'same']);
    expect(h.emulator.callCount('service/dnscreate')).toBe(1);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => h.provider.deleteTxt(zone, name, 'same')));
    expect(outcomes.filter((o) => o === 'deleted')).toHaveLength(1);
    expect(h.txt(name)).toEqual(['foreign']);
  });

  it('two processes appending and deleting on one name in two zones leave every foreign record', async () => {
    h = await rig();
    const names = [`_acme-challenge.${ZONE}`, '_acme-challenge.example.net'];
    for (const n of names) h.store.add(h.store.zoneFor(n)!, { name: n, type: 'TXT', data: 'foreign' });
    const a = h.open().provider;
    const b = h.open().provider;
    const work = (p: typeof a, tag: string) =>
      Promise.all(
        names.flatMap((n) =>
          Array.from({ length: 5 }, async (_, i) => {
            const zone = await p.findZone(n);
            await p.appendTxt(zone, n, `${tag}-${i}`);
          }),
        ),
      );
    await Promise.all([work(a, 'a'), work(b, 'b')]);
    for (const n of names) expect(h.txt(n)).toHaveLength(11);
    await Promise.all(
      names.flatMap((n) =>
        ['a', 'b'].flatMap((tag) =>
          Array.from({ length: 5 }, async (_, i) => {
            const p = tag === 'a' ? a : b;
            return p.deleteTxt(await p.findZone(n), n, `${tag}-${i}`);
          }),
        ),
      ),
    );
    for (const n of names) expect(h.txt(n)).toEqual(['foreign']);
  });

  it('a record deleted by someone else between list and delete counts as already gone (4002)', async () => {
    h = await rig();
    const name = `_acme-challenge.${ZONE}`;
    const zone = await h.provider.findZone(name);
    await h.provider.appendTxt(zone, name, 'racing');
    h.emulator.failNext(4002, { action: 'service/dnsdelete' });
    expect(await h.provider.deleteTxt(zone, name, 'racing')).toBe('absent');
  });
});
