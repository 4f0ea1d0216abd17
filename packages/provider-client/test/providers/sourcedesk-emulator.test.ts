/**
 * The sourceDESK emulator answers as the vendor's server code does (the
 * sourceDESK panel 1.2.2, run here with its PowerDNS driver; its dbs driver
 * run with a stand-in backend): these are the replies recorded there, so the
 * provider tests prove dns01 against what the real server sends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSourcedeskEmulator, ZoneStore, type SourcedeskEmulator, type SourcedeskReadings } from '@dns01/testkit';

const ZONE = 'sourcedesk-shop.test';
const CUSTOMER_ID = '10042';
/** A key with characters that must be URL-encoded in a path segment. */
const API_KEY = 'sK/4+q&w=Z%e?#ü k';
/** A zone at sourceDESK holding only SOA and NS. */
const BARE_ZONE = 'bare.test';
/** The A record each zone holds at its apex: sourceDESK answers 804 for a zone with nothing it shows (only SOA and NS). */
const APEX_A = '192.0.2.80';

function newStore(): ZoneStore {
  const store = new ZoneStore();
  const nameservers = [{ name: 'ns1.sourceway.test', addresses: ['127.0.0.1'] }];
  for (const name of [ZONE, 'second.test', 'myexample.test']) store.addZone({ name, nameservers, records: [{ name, type: 'A', data: APEX_A }] });
  // Holds only SOA and NS, like a domain sourceDESK hosts before anything was added.
  store.addZone({ name: BARE_ZONE, nameservers });
  store.addZone({ name: 'parked.test', nameservers });
  return store;
}

let store: ZoneStore;
let emulator: SourcedeskEmulator;
const base = () => `${emulator.url}/${CUSTOMER_ID}/${encodeURIComponent(API_KEY)}`;

async function start(readings: SourcedeskReadings = {}, domainApi = true): Promise<void> {
  store = newStore();
  emulator = await startSourcedeskEmulator({
    store,
    zones: [ZONE, 'second.test', BARE_ZONE],
    domainsWithoutZone: ['parked.test'],
    credentials: { customerId: CUSTOMER_ID, apiKey: API_KEY },
    domainApi,
    readings,
  });
}
afterEach(() => emulator.close());

