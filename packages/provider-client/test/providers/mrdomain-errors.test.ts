import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthenticationError, Dns01Error, InvalidInputError, ProviderApiError, ZoneNotFoundError, type Zone } from '../../src/internal.js';
import { MRDOMAIN_ERROR_CODES } from '../../src/providers/mrdomain/index.js';
import { providerRig, type ApexHint, type ProviderRig } from '@dns01/testkit';
import { failure as rejection } from '@dns01/testkit/support';

const ZONE = 'example.com';
type Rig = ProviderRig<'mrdomain'>;
/** The account holds ZONE; foreign.org is served by DNS, not in the account. */
const rig = (options: { apex?: ApexHint } = {}): Promise<Rig> =>
  providerRig('mrdomain', { zones: [ZONE], foreignZones: ['foreign.org'], apex: 'store', ...options });
const NAME = `_acme-challenge.${ZONE}`;

/** Every error here is one line with a hint. */
const failure = (promise: Promise<unknown>) => rejection(promise, { hint: true });

/** What each documented code of the DNS actions must become (the API user manual, section 10.1.1). */
type ErrorClass = abstract new (...args: never[]) => Dns01Error;
const EXPECTED: [number, ErrorClass, RegExp][] = [
  [1, ProviderApiError, /undefined error/],
  [100, ProviderApiError, /malformed/],
  [101, ProviderApiError, /malformed/],
  [102, ProviderApiError, /MRDOMAIN_ENDPOINT/],
  [103, AuthenticationError, /allow the service DNS actions/],
  [104, ProviderApiError, /MRDOMAIN_ENDPOINT/],
  [105, InvalidInputError, /TXT value/],
  [200, AuthenticationError, /MRDOMAIN_API_USER and MRDOMAIN_API_PASSWORD/],
  [201, AuthenticationError, /MRDOMAIN_API_USER and MRDOMAIN_API_PASSWORD/],
  [210, AuthenticationError, /MRDOMAIN_API_USER and MRDOMAIN_API_PASSWORD/],
  [300, AuthenticationError, /allow the service DNS actions/],
  [1000, AuthenticationError, /blocked.*wait before trying again/],
  [1001, AuthenticationError, /deleted.*new API credentials/],
  [1002, AuthenticationError, /inactive.*Activate API access/],
  [1003, AuthenticationError, /no API account has this username.*MRDOMAIN_API_USER/],
  [1004, AuthenticationError, /password is wrong.*MRDOMAIN_API_PASSWORD/],
  [1005, AuthenticationError, /password is wrong.*MRDOMAIN_API_PASSWORD/],
  [1006, AuthenticationError, /blocked.*wait before trying again/],
  [1007, AuthenticationError, /IP address is not allowed.*Register this machine's public IP address in the MrDomain API panel/],
  [1009, AuthenticationError, /password is wrong.*MRDOMAIN_API_PASSWORD/],
  [1010, AuthenticationError, /blocked.*wait before trying again/],
  [1011, AuthenticationError, /blocked.*wait before trying again/],
  [1012, AuthenticationError, /blocked.*wait before trying again/],
  [1013, AuthenticationError, /blocked.*wait before trying again/],
  [1014, AuthenticationError, /IP address is not allowed.*Register this machine's public IP address/],
  [1030, AuthenticationError, /banned.*Do not retry/],
  [1100, ProviderApiError, /balance/],
  [2001, InvalidInputError, /domain name/],
  [2008, ZoneNotFoundError, /not in this account/],
  [4001, ZoneNotFoundError, /no service \(DNS zone\).*managed by MrDomain/],
  [4002, ProviderApiError, /does not exist/],
  [4003, ProviderApiError, /maximum number of records.*Delete unused records/],
  [4004, ProviderApiError, /failed to create/],
  [4005, ProviderApiError, /failed to update/],
  [4006, ProviderApiError, /failed to delete/],
];

describe('mrdomain: every documented error code is a clear one-line error', () => {
  let h: Rig;
  let zone: Zone;
  afterEach(async () => {
    expect(h.emulator.forbiddenCalls).toEqual([]);
    await h.close();
  });

  it('the table covers every code the client knows', () => {
    h = { emulator: { forbiddenCalls: [] }, close: async () => {} } as unknown as Rig;
    expect(EXPECTED.map(([code]) => code).sort((a, b) => a - b)).toEqual(
      Object.keys(MRDOMAIN_ERROR_CODES)
        .map(Number)
        .sort((a, b) => a - b),
    );
  });

  it.each(EXPECTED)('code %i on service/dnslist', async (code, type, words) => {
    h = await rig();
    zone = await h.provider.findZone(NAME);
    h.emulator.failNext(code, { action: 'service/dnslist' });
    const e = await failure(h.provider.listTxt(zone, NAME));
    expect(e).toBeInstanceOf(type);
    expect(e.message).toContain('MrDomain service/dnslist');
    expect(e.message).toContain(`error ${code}`);
    expect(e.oneLine).toMatch(words);
    const transient = e instanceof ProviderApiError && e.transient;
    expect(transient).toBe([1, 4004, 4005, 4006].includes(code));
    // Refusals are answers, not outages: never resent.
    expect(h.emulator.server.requests.filter((r) => r.url === '/service/dnslist/')).toHaveLength(1);
  });

  it('an unknown code still names the action and the code', async () => {
    h = await rig();
    zone = await h.provider.findZone(NAME);
    h.emulator.failNext(9999, { action: 'service/dnslist', messages: ['something new'] });
    const e = await failure(h.provider.listTxt(zone, NAME));
    expect(e).toBeInstanceOf(ProviderApiError);
    expect(e.oneLine).toMatch(/service\/dnslist: the API refused the request .*error 9999: Error; something new.*10\.1\.1/);
  });

  it('account errors during the zone lookup are not mistaken for "zone not found"', async () => {
    h = await rig();
    h.emulator.setAccountError(1007);
    const e = await failure(h.provider.findZone(NAME));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.oneLine).toMatch(/register this machine's public IP address/i);
  });

  it('wrong password and unknown user, as the emulator answers them', async () => {
    h = await rig();
    const wrong = await failure(h.open({ env: { MRDOMAIN_API_PASSWORD: 'not-the-password-123' } }).provider.findZone(NAME));
    expect(wrong).toBeInstanceOf(AuthenticationError);
    expect(wrong.oneLine).toMatch(/error 1004.*MRDOMAIN_API_PASSWORD/);
    expect(wrong.exitCode).toBe(4);
  });

  it('a zone the account does not hold is ZoneNotFoundError (4001 for every candidate; the `_` name is never asked)', async () => {
    h = await rig({ apex: 'none' });
    const e = await failure(h.provider.findZone('_acme-challenge.www.foreign.org'));
    expect(e).toBeInstanceOf(ZoneNotFoundError);
    expect(e.oneLine).toMatch(/MrDomain: no zone in this account holds _acme-challenge\.www\.foreign\.org/);
    expect(h.emulator.callCount('service/getinfo')).toBe(2);
  });

  it('4003 on dnscreate says the zone is full; 4004 is not resent blindly and leaves nothing', async () => {
    h = await rig();
    zone = await h.provider.findZone(NAME);
    h.emulator.failNext(4003, { action: 'service/dnscreate' });
    const full = await failure(h.provider.appendTxt(zone, NAME, 'v1'));
    expect(full.oneLine).toMatch(/service\/dnscreate: the zone holds the maximum number of records \(_acme-challenge\.example\.com\)/);
    h.emulator.failNext(4004, { action: 'service/dnscreate' });
    const failed = await failure(h.provider.appendTxt(zone, NAME, 'v2'));
    expect(failed).toMatchObject({ transient: true });
    expect(h.emulator.callCount('service/dnscreate')).toBe(2);
    expect(h.store.records(ZONE, { type: 'TXT' })).toEqual([]);
  });

  it('4006 on dnsdelete is a transient ProviderApiError and the record stays', async () => {
    h = await rig();
    zone = await h.provider.findZone(NAME);
    await h.provider.appendTxt(zone, NAME, 'keep');
    h.emulator.failNext(4006, { action: 'service/dnsdelete' });
    const e = await failure(h.provider.deleteTxt(zone, NAME, 'keep'));
    expect(e).toMatchObject({ transient: true, action: 'service/dnsdelete' });
    expect(h.store.records(ZONE, { type: 'TXT' }).map((r) => r.data)).toEqual(['keep']);
  });
});

describe('mrdomain: replies of an unexpected shape are clear ProviderApiErrors', () => {
  let h: Rig;
  afterEach(async () => {
    await h.close();
  });

  const answer = (action: string, body: unknown, status = 200) =>
    http.post(`*/service/${action}/`, () => HttpResponse.json(body as Record<string, unknown>, { status }), { once: true });
  const ok = (action: string, responseData: unknown) => ({
    success: true,
    errorCode: 0,
    errorCodeMsg: '',
    action: `service/${action}`,
    version: '1.0.20',
    responseData,
  });

  it.each([
    ['an envelope without success', { errorCode: 0, responseData: {} }, /unexpected shape \(reply at success/],
    [
      'dns that is not a list',
      ok('dnslist', { queryInfo: { page: 1, pageLength: 1000, results: 0, total: 0 }, dns: 'none' }),
      /unexpected shape \(responseData at dns/,
    ],
    [
      'a record without entityID',
      ok('dnslist', { queryInfo: { page: 1, pageLength: 1000, results: 1, total: 1 }, dns: [{ name: NAME, type: 'TXT', value: 'x' }] }),
      /unexpected shape \(responseData at dns\.0\.entityID/,
    ],
    ['no queryInfo', ok('dnslist', { dns: [] }), /unexpected shape \(responseData at queryInfo/],
    ['a JSON array', [1, 2], /unexpected shape \(reply/],
  ])('service/dnslist answering %s', async (_label, body, words) => {
    h = await rig();
    h.emulator.server.use(answer('dnslist', body));
    const zone = await h.provider.findZone(NAME);
    const e = await failure(h.provider.listTxt(zone, NAME));
    expect(e).toBeInstanceOf(ProviderApiError);
    expect(e).toMatchObject({ provider: 'MrDomain', action: 'service/dnslist' });
    expect(e.oneLine).toMatch(words);
    expect(e.hint).toMatch(/DNS01_LOG_LEVEL=debug/);
  });

  it('service/dnscreate answering success with no record, and none is listed: reported, not silently accepted', async () => {
    h = await rig();
    h.emulator.server.use(answer('dnscreate', ok('dnscreate', { dns: [] })));
    const zone = await h.provider.findZone(NAME);
    const e = await failure(h.provider.appendTxt(zone, NAME, 'v'));
    expect(e).toMatchObject({ provider: 'MrDomain', action: 'service/dnscreate' });
    expect(e.oneLine).toMatch(/reported success but TXT _acme-challenge\.example\.com "v" is not in the record list/);
  });

  it('a body that is not JSON (HTTP 200)', async () => {
    h = await rig();
    const zone = await h.provider.findZone(NAME);
    h.emulator.server.inject({ fault: { kind: 'malformed' } });
    const e = await failure(h.provider.listTxt(zone, NAME));
    expect(e).toMatchObject({ provider: 'MrDomain', action: 'service/dnslist' });
    expect(e.oneLine).toMatch(/not JSON/);
  });

  it('an HTML error page with HTTP 403 (a proxy, a wrong endpoint)', async () => {
    h = await rig();
    h.emulator.server.use(http.post('*/service/getinfo/', () => new HttpResponse('<html>Forbidden</html>', { status: 403 }), { once: true }));
    const e = await failure(h.provider.findZone(NAME));
    expect(e).toBeInstanceOf(ProviderApiError);
    expect(e.oneLine).toMatch(/service\/getinfo: answered HTTP 403 without the API's JSON reply.*MRDOMAIN_ENDPOINT/);
  });
});

describe('mrdomain: retries (5xx, 429, hangs) with short timings', () => {
  let h: Rig;
  afterEach(async () => {
    expect(h.emulator.forbiddenCalls).toEqual([]);
    await h.close();
  });
  const on = (action: string) => (r: { url: string }) => r.url === `/service/${action}/`;

  it('a list survives two 500s and a hang', async () => {
    h = await rig();
    const zone = await h.provider.findZone(NAME);
    h.emulator.server.inject({ fault: { kind: 'status', status: 500 }, times: 2, match: on('dnslist') });
    h.emulator.server.inject({ fault: { kind: 'hang' }, match: on('dnslist') });
    expect(await h.provider.listTxt(zone, NAME)).toEqual([]);
    expect(h.emulator.server.requests.filter(on('dnslist'))).toHaveLength(4);
  });

  it('a create answered 429 is sent again and makes one record', async () => {
    h = await rig();
    const zone = await h.provider.findZone(NAME);
    h.emulator.server.inject({ fault: { kind: 'status', status: 429, retryAfter: 0 }, match: on('dnscreate') });
    await h.provider.appendTxt(zone, NAME, 'after-429');
    expect(h.emulator.server.requests.filter(on('dnscreate'))).toHaveLength(2);
    expect(h.store.records(ZONE, { type: 'TXT' }).map((r) => r.data)).toEqual(['after-429']);
  });

  it('a create answered 500 is not resent blindly: one look, then a transient error, nothing left', async () => {
    h = await rig();
    const zone = await h.provider.findZone(NAME);
    h.emulator.server.inject({ fault: { kind: 'status', status: 500 }, match: on('dnscreate') });
    const e = await failure(h.provider.appendTxt(zone, NAME, 'after-500'));
    expect(e).toMatchObject({ transient: true, action: 'service/dnscreate' });
    expect(h.emulator.server.requests.filter(on('dnscreate'))).toHaveLength(1);
    expect(h.emulator.server.requests.filter(on('dnslist'))).toHaveLength(2);
    expect(h.store.records(ZONE, { type: 'TXT' })).toEqual([]);
  });

  it('a create that happened although its reply was lost counts as done, without a duplicate', async () => {
    h = await rig();
    const { backend } = h.emulator;
    h.emulator.server.use(
      http.post(
        '*/service/dnscreate/',
        async ({ request }) => {
          await backend.respond(request);
          await new Promise((r) => setTimeout(r, 1500));
          return HttpResponse.text('too late');
        },
        { once: true },
      ),
    );
    const zone = await h.provider.findZone(NAME);
    await h.provider.appendTxt(zone, NAME, 'lost-reply');
    expect(h.store.records(ZONE, { type: 'TXT' }).map((r) => r.data)).toEqual(['lost-reply']);
    expect(h.emulator.server.requests.filter(on('dnscreate'))).toHaveLength(1);
  });

  it('a delete is resent after a 502 (deleting an entity twice is harmless)', async () => {
    h = await rig();
    const zone = await h.provider.findZone(NAME);
    await h.provider.appendTxt(zone, NAME, 'to-delete');
    h.emulator.server.inject({ fault: { kind: 'status', status: 502 }, match: on('dnsdelete') });
    expect(await h.provider.deleteTxt(zone, NAME, 'to-delete')).toBe('deleted');
    expect(h.store.records(ZONE, { type: 'TXT' })).toEqual([]);
  });

  it('a lasting outage ends as a transient ProviderApiError within the retry bound', async () => {
    h = await rig();
    h.emulator.server.inject({ fault: { kind: 'status', status: 503 }, times: 100 });
    const e = await failure(h.provider.findZone(NAME));
    expect(e).toMatchObject({ transient: true, provider: 'MrDomain', action: 'service/getinfo' });
    expect(e.oneLine).toMatch(/HTTP 503/);
    expect(h.emulator.server.requests.length).toBe(5);
  });
});
