import { afterEach, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { AuthenticationError } from '@dns01/provider-client';
import { FAST_RETRY_HTTP, providerRig, type ProviderRig } from '@dns01/testkit';
import { failure } from '@dns01/testkit/support';

describe('providerRig', () => {
  let r: ProviderRig | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('a session of the product on the emulator: writes reach the store, every request is counted, close logs out', async () => {
    const rig = await providerRig('netcup', { zones: ['example.com'], records: [{ name: 'example.com', type: 'A', data: '192.0.2.1' }] });
    r = rig;
    const name = '_acme-challenge.example.com';
    await rig.provider.appendTxt(await rig.provider.findZone(name), name, 'rig-value');
    expect(rig.txt(name)).toEqual(['rig-value']);
    expect(rig.apiCalls).toBe(rig.emulator.server.requests.length);
    expect(rig.apiCalls).toBeGreaterThan(0);
    expect(rig.http).toEqual(FAST_RETRY_HTTP);
    expect(rig.logs.some((line) => line.includes('updateDnsRecords'))).toBe(true);
    await rig.close();
    r = undefined;
    expect(rig.emulator.openSessions()).toBe(0);
  });

  it('the apex hint: none asks each parent, store names the zone at once', async () => {
    r = await providerRig('netcup', { records: [{ name: 'example.com', type: 'A', data: '192.0.2.1' }] });
    const asked = () => r!.emulator.server.requests.filter((q) => q.body.includes('"infoDnsZone"')).length;
    await r.provider.findZone('_acme-challenge.a.b.example.com');
    expect(asked()).toBe(3);
    await r.open({ apex: 'store' }).provider.findZone('_acme-challenge.a.b.example.com');
    expect(asked()).toBe(4);
  });

  it('own credentials: the emulator takes them, env and secrets carry them; another session with other variables is counted too', async () => {
    const credentials = { customerId: '10042', apiKey: 'sK/4+q&w=Z%e?#ü k' };
    r = await providerRig('sourcedesk', { emulator: { credentials } });
    expect(r.env).toMatchObject({ SOURCEDESK_CUSTOMER_ID: '10042', SOURCEDESK_API_KEY: credentials.apiKey });
    expect(r.secrets).toEqual([credentials.apiKey]);
    expect((await r.provider.findZone('_acme-challenge.example.com')).name).toBe('example.com');
    const before = r.apiCalls;
    const wrong = r.open({ env: { SOURCEDESK_API_KEY: 'not-the-key' } });
    expect(await failure(wrong.provider.findZone('_acme-challenge.example.com'))).toBeInstanceOf(AuthenticationError);
    expect(r.apiCalls).toBe(before + wrong.apiCalls);
    expect(wrong.apiCalls).toBeGreaterThan(0);
  });

  it('handlers put before the emulator answer first; a `once` handler answers once', async () => {
    r = await providerRig('xsserver');
    r.emulator.server.use(http.get('*/api/domain', () => HttpResponse.json({ error: ['served by the test'] }, { status: 503 }), { once: true }));
    const zone = await r.provider.findZone('_acme-challenge.example.com');
    expect(zone.name).toBe('example.com');
    const lists = r.emulator.server.requests.filter((q) => q.method === 'GET' && q.url.startsWith('/api/domain'));
    expect(lists.length).toBeGreaterThanOrEqual(2);
  });
});