/** The raw reply: status, headers, body text. */
async function raw(path: string, form: Record<string, string>, url = base(), method = 'POST'): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${url}${path}`, {
    method,
    ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
const post = async (path: string, form: Record<string, string> = {}, url?: string) =>
  JSON.parse((await raw(path, form, url)).text) as { code: string; message: string; data: unknown };

const addForm = (over: Record<string, string> = {}) => ({
  domain: ZONE,
  name: '_acme-challenge',
  type: 'TXT',
  content: 'v',
  ttl: '300',
  priority: '0',
  ...over,
});
const stored = (name = `_acme-challenge.${ZONE}`) => store.records(ZONE, { name }).map((r) => ({ type: r.type, data: r.data, ttl: r.ttl }));

describe("sourcedesk emulator: the envelope and the checks, in the vendor's order", () => {
  it('every reply is HTTP 200, text/html, a new PHP session, a string code and data [] on a refusal', async () => {
    await start();
    const reply = await raw('/dns/show', { domain: 'elsewhere.test' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(reply.headers.get('set-cookie')).toMatch(/^PHPSESSID=[0-9a-f]{32}; path=\/$/);
    expect(reply.text).toBe('{"code":"803","message":"Domain not found.","data":[]}');
  });

  it('800, then 801 for an unknown group, 801 "Group not allowed." without the permission, then 802', async () => {
    await start();
    expect(await post('/dns/list', {}, `${emulator.url}/${CUSTOMER_ID}/wrong`)).toEqual({ code: '800', message: 'Authentication failed.', data: [] });
    expect(await post('/dns/list', {}, `${emulator.url}/1/${encodeURIComponent(API_KEY)}`)).toMatchObject({ code: '800' });
    expect(await post('/dnsx/list')).toEqual({ code: '801', message: 'Group not found.', data: [] });
    expect(await post('/dns/replace')).toEqual({ code: '802', message: 'Action not found.', data: [] });
    expect(await post('/dns')).toMatchObject({ code: '802' });
    emulator.setDomainApi(false);
    for (const action of ['list', 'show', 'add', 'delete', 'nothing'])
      expect(await post(`/dns/${action}`, { domain: ZONE })).toEqual({ code: '801', message: 'Group not allowed.', data: [] });
    expect(await post('/dns/list', {}, `${emulator.url}/${CUSTOMER_ID}/wrong`)).toMatchObject({ code: '800' });
  });

  it('reads the GET query and the POST form (urlencoded or multipart), not a JSON body; any method; a trailing slash or more segments are ignored', async () => {
    await start();
    const json = await fetch(`${base()}/dns/show`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ domain: ZONE }) });
    expect(JSON.parse(await json.text())).toMatchObject({ code: '803' });
    expect(JSON.parse((await raw(`/dns/show?domain=${ZONE}`, {}, base(), 'GET')).text)).toMatchObject({ code: '100' });
    expect(JSON.parse((await raw('/dns/list', {}, base(), 'PUT')).text)).toMatchObject({ code: '100' });
    const multipart = new FormData();
    multipart.set('domain', ZONE);
    expect(JSON.parse(await (await fetch(`${base()}/dns/show`, { method: 'POST', body: multipart })).text())).toMatchObject({ code: '100' });
    expect(await post('/dns/list/', {})).toMatchObject({ code: '100' });
    expect(await post('/dns/list/extra', {})).toMatchObject({ code: '100' });
  });
});

describe('sourcedesk emulator: dns/list', () => {
  it('an SQL LIKE substring match (case-insensitive, % and _ wildcards, * literal), active domains on the sourceDESK nameservers only', async () => {
    await start();
    expect((await post('/dns/list')).data).toEqual([ZONE, 'second.test', BARE_ZONE]);
    expect((await post('/dns/list', { domain: 'SECOND' })).data).toEqual(['second.test']);
    expect((await post('/dns/list', { domain: 'test' })).data).toEqual([ZONE, 'second.test', BARE_ZONE]);
    expect((await post('/dns/list', { domain: 'sec%d' })).data).toEqual(['second.test']);
    expect((await post('/dns/list', { domain: '_econd' })).data).toEqual(['second.test']);
    expect((await post('/dns/list', { domain: 'sec*' })).data).toEqual([]);
    expect((await post('/dns/list', { domain: `_acme-challenge.${ZONE}` })).data).toEqual([]);
    expect((await post('/dns/list', { domain: 'parked.test' })).data).toEqual([]);
  });
});

describe('sourcedesk emulator: dns/show (PowerDNS driver)', () => {
  it('keyed by row id in type order (MX, A, AAAA, CNAME, SRV, TXT) then name, ttl and priority strings, TXT quoted, SOA/NS/CAA never', async () => {
    await start();
    const txt = store.add(ZONE, { name: ZONE, type: 'TXT', data: 'v=spf1 -all' });
    const www = store.add(ZONE, { name: `www.${ZONE}`, type: 'A', data: '192.0.2.11' });
    const mx = store.add(ZONE, { name: ZONE, type: 'MX', data: 'mail.example', priority: 10 });
    store.add(ZONE, { name: ZONE, type: 'CAA', data: '0 issue "ca.example"' });
    const apex = store.records(ZONE, { type: 'A', name: ZONE })[0]!;
    const text = (await raw('/dns/show', { domain: ZONE })).text;
    expect(text).toBe(
      `{"code":"100","message":"Zone fetched.","data":{` +
        `"${mx.id}":{"name":"","type":"MX","content":"mail.example","ttl":"300","priority":"10"},` +
        `"${apex.id}":{"name":"","type":"A","content":"${APEX_A}","ttl":"300","priority":"0"},` +
        `"${www.id}":{"name":"www","type":"A","content":"192.0.2.11","ttl":"300","priority":"0"},` +
        `"${txt.id}":{"name":"","type":"TXT","content":"\\"v=spf1 -all\\"","ttl":"300","priority":"0"}}}`,
    );
  });

  it('names are relative only when domain is sent as the panel spells it; otherwise absolute', async () => {
    await start();
    const upper = (await post('/dns/show', { domain: ZONE.toUpperCase() })).data as Record<string, { name: string }>;
    expect(Object.values(upper).map((r) => r.name)).toEqual([ZONE]);
  });

  it('a zone showing nothing (only SOA and NS) answers 804 to show, add and delete, though dns/list lists it', async () => {
    await start();
    for (const [path, form] of [
      ['/dns/show', { domain: BARE_ZONE }],
      ['/dns/add', addForm({ domain: BARE_ZONE })],
      ['/dns/delete', { domain: BARE_ZONE, record: '1' }],
    ] as const) {
      expect(await post(path, form)).toEqual({ code: '804', message: 'Zone not found.', data: [] });
    }
    expect((await post('/dns/list', { domain: BARE_ZONE })).data).toEqual([BARE_ZONE]);
    expect(await post('/dns/show', { domain: 'parked.test' })).toMatchObject({ code: '804' });
    expect(await post('/dns/show', { domain: `${ZONE}.` })).toMatchObject({ code: '803' });
  });

  it('a zone whose last record it shows was deleted answers 804 from then on', async () => {
    await start();
    const [apex] = store.records(ZONE, { type: 'A' });
    expect(await post('/dns/delete', { domain: ZONE, record: apex!.id })).toEqual({ code: '100', message: 'Record deleted.', data: [] });
    expect(await post('/dns/show', { domain: ZONE })).toMatchObject({ code: '804' });
    expect(await post('/dns/delete', { domain: ZONE, record: apex!.id })).toMatchObject({ code: '804' });
  });
});

describe('sourcedesk emulator: dns/add (PowerDNS driver)', () => {
  it('answers data [] and no id; stores the same value twice; name absolute or relative, @, empty or missing for the apex', async () => {
    await start();
    expect(await post('/dns/add', addForm())).toEqual({ code: '100', message: 'Record added.', data: [] });
    expect(await post('/dns/add', addForm({ name: `_acme-challenge.${ZONE}` }))).toMatchObject({ code: '100' });
    expect(stored()).toEqual([
      { type: 'TXT', data: 'v', ttl: 300 },
      { type: 'TXT', data: 'v', ttl: 300 },
    ]);
    await post('/dns/add', addForm({ name: '@', content: 'at' }));
    await post('/dns/add', addForm({ name: '', content: 'empty' }));
    const { name: _name, ...noName } = addForm({ content: 'missing' });
    await post('/dns/add', noName);
    expect(
      stored(ZONE)
        .filter((r) => r.type === 'TXT')
        .map((r) => r.data),
    ).toEqual(['at', 'empty', 'missing']);
  });

  it('a TTL under 180, not a number or missing is stored as 3600 (never refused); a priority likewise 0', async () => {
    await start();
    for (const [ttl, value] of [
      ['60', 'a'],
      ['179', 'b'],
      ['abc', 'c'],
      ['180', 'd'],
      ['86400', 'e'],
    ])
      await post('/dns/add', addForm({ ttl: ttl!, content: value! }));
    const { ttl: _ttl, priority: _priority, ...bare } = addForm({ content: 'f' });
    expect(await post('/dns/add', bare)).toMatchObject({ code: '100' });
    expect(stored().map((r) => [r.data, r.ttl])).toEqual([
      ['a', 3600],
      ['b', 3600],
      ['c', 3600],
      ['d', 180],
      ['e', 86400],
      ['f', 3600],
    ]);
  });

  it('quotes at either end of a TXT value are trimmed; the type is case-sensitive; a bad name character or address is refused (805)', async () => {
    await start();
    await post('/dns/add', addForm({ content: '"quoted-value"' }));
    await post('/dns/add', addForm({ content: "'single'" }));
    expect(stored().map((r) => r.data)).toEqual(['quoted-value', 'single']);
    for (const form of [addForm({ type: 'txt' }), addForm({ type: 'CAA' }), addForm({ name: 'bad name' }), addForm({ type: 'A', content: '999.1.1.1' })]) {
      expect(await post('/dns/add', form)).toEqual({ code: '805', message: 'Error at adding record.', data: [] });
    }
    expect(await post('/dns/add', addForm({ domain: 'elsewhere.test' }))).toMatchObject({ code: '803' });
  });
});

describe('sourcedesk emulator: dns/delete (PowerDNS driver)', () => {
  it("by row id with PHP's is_numeric and intval: 805 for 0, nothing or letters; 806 for a row elsewhere; any row of the zone, NS too", async () => {
    await start();
    const other = store.add('second.test', { name: 'second.test', type: 'TXT', data: 'x' });
    const a = store.add(ZONE, { name: `a.${ZONE}`, type: 'TXT', data: 'a' });
    const b = store.add(ZONE, { name: `b.${ZONE}`, type: 'TXT', data: 'b' });
    for (const record of [undefined, '0', 'abc']) {
      expect(await post('/dns/delete', record === undefined ? { domain: ZONE } : { domain: ZONE, record })).toEqual({
        code: '805',
        message: 'No valid record specified.',
        data: [],
      });
    }
    expect(await post('/dns/delete', { domain: ZONE, record: other.id })).toEqual({ code: '806', message: 'Record not found.', data: [] });
    expect(await post('/dns/delete', { domain: ZONE, record: '-1' })).toMatchObject({ code: '806' });
    expect(await post('/dns/delete', { domain: ZONE, record: `${a.id}.9` })).toMatchObject({ code: '100' });
    expect(await post('/dns/delete', { domain: ZONE, record: ` ${b.id}` })).toMatchObject({ code: '100' });
    const [ns] = store.records(ZONE, { type: 'NS' });
    expect(await post('/dns/delete', { domain: ZONE, record: ns!.id })).toMatchObject({ code: '100' });
    expect(store.records(ZONE).map((r) => r.type)).toEqual(['A']);
    expect(store.records('second.test', { type: 'TXT' })).toHaveLength(1);
  });
});

describe('sourcedesk emulator: the dbs driver (reading)', () => {
  it('dns/show is a JSON list from position 0: relative names, TXT as stored, ttl and priority numbers, no NS', async () => {
    await start({ driver: 'dbs' });
    store.add(ZONE, { name: `_acme-challenge.${ZONE}`, type: 'TXT', data: 'token' });
    expect((await raw('/dns/show', { domain: ZONE })).text).toBe(
      `{"code":"100","message":"Zone fetched.","data":[{"name":"","type":"A","content":"${APEX_A}","ttl":300,"priority":0},{"name":"_acme-challenge","type":"TXT","content":"token","ttl":300,"priority":0}]}`,
    );
  });

  it('dns/delete takes a position: positions shift after a delete, position 0 is refused, a stale position hits whatever moved there', async () => {
    await start({ driver: 'dbs' });
    for (const data of ['mine', 'mine', 'FOREIGN']) store.add(ZONE, { name: `_acme-challenge.${ZONE}`, type: 'TXT', data });
    // [A apex, mine, mine, FOREIGN]: deleting 1 and then 2 by one listing's positions deletes FOREIGN.
    expect(await post('/dns/delete', { domain: ZONE, record: '0' })).toMatchObject({ code: '805' });
    expect(await post('/dns/delete', { domain: ZONE, record: '1' })).toMatchObject({ code: '100' });
    expect(await post('/dns/delete', { domain: ZONE, record: '2' })).toMatchObject({ code: '100' });
    expect(store.records(ZONE, { type: 'TXT' }).map((r) => r.data)).toEqual(['mine']);
    expect(await post('/dns/delete', { domain: ZONE, record: '2' })).toMatchObject({ code: '806' });
    expect(await post('/dns/delete', { domain: ZONE, record: '1.0' })).toMatchObject({ code: '806' });
  });

  it('dns/add keeps any TTL and the value as sent', async () => {
    await start({ driver: 'dbs' });
    await post('/dns/add', addForm({ ttl: '60', content: '"as-sent"' }));
    expect(stored()).toEqual([{ type: 'TXT', data: '"as-sent"', ttl: 60 }]);
  });
});
