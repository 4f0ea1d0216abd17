/**
 * The netcup emulator itself: strict where the real API is, so the provider
 * tests prove the client follows the document.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startNetcupEmulator, ZoneStore, type NetcupEmulator } from '@dns01/testkit';

const CUSTOMER = '40017';
const API_KEY = 'nc-apikey-Vq83mZk2';
const API_PASSWORD = 'nc-apipw-Rt51xLp9';
const ZONE = 'example.com';
const NAME = `_acme-challenge.${ZONE}`;

interface Reply {
  action: string;
  status: string;
  statuscode: number;
  shortmessage: string;
  longmessage: string;
  responsedata: unknown;
}

let store: ZoneStore;
let emulator: NetcupEmulator;
let now: number;

async function post(body: unknown, query = '?JSON', method = 'POST'): Promise<Response> {
  return fetch(`${emulator.endpoint}${query}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function call(action: string, param: Record<string, unknown>): Promise<Reply> {
  const res = await post({ action, param });
  expect(res.status).toBe(200);
  return (await res.json()) as Reply;
}

const account = { customernumber: CUSTOMER, apikey: API_KEY };

async function login(): Promise<string> {
  const reply = await call('login', { ...account, apipassword: API_PASSWORD });
  expect(reply.status).toBe('success');
  return (reply.responsedata as { apisessionid: string }).apisessionid;
}

beforeEach(async () => {
  now = Date.now();
  store = new ZoneStore();
  store.addZone({ name: ZONE, nameservers: [{ name: 'ns1.dns01-test.net', addresses: ['127.0.0.2'] }] });
  emulator = await startNetcupEmulator({
    store,
    zones: [ZONE],
    credentials: { customerNumber: CUSTOMER, apiKey: API_KEY, apiPassword: API_PASSWORD },
    now: () => now,
    requestsPerMinute: 10,
    lockoutMs: 60_000,
  });
});
afterEach(() => emulator.close());

describe('netcup emulator: transport', () => {
  it('answers compact JSON in the fixed key order, ids as strings, responsedata "" on errors', async () => {
    const res = await post({ action: 'login', param: { ...account, apipassword: 'nope' } });
    const text = await res.text();
    expect(text).not.toMatch(/\n|": /);
    expect(Object.keys(JSON.parse(text))).toEqual([
      'serverrequestid',
      'clientrequestid',
      'action',
      'status',
      'statuscode',
      'shortmessage',
      'longmessage',
      'responsedata',
    ]);
    expect(JSON.parse(text)).toMatchObject({ action: 'login', status: 'error', statuscode: 4013, responsedata: '' });
    const id = await login();
    store.add(ZONE, { name: NAME, type: 'TXT', data: 'x' });
    const records = await call('infoDnsRecords', { ...account, apisessionid: id, domainname: ZONE });
    expect((records.responsedata as { dnsrecords: { id: unknown }[] }).dnsrecords.every((r) => typeof r.id === 'string')).toBe(true);
  });

  it('rejects GET, the SOAP URI (no ?JSON) and bodies that are not JSON objects', async () => {
    expect((await post(undefined, '?JSON', 'GET')).status).toBe(405);
    expect((await post({ action: 'login', param: {} }, '')).status).toBe(400);
    expect(await (await post('action=login')).json()).toMatchObject({ status: 'error', statuscode: 4013 });
    expect(await (await post({ action: 'login' })).json()).toMatchObject({ status: 'error', statuscode: 4013 });
  });
});

describe('netcup emulator: sessions and limits', () => {
  it('needs a valid session for DNS actions; sessions expire after 15 minutes idle; logout ends one', async () => {
    expect((await call('infoDnsZone', { ...account, domainname: ZONE })).statuscode).toBe(4001);
    const id = await login();
    expect((await call('infoDnsZone', { ...account, apisessionid: id, domainname: ZONE })).status).toBe('success');
    now += 14 * 60_000;
    expect((await call('infoDnsZone', { ...account, apisessionid: id, domainname: ZONE })).status).toBe('success');
    now += 16 * 60_000;
    expect((await call('infoDnsZone', { ...account, apisessionid: id, domainname: ZONE })).statuscode).toBe(4001);
    const second = await login();
    expect((await call('logout', { ...account, apisessionid: second })).status).toBe('success');
    expect((await call('infoDnsZone', { ...account, apisessionid: second, domainname: ZONE })).statuscode).toBe(4001);
  });

  it('a session is bound to its API key', async () => {
    const id = await login();
    const reply = await call('infoDnsZone', { customernumber: CUSTOMER, apikey: 'another-key', apisessionid: id, domainname: ZONE });
    expect(reply).toMatchObject({ statuscode: 4013, longmessage: 'The given customer number or api key is invalid.' });
  });

  it('more requests per minute than allowed lock the account (4013) until the lockout ends', async () => {
    const id = await login();
    for (let i = 0; i < 9; i++) expect((await call('infoDnsZone', { ...account, apisessionid: id, domainname: ZONE })).status).toBe('success');
    const limited = await call('infoDnsZone', { ...account, apisessionid: id, domainname: ZONE });
    expect(limited).toMatchObject({ status: 'error', statuscode: 4013 });
    expect(limited.longmessage).toMatch(/More than 180 requests per minute/);
    now += 30_000;
    expect((await call('login', { ...account, apipassword: API_PASSWORD })).statuscode).toBe(4013);
    now += 61_000;
    expect((await call('infoDnsZone', { ...account, apisessionid: id, domainname: ZONE })).status).toBe('success');
  });
});

describe('netcup emulator: records', () => {
  let id: string;
  beforeEach(async () => {
    id = await login();
  });
  const update = (dnsrecords: unknown[]) => call('updateDnsRecords', { ...account, apisessionid: id, domainname: ZONE, dnsrecordset: { dnsrecords } });

  it('a zone without records answers infoDnsRecords with an error status (5029, in the words a user reported)', async () => {
    expect(await call('infoDnsRecords', { ...account, apisessionid: id, domainname: ZONE })).toMatchObject({
      action: 'infoDnsRecords',
      status: 'error',
      statuscode: 5029,
      longmessage: `Can not get DNS records for zone. The zone does not ${ZONE} contain any DNS records.`,
      responsedata: '',
    });
  });

  it("a name that is no registrable domain (deeper, an _ label, a trailing dot, upper case) is netcup's 4013 on domainname, refused before any action", async () => {
    for (const action of ['infoDnsZone', 'infoDnsRecords', 'updateDnsRecords']) {
      for (const domainname of [`www.${ZONE}`, `_acme-challenge.${ZONE}`, `${ZONE}.`, 'EXAMPLE.com']) {
        now += 7_000; // within the emulator's 10 requests a minute
        expect(
          await call(action, { ...account, apisessionid: id, domainname, dnsrecordset: { dnsrecords: [{ hostname: '@', type: 'TXT', destination: 'x' }] } }),
        ).toMatchObject({
          action: '',
          status: 'error',
          statuscode: 4013,
          shortmessage: 'Validation Error.',
          longmessage: 'Value in field domainname does not match requirements of type: domainname. ',
          responsedata: '',
        });
      }
    }
  });

  it("a registrable domain the account does not hold is 5028 in netcup's words; under a suffix such as co.uk three labels are registrable", async () => {
    expect(
      await call('updateDnsRecords', {
        ...account,
        apisessionid: id,
        domainname: 'other.org',
        dnsrecordset: { dnsrecords: [{ hostname: '@', type: 'TXT', destination: 'x' }] },
      }),
    ).toMatchObject({
      action: 'updateDnsRecords',
      statuscode: 5028,
      shortmessage: 'Update of DNS records failed',
      longmessage: 'Can not update (all) DNS records for zone. The zone other.org could not be found.',
    });
    expect(await call('infoDnsZone', { ...account, apisessionid: id, domainname: 'other.org' })).toMatchObject({ action: 'infoDnsZone', statuscode: 5028 });
    expect(await call('infoDnsZone', { ...account, apisessionid: id, domainname: 'shop.co.uk' })).toMatchObject({ statuscode: 5028 });
    expect(await call('infoDnsZone', { ...account, apisessionid: id, domainname: 'www.shop.co.uk' })).toMatchObject({ statuscode: 4013, action: '' });
  });

  it('readings: infoDnsZone answers 5031 (the 2019 recording); a name that is no registrable domain answers 5028', async () => {
    await emulator.close();
    emulator = await startNetcupEmulator({
      store,
      zones: [ZONE],
      credentials: { customerNumber: CUSTOMER, apiKey: API_KEY, apiPassword: API_PASSWORD },
      readings: { unknownZone: 5031 },
    });
    id = await login();
    expect(await call('infoDnsZone', { ...account, apisessionid: id, domainname: 'other.org' })).toMatchObject({
      action: 'infoDnsZone',
      statuscode: 5031,
      shortmessage: 'Getting DNS zone failed',
      longmessage: 'Can not get DNS records for zone.  Domain not found.',
    });
    await emulator.close();
    emulator = await startNetcupEmulator({
      store,
      zones: [ZONE],
      credentials: { customerNumber: CUSTOMER, apiKey: API_KEY, apiPassword: API_PASSWORD },
      readings: { notADomain: 5028 },
    });
    id = await login();
    expect(await call('infoDnsZone', { ...account, apisessionid: id, domainname: `www.${ZONE}` })).toMatchObject({ action: 'infoDnsZone', statuscode: 5028 });
  });

  it('reads hostnames relative (an absolute name without trailing dot lands below the zone) or absolute with a dot', async () => {
    expect((await update([{ hostname: '_acme-challenge', type: 'TXT', destination: 'rel' }])).status).toBe('success');
    expect((await update([{ hostname: `_acme-challenge.${ZONE}.`, type: 'TXT', destination: 'abs' }])).status).toBe('success');
    expect((await update([{ hostname: `_acme-challenge.${ZONE}`, type: 'TXT', destination: 'trap' }])).status).toBe('success');
    expect((await update([{ hostname: '@', type: 'TXT', destination: 'apex' }])).status).toBe('success');
    expect(
      store
        .records(ZONE, { name: NAME, type: 'TXT' })
        .map((r) => r.data)
        .sort(),
    ).toEqual(['abs', 'rel']);
    expect(store.records(ZONE, { name: `${NAME}.${ZONE}`, type: 'TXT' }).map((r) => r.data)).toEqual(['trap']);
    expect(store.records(ZONE, { name: ZONE, type: 'TXT' }).map((r) => r.data)).toEqual(['apex']);
    expect((await update([{ hostname: 'x.elsewhere.net.', type: 'TXT', destination: 'out' }])).statuscode).toBe(4013);
  });

  it('one updateDnsRecords call is one zone version; deletes need id plus the exact data; edits and updateDnsZone are refused', async () => {
    const serial = store.serial(ZONE);
    const added = await update([
      { hostname: '_acme-challenge', type: 'TXT', destination: 'one' },
      { hostname: '_acme-challenge', type: 'TXT', destination: 'two' },
    ]);
    expect(store.serial(ZONE)).toBe(serial + 1);
    const records = (added.responsedata as { dnsrecords: { id: string; hostname: string; destination: string }[] }).dnsrecords;
    const one = records.find((r) => r.destination === 'one')!;
    expect(one.hostname).toBe('_acme-challenge');
    expect((await update([{ id: one.id, deleterecord: true }])).statuscode).toBe(4013);
    expect((await update([{ id: one.id, hostname: '_acme-challenge', type: 'TXT', destination: 'two', deleterecord: true }])).statuscode).toBe(4013);
    expect((await update([{ id: one.id, hostname: '_acme-challenge', type: 'TXT', destination: 'changed' }])).statuscode).toBe(4013);
    expect((await update([{ id: '99999', hostname: '_acme-challenge', type: 'TXT', destination: 'one', deleterecord: true }])).statuscode).toBe(4013);
    expect((await update([{ id: one.id, hostname: '_acme-challenge', type: 'TXT', destination: 'one', deleterecord: true }])).status).toBe('success');
    expect(store.records(ZONE, { name: NAME, type: 'TXT' }).map((r) => r.data)).toEqual(['two']);
    expect((await call('updateDnsZone', { ...account, apisessionid: id, domainname: ZONE, dnszone: {} })).status).toBe('error');
    expect((await update([])).statuscode).toBe(4013);
  });

  // Readings the public clients rely on (the peers benchmark, scripts/bench/peers.mjs, runs them against this emulator).
  it('deleterecord may be the string "TRUE" / "false" (acme.sh dns_netcup sends strings)', async () => {
    await update([{ id: '', hostname: `${NAME}.`, type: 'TXT', priority: '', destination: 'acmesh', deleterecord: 'false', state: 'yes' }]);
    const [record] = store.records(ZONE, { name: NAME, type: 'TXT' });
    expect(record?.data).toBe('acmesh');
    const removed = await update([
      { id: record!.id, hostname: `${NAME}.`, type: 'TXT', priority: '', destination: 'acmesh', deleterecord: 'TRUE', state: 'yes' },
    ]);
    expect(removed.status).toBe('success');
    expect(store.records(ZONE, { name: NAME, type: 'TXT' })).toEqual([]);
  });

  it('a listed record sent back unchanged beside a new one changes nothing (lego sends the whole set); a changed one is refused', async () => {
    store.add(ZONE, { name: ZONE, type: 'A', data: '192.0.2.10' });
    const [a] = store.records(ZONE, { type: 'A' });
    const serial = store.serial(ZONE);
    const reply = await update([
      { id: a!.id, hostname: '@', type: 'A', priority: '0', destination: '192.0.2.10', state: 'yes' },
      { hostname: '_acme-challenge', type: 'TXT', destination: 'lego' },
    ]);
    expect(reply.status).toBe('success');
    expect(store.serial(ZONE)).toBe(serial + 1);
    expect(store.records(ZONE, { type: 'A' })).toEqual([a]);
    expect(store.records(ZONE, { name: NAME, type: 'TXT' }).map((r) => r.data)).toEqual(['lego']);
    expect((await update([{ id: a!.id, hostname: '@', type: 'A', destination: '192.0.2.99', deleterecord: false }])).statuscode).toBe(4013);
    expect(store.records(ZONE, { type: 'A' })).toEqual([a]);
  });
});
