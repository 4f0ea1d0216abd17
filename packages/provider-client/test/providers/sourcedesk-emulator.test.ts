/**
 * The sourceDESK emulator is strict, so the provider tests prove the client
 * follows the document: these requests, which the real API would not act on,
 * must fail here too.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSourcedeskEmulator, type SourcedeskEmulator, type ZoneStore } from '@dns01/testkit';
import { API_KEY, CUSTOMER_ID, ZONE, newStore } from './sourcedesk-rig.js';

let store: ZoneStore;
let emulator: SourcedeskEmulator;
const base = () => `${emulator.url}/${CUSTOMER_ID}/${encodeURIComponent(API_KEY)}`;

async function post(path: string, form: Record<string, string>, url = base()): Promise<{ code: number; message: string; data: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { code: number; message: string; data: unknown };
}

const addForm = (over: Record<string, string> = {}) => ({
  domain: ZONE,
  name: '_acme-challenge',
  type: 'TXT',
  content: 'v',
  ttl: '60',
  priority: '0',
  ...over,
});

beforeEach(async () => {
  store = newStore();
  emulator = await startSourcedeskEmulator({
    store,
    zones: [ZONE, 'second.test'],
    domainsWithoutZone: ['parked.test'],
    credentials: { customerId: CUSTOMER_ID, apiKey: API_KEY },
  });
});
afterEach(() => emulator.close());

describe('sourcedesk emulator: strict like the API', () => {
  it('answers 800 to a wrong key, a wrong customer ID, and a key not URL-encoded in the path', async () => {
    expect((await post('/dns/list', {}, `${emulator.url}/${CUSTOMER_ID}/wrong`)).code).toBe(800);
    expect((await post('/dns/list', {}, `${emulator.url}/1/${encodeURIComponent(API_KEY)}`)).code).toBe(800);
    const raw = await fetch(`${emulator.url}/${CUSTOMER_ID}/${API_KEY.replace(/[#?%]/g, '')}/dns/list`, { method: 'POST' });
    expect(((await raw.json()) as { code: number }).code).toBe(800);
  });

  it('answers 801 to an unknown method, 802 to an unknown or unused action, 405 to other HTTP methods', async () => {
    expect((await post('/dnsx/list', {})).code).toBe(801);
    expect((await post('/dns/replace', {})).code).toBe(802);
    expect((await post('/dns/list/extra', {})).code).toBe(802);
    expect((await fetch(`${base()}/dns/list`, { method: 'PUT' })).status).toBe(405);
  });

  it('reads POST form and GET query, but not a JSON body', async () => {
    const json = await fetch(`${base()}/dns/show`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ domain: ZONE }) });
    expect(((await json.json()) as { code: number }).code).toBe(803);
    const get = await fetch(`${base()}/dns/show?domain=${ZONE}`);
    expect(((await get.json()) as { code: number }).code).toBe(100);
    expect((await post('/dns/show', { domain: ZONE })).code).toBe(100);
  });

  it('dns/add needs every field, a relative name, numeric ttl and priority, and a TTL at or above the minimum', async () => {
    for (const field of ['name', 'type', 'content', 'ttl', 'priority']) {
      const form: Record<string, string> = addForm();
      delete form[field];
      expect((await post('/dns/add', form)).code, field).toBe(805);
    }
    expect((await post('/dns/add', addForm({ name: `_acme-challenge.${ZONE}.` }))).code).toBe(805);
    expect((await post('/dns/add', addForm({ ttl: 'low' }))).code).toBe(805);
    expect((await post('/dns/add', addForm({ type: 'SOA' }))).code).toBe(805);
    expect(await post('/dns/add', addForm({ ttl: '59' }))).toMatchObject({ code: 805, message: expect.stringMatching(/at least 60/) });
    expect(store.records(ZONE, { type: 'TXT' })).toEqual([]);
    expect((await post('/dns/add', addForm({ name: '' }))).code).toBe(100);
    expect(store.records(ZONE, { type: 'TXT' }).map((r) => [r.name, r.ttl])).toEqual([[ZONE, 60]]);
  });

  it('answers 803 for a domain outside the account, 804 for one without a zone', async () => {
    expect((await post('/dns/show', {})).code).toBe(803);
    expect((await post('/dns/add', addForm({ domain: 'elsewhere.test' }))).code).toBe(803);
    expect((await post('/dns/delete', { domain: 'parked.test', record: '1' })).code).toBe(804);
  });

  it('dns/show keys records by id with relative names ("" for the apex), without the SOA', async () => {
    const apex = store.add(ZONE, { name: ZONE, type: 'TXT', data: 'apex' });
    const sub = store.add(ZONE, { name: `a.b.${ZONE}`, type: 'MX', data: 'mail.test', priority: 10 });
    const reply = await post('/dns/show', { domain: ZONE });
    const data = reply.data as Record<string, { name: string; type: string; content: string; priority: number }>;
    expect(data[apex.id]).toMatchObject({ name: '', type: 'TXT', content: 'apex' });
    expect(data[sub.id]).toMatchObject({ name: 'a.b', type: 'MX', content: 'mail.test', priority: 10 });
    expect(Object.values(data).some((r) => r.type === 'SOA')).toBe(false);
  });

  it('dns/delete needs a numeric id of a record in that zone: 805 otherwise, 806 when absent or elsewhere', async () => {
    const other = store.add('second.test', { name: 'second.test', type: 'TXT', data: 'x' });
    expect((await post('/dns/delete', { domain: ZONE })).code).toBe(805);
    expect((await post('/dns/delete', { domain: ZONE, record: 'abc' })).code).toBe(805);
    expect((await post('/dns/delete', { domain: ZONE, record: other.id })).code).toBe(806);
    expect(store.records('second.test', { type: 'TXT' })).toHaveLength(1);
    expect((await post('/dns/delete', { domain: 'second.test', record: other.id })).code).toBe(100);
    expect((await post('/dns/delete', { domain: 'second.test', record: other.id })).code).toBe(806);
  });

  it('dns/list filters by substring or * wildcard and hides domains without a zone', async () => {
    expect((await post('/dns/list', {})).data).toEqual(['second.test', ZONE]);
    expect((await post('/dns/list', { domain: 'second' })).data).toEqual(['second.test']);
    expect((await post('/dns/list', { domain: '*.test' })).data).toEqual(['second.test', ZONE]);
    expect((await post('/dns/list', { domain: 'parked.test' })).data).toEqual([]);
  });
});
