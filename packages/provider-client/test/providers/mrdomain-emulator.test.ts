/**
 * The emulator is strict where the API is, so the provider tests prove the
 * client follows the document. These tests speak raw HTTP to it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMrDomainEmulator, ZoneStore, type MrDomainEmulator } from '@dns01/testkit';

const credentials = { apiUser: 'emu-user', apiPassword: 'emu-password-1' };
const auth = { apiuser: credentials.apiUser, apipasswd: credentials.apiPassword };

describe('mrdomain emulator: follows the Simple-POST document strictly', () => {
  let emu: MrDomainEmulator;
  let store: ZoneStore;

  beforeEach(async () => {
    store = new ZoneStore();
    store.addZone({ name: 'example.com', nameservers: [{ name: 'ns1.test', addresses: ['127.0.0.2'] }] });
    emu = await startMrDomainEmulator({ store, zones: ['example.com'], credentials });
  });
  afterEach(async () => {
    await emu.close();
  });

  const post = async (path: string, params: Record<string, string>, init: RequestInit = {}) => {
    const res = await fetch(`${emu.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
      ...init,
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { success: boolean; errorCode: number; action: string; messages?: string[]; responseData: Record<string, unknown> };
  };

  it('answers tool/hello with the documented envelope, slashes escaped as PHP does', async () => {
    const res = await fetch(`${emu.url}/tool/hello/`, { method: 'POST', body: new URLSearchParams(auth) });
    expect(await res.clone().text()).toContain('"action":"tool\\/hello"');
    expect(await res.json()).toEqual({
      success: true,
      errorCode: 0,
      errorCodeMsg: '',
      action: 'tool/hello',
      version: '1.0.20',
      responseData: { ip: '127.0.0.1', lang: 'en', version: '1.0.20' },
    });
  });

  it('ignores GET parameters and JSON bodies: the credentials are missing (200 Login required)', async () => {
    const get = await fetch(`${emu.url}/service/dnslist/?${new URLSearchParams({ ...auth, serviceName: 'example.com' })}`);
    expect(await get.json()).toMatchObject({ success: false, errorCode: 200, errorCodeMsg: 'Login required' });
    const json = await post(
      '/service/dnslist/',
      {},
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...auth, serviceName: 'example.com' }) },
    );
    expect(json).toMatchObject({ success: false, errorCode: 200, responseData: [] });
  });

  it("accepts multipart form data too (the document's PHP and Java examples send it)", async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...auth, serviceName: 'example.com' })) form.set(k, v);
    const res = await fetch(`${emu.url}/service/dnslist/`, { method: 'POST', body: form });
    expect(await res.json()).toMatchObject({ success: true, responseData: { queryInfo: { total: 1 } } });
  });

  it('refuses an unknown user (1003), a wrong password (1004), an unknown path (102)', async () => {
    expect((await post('/tool/hello/', { apiuser: 'nobody', apipasswd: 'x' })).errorCode).toBe(1003);
    expect((await post('/tool/hello/', { apiuser: credentials.apiUser, apipasswd: 'x' })).errorCode).toBe(1004);
    expect((await post('/tool/requestinvalid/', auth)).errorCode).toBe(104);
    expect((await post('/nothing/here/', auth)).errorCode).toBe(102);
    expect((await post('/nothing/here', auth)).errorCode).toBe(102);
  });

  it('takes what the official SDK and public clients send: no trailing slash, multipart, output-format, ttl and priority "-" for the default', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({
      ...auth,
      'output-format': 'json',
      'output-pretty': '',
      serviceName: 'example.com',
      name: '_acme-challenge.example.com',
      type: 'TXT',
      value: 'sdk',
      ttl: '-',
      priority: '-',
    }))
      form.set(k, v);
    const created = (await (await fetch(`${emu.url}/service/dnscreate`, { method: 'POST', body: form })).json()) as {
      success: boolean;
      responseData: { dns: { ttl: string; priority: string }[] };
    };
    expect(created).toMatchObject({ success: true, responseData: { dns: [{ ttl: '-', priority: '-' }] } });
    expect(store.records('example.com', { type: 'TXT' }).map((r) => [r.data, r.ttl])).toEqual([['sdk', 300]]);
    expect(await post('/service/dnslist', { ...auth, serviceName: 'example.com', filterType: 'TXT' })).toMatchObject({
      success: true,
      action: 'service/dnslist',
      responseData: { queryInfo: { total: 1 } },
    });
    expect(
      (await post('/service/dnscreate', { ...auth, serviceName: 'example.com', name: 'mx.example.com', type: 'MX', value: 'mail.example.org', priority: '-' }))
        .success,
    ).toBe(true);
    expect(store.records('example.com', { type: 'MX' }).map((r) => r.priority)).toEqual([10]);
  });

  it("reading requestForms 'manual': only the manual's forms (a missing trailing slash 102, ttl or priority '-' 105)", async () => {
    await emu.close();
    emu = await startMrDomainEmulator({ store, zones: ['example.com'], credentials, readings: { requestForms: 'manual' } });
    expect((await post('/service/dnslist', { ...auth, serviceName: 'example.com' })).errorCode).toBe(102);
    const create = (p: Record<string, string>) =>
      post('/service/dnscreate/', { ...auth, serviceName: 'example.com', name: 'x.example.com', type: 'TXT', value: 'v', ...p });
    expect(await create({ ttl: '-' })).toMatchObject({ errorCode: 105, messages: ['ttl'] });
    expect(await create({ priority: '-' })).toMatchObject({ errorCode: 105, messages: ['priority'] });
    expect(store.records('example.com', { type: 'TXT' })).toEqual([]);
  });

  it('checks required fields (101), types and names (105), and the service (4001)', async () => {
    const create = (p: Record<string, string>) => post('/service/dnscreate/', { ...auth, serviceName: 'example.com', ...p });
    expect(await create({ name: 'x.example.com', type: 'TXT' })).toMatchObject({ errorCode: 101, messages: ['missing parameter: value'] });
    expect((await create({ name: 'x.example.com', type: 'SPF', value: 'v' })).errorCode).toBe(105);
    expect((await create({ name: 'x.example.org', type: 'TXT', value: 'v' })).errorCode).toBe(105);
    expect((await create({ name: 'x.example.com', type: 'TXT', value: 'v', ttl: 'soon' })).errorCode).toBe(105);
    expect((await post('/service/dnslist/', { ...auth, serviceName: 'example.org' })).errorCode).toBe(4001);
    expect((await post('/service/dnsdelete/', { ...auth, serviceName: 'example.com', entityID: 'SRV0000000001-000009999' })).errorCode).toBe(4002);
    expect(store.records('example.com', { type: 'TXT' })).toEqual([]);
  });

  it('creates into the store, lists quoted with filters and pages, deletes by entityID', async () => {
    const base = { ...auth, serviceName: 'example.com' };
    const created = await post('/service/dnscreate/', { ...base, name: '_acme-challenge.example.com', type: 'TXT', value: 'abc' });
    expect(created).toMatchObject({ success: true, messages: ['Operation done correctly.'] });
    const [entry] = created.responseData.dns as { entityID: string; value: string; ttl: string; priority: string }[];
    expect(entry).toMatchObject({ value: '"abc"', ttl: '-', priority: '-' });
    expect(store.records('example.com', { type: 'TXT' }).map((r) => r.data)).toEqual(['abc']);
    await post('/service/dnscreate/', { ...base, name: 'www.example.com', type: 'A', value: '192.0.2.1', ttl: '600' });
    const txt = await post('/service/dnslist/', { ...base, filterType: 'TXT', filter: '_acme' });
    expect(txt.responseData).toMatchObject({ queryInfo: { results: 1, total: 1 } });
    const paged = await post('/service/dnslist/', { ...base, pageLength: '1', page: '2' });
    expect(paged.responseData.queryInfo).toEqual({ page: 2, pageLength: 1, results: 1, total: 3 });
    expect((await post('/service/dnsdelete/', { ...base, entityID: entry!.entityID })).success).toBe(true);
    expect(store.records('example.com', { type: 'TXT' })).toEqual([]);
    expect((await post('/service/dnsdelete/', { ...base, entityID: entry!.entityID })).errorCode).toBe(4002);
  });

  it('refuses and records the zone-replacing actions', async () => {
    for (const action of ['dnssetzone', 'dnsrestore', 'dnsdeleteall']) {
      expect((await post(`/service/${action}/`, { ...auth, serviceName: 'example.com' })).errorCode).toBe(300);
    }
    expect(emu.forbiddenCalls.map((c) => c.action)).toEqual(['service/dnssetzone', 'service/dnsrestore', 'service/dnsdeleteall']);
    expect(JSON.stringify(emu.calls)).not.toContain(credentials.apiPassword);
  });

  it('enforces the request budget with 1010 Account blocked until it is reset; account states answer every call', async () => {
    emu.setRequestBudget(2);
    expect((await post('/tool/hello/', auth)).success).toBe(true);
    expect((await post('/tool/hello/', auth)).success).toBe(true);
    expect(await post('/tool/hello/', auth)).toMatchObject({ success: false, errorCode: 1010 });
    expect((await post('/tool/hello/', auth)).errorCode).toBe(1010);
    emu.setRequestBudget(undefined);
    emu.setAccountError(1030);
    expect(await post('/tool/hello/', auth)).toMatchObject({ errorCode: 1030, errorCodeMsg: 'Account banned' });
  });
});
