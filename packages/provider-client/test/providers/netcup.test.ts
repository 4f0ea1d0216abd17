import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { FAST_RETRY_HTTP, NETCUP_READINGS, providerRig, serveHandlers, type EmulatorServer, type ProviderRig, type ProviderRigOptions } from '@dns01/testkit';
import { failure } from '@dns01/testkit/support';
import {
  AuthenticationError,
  ConfigError,
  Dns01Error,
  InvalidInputError,
  ProviderApiError,
  ZoneNotFoundError,
  clearSecrets,
  createLogger,
  describeError,
  redact,
} from '../../src/internal.js';
import { netcup } from '../../src/providers/netcup/index.js';
import { NetcupRateLimitError, netcupError } from '../../src/providers/netcup/ccp/errors.js';
import { describeProviderConformance } from '../conformance.js';

const CUSTOMER = '40017';
const API_KEY = 'nc-apikey-Vq83mZk2';
const API_PASSWORD = 'nc-apipw-Rt51xLp9';
const ZONE = 'example.com';
const NAME = `_acme-challenge.${ZONE}`;
/** A zone in the store (served by DNS) that the account does not hold. */
const FOREIGN_ZONE = 'other.org';
/** A zone of the account with no records at all (netcup answers "no records" as an error). */
const EMPTY_ZONE = 'empty.net';

type Rig = ProviderRig<'netcup'>;
/** The account holds ZONE (one A record) and EMPTY_ZONE; FOREIGN_ZONE is served by DNS, not in the account. */
const rig = ({ emulator, ...options }: ProviderRigOptions<'netcup'> = {}): Promise<Rig> =>
  providerRig('netcup', {
    zones: [ZONE, EMPTY_ZONE],
    foreignZones: [FOREIGN_ZONE],
    records: [
      { name: ZONE, type: 'A', data: '192.0.2.1' },
      { name: FOREIGN_ZONE, type: 'A', data: '192.0.2.2' },
    ],
    emulator: { credentials: { customerNumber: CUSTOMER, apiKey: API_KEY, apiPassword: API_PASSWORD }, ...emulator },
    ...options,
  });
/** Requests the emulator saw for one action (faulted ones included). */
const requestsFor = (r: Rig, action: string) => r.emulator.server.requests.filter((q) => q.body.includes(`"action":"${action}"`));
const credentialsEnv = (endpoint: string) => ({
  NETCUP_CUSTOMER_NUMBER: CUSTOMER,
  NETCUP_API_KEY: API_KEY,
  NETCUP_API_PASSWORD: API_PASSWORD,
  NETCUP_ENDPOINT: endpoint,
});

const bodyOf = (r: { body: string }) => JSON.parse(r.body) as { action: string; param: Record<string, unknown> };

describeProviderConformance('netcup', async () => {
  const r = await rig();
  return { provider: r.provider, store: r.store, zone: ZONE, close: r.close };
});

describeProviderConformance('netcup (hostnames listed absolute with a trailing dot)', async () => {
  const r = await rig({ emulator: { absoluteHostnames: true } });
  return { provider: r.provider, store: r.store, zone: ZONE, close: r.close };
});

for (const reading of NETCUP_READINGS) {
  describeProviderConformance(`netcup (reading: ${reading.label})`, async () => {
    const r = await rig({ emulator: { readings: reading.readings } });
    return { provider: r.provider, store: r.store, zone: ZONE, close: r.close };
  });
}

describe('netcup: readings of the document', () => {
  let r: Rig | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });
  const EMPTY_NAME = `_acme-challenge.${EMPTY_ZONE}`;

  for (const updateReply of ['empty-string', 'none-when-empty'] as const) {
    it(`updateDnsRecords success without dnsrecords (${updateReply}): accepted, confirmed with infoDnsRecords (5029 = empty zone)`, async () => {
      r = await rig({ emulator: { readings: { updateReply } } });
      const zone = await r.provider.findZone(EMPTY_NAME);
      await r.provider.appendTxt(zone, EMPTY_NAME, 'only');
      expect(r.txt(EMPTY_NAME)).toEqual(['only']);
      expect(await r.provider.deleteTxt(zone, EMPTY_NAME, 'only')).toBe('deleted');
      expect(r.txt(EMPTY_NAME)).toEqual([]);
      // no listing before a change (the add goes out at once, the delete by the add's ids); a list
      // confirms each change whose reply carries no records (none-when-empty: only the delete's)
      expect(requestsFor(r, 'infoDnsRecords')).toHaveLength(updateReply === 'empty-string' ? 2 : 1);
    });
  }

  it('a success reply with another 2xxx status is success', async () => {
    r = await rig({ emulator: { readings: { success: { status: 'pending', statuscode: 2011 } } } });
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, 'pending-ok');
    expect(r.txt(NAME)).toEqual(['pending-ok']);
  });

  it('4013 on domainname (refused before any action) during the zone walk means "not this zone"; the walk goes on; 5028 and 5031 end it as not found', async () => {
    r = await rig();
    expect((await r.provider.findZone(`_acme-challenge.a.b.${ZONE}`)).name).toBe(ZONE);
    expect(requestsFor(r, 'infoDnsZone').map((q) => (JSON.parse(q.body) as { param: { domainname: string } }).param.domainname)).toEqual([
      `a.b.${ZONE}`,
      `b.${ZONE}`,
      ZONE,
    ]);
    await expect(r.provider.findZone('_acme-challenge.www.not-ours.example')).rejects.toBeInstanceOf(ZoneNotFoundError);
    await r.close();
    r = await rig({ emulator: { readings: { unknownZone: 5031 } } });
    await expect(r.provider.findZone('_acme-challenge.www.not-ours.example')).rejects.toBeInstanceOf(ZoneNotFoundError);
  });

  it("decides by the status code and the reply's action, never by the words: other wording of the same replies means the same", async () => {
    r = await rig();
    // 4013 before any action, in words dns01 has never seen: still "not this zone".
    r.emulator.injectError({ action: 'infoDnsZone', statuscode: 4013, shortmessage: 'Validierungsfehler.', longmessage: 'Feld ungültig.', replyAction: '' });
    expect((await r.provider.findZone(`_acme-challenge.b.${ZONE}`)).name).toBe(ZONE);
    // 5028 and 5029 in other words: not found, and an empty zone.
    r.emulator.injectError({ action: 'infoDnsZone', statuscode: 5028, shortmessage: 'x', longmessage: 'y' });
    await expect(r.provider.findZone(`_acme-challenge.${FOREIGN_ZONE}`)).rejects.toBeInstanceOf(ZoneNotFoundError);
    r.emulator.injectError({ action: 'infoDnsRecords', statuscode: 5029, shortmessage: 'x', longmessage: 'y' });
    expect(await r.provider.listTxt({ name: ZONE }, NAME)).toEqual([]);
  });

  it('any other 4013 during the zone walk stops it at once: rate limit or invalid request, never more requests', async () => {
    r = await rig();
    r.emulator.injectError({ action: 'infoDnsZone', statuscode: 4013, shortmessage: 'Validation Error.', longmessage: 'Something unexpected.' });
    const error = await failure(r.provider.findZone(`_acme-challenge.a.b.${ZONE}`));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/^netcup infoDnsZone: the request was refused \(4013: .*\); 4013 means an invalid request or netcup's request limit/);
    expect(requestsFor(r, 'infoDnsZone')).toHaveLength(1);
  });

  it('4001 at login is an authentication error, not an expired session', async () => {
    r = await rig({ emulator: { readings: { loginRefusal: 4001 } }, env: { NETCUP_API_PASSWORD: 'wrong-pw-Zt1' } });
    const error = await failure(r.provider.findZone(NAME));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/^netcup login: the login was refused \(4001: /);
    expect(requestsFor(r, 'login')).toHaveLength(1);
  });
});

describe('netcup: settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'netcup-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    clearSecrets();
  });

  it('reads the canonical names, the _FILE forms and the default endpoint; the key and password are secrets', () => {
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, `${API_PASSWORD}\n`);
    const config = netcup.readConfig({ NETCUP_CUSTOMER_NUMBER: CUSTOMER, NETCUP_API_KEY: API_KEY, NETCUP_API_PASSWORD_FILE: pwFile });
    expect(config).toEqual({
      customerNumber: CUSTOMER,
      apiKey: API_KEY,
      apiPassword: API_PASSWORD,
      endpoint: 'https://ccp.netcup.net/run/webservice/servers/endpoint.php',
      restEndpoint: 'https://api.netcup.com/v1',
      restChangeset: false,
    });
    expect(netcup.settings.apiKey!.secret).toBe(true);
    expect(netcup.settings.apiPassword!.secret).toBe(true);
    expect(redact(`k=${API_KEY} p=${API_PASSWORD}`)).toBe('k=*** p=***');
    expect(netcup.propagation).toMatchObject({ timeout: 1200, interval: 5 });
  });

  it('accepts the acme.sh names NC_CID, NC_Apikey and NC_Apipw', () => {
    const config = netcup.readConfig({ NC_CID: CUSTOMER, NC_Apikey: API_KEY, NC_Apipw: API_PASSWORD });
    expect([config.customerNumber, config.apiKey, config.apiPassword]).toEqual([CUSTOMER, API_KEY, API_PASSWORD]);
  });

  it('NETCUP_ENDPOINT: a bare origin gets the endpoint path, a full endpoint URL is kept', () => {
    const base = { NETCUP_CUSTOMER_NUMBER: CUSTOMER, NETCUP_API_KEY: API_KEY, NETCUP_API_PASSWORD: API_PASSWORD };
    expect(netcup.readConfig({ ...base, NETCUP_ENDPOINT: 'http://127.0.0.1:8080/' }).endpoint).toBe(
      'http://127.0.0.1:8080/run/webservice/servers/endpoint.php',
    );
    expect(netcup.readConfig({ ...base, NETCUP_ENDPOINT: 'https://proxy.example/netcup/endpoint.php?JSON' }).endpoint).toBe(
      'https://proxy.example/netcup/endpoint.php',
    );
  });

  it('names the missing or malformed variable, never its value', () => {
    expect(() => netcup.readConfig({ NETCUP_CUSTOMER_NUMBER: CUSTOMER, NETCUP_API_KEY: API_KEY })).toThrow(/NETCUP_API_PASSWORD is not set/);
    expect(() => netcup.readConfig({ NETCUP_API_KEY: API_KEY, NETCUP_API_PASSWORD: API_PASSWORD })).toThrow(ConfigError);
    const bad = () => netcup.readConfig({ NETCUP_CUSTOMER_NUMBER: 'K-12', NETCUP_API_KEY: API_KEY, NETCUP_API_PASSWORD: API_PASSWORD });
    expect(bad).toThrow(/NETCUP_CUSTOMER_NUMBER is malformed/);
  });

  it('create() registers the secrets it is given programmatically', () => {
    clearSecrets();
    const rest = { restApiKey: undefined, restEndpoint: 'http://127.0.0.1:1', restChangeset: false };
    netcup.create(
      { customerNumber: CUSTOMER, apiKey: 'prog-key-77', apiPassword: 'prog-pw-88', endpoint: 'http://127.0.0.1:1', ...rest },
      {
        logger: createLogger({ level: 'quiet' }),
      },
    );
    expect(redact('prog-key-77 prog-pw-88')).toBe('*** ***');
  });
});

describe('netcup: requests follow the document', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('POSTs {action, param} as JSON to endpoint.php?JSON, logging in once for every call', async () => {
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, 'tok-1');
    await r.provider.listTxt(zone, NAME);
    await r.provider.deleteTxt(zone, NAME, 'tok-1');
    await r.provider.close();
    const requests = r.emulator.server.requests;
    expect(requests.every((q) => q.method === 'POST' && q.url === '/run/webservice/servers/endpoint.php?JSON')).toBe(true);
    expect(requests.every((q) => q.headers['content-type']?.startsWith('application/json'))).toBe(true);
    expect(r.emulator.actionCounts()).toMatchObject({ login: 1, logout: 1 });
    const [login] = requestsFor(r, 'login').map(bodyOf);
    expect(login).toEqual({ action: 'login', param: { customernumber: CUSTOMER, apikey: API_KEY, apipassword: API_PASSWORD } });
    const sessionId = r.emulator.sessionIds()[0];
    for (const q of requests.map(bodyOf).filter((b) => b.action !== 'login')) {
      expect(q.param).toMatchObject({ customernumber: CUSTOMER, apikey: API_KEY, apisessionid: sessionId });
      expect(q.param).not.toHaveProperty('apipassword');
    }
    expect(r.emulator.openSessions()).toBe(0);
  });

  it('confirms the SOA apex with infoDnsZone without asking about _acme-challenge names', async () => {
    const p = r.open().provider;
    const asked: string[] = [];
    const withApex = await rig({ apex: async (fqdn) => (asked.push(fqdn), ZONE) });
    try {
      expect((await withApex.provider.findZone(`_acme-challenge.a.b.${ZONE}`)).name).toBe(ZONE);
      expect((await withApex.provider.findZone(NAME)).name).toBe(ZONE);
      const zoneCalls = requestsFor(withApex, 'infoDnsZone').map((q) => bodyOf(q).param.domainname);
      expect(zoneCalls).toEqual([ZONE]);
      expect(asked.length).toBeGreaterThan(0);
      // Without a DNS hint every parent is tried, but never a label starting with "_".
      await p.findZone(`_acme-challenge.a.b.${ZONE}`);
      const names = requestsFor(r, 'infoDnsZone').map((q) => bodyOf(q).param.domainname);
      expect(names).toEqual([`a.b.${ZONE}`, `b.${ZONE}`, ZONE]);
    } finally {
      await withApex.close();
    }
  });

  it('appends only the new record (no id, relative hostname, @ at the apex) and deletes by id with the exact data', async () => {
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, 'tok-sub');
    await r.provider.appendTxt(zone, ZONE, 'tok-apex');
    const adds = requestsFor(r, 'updateDnsRecords').map((q) => bodyOf(q).param);
    expect(adds).toEqual([
      expect.objectContaining({ domainname: ZONE, dnsrecordset: { dnsrecords: [{ hostname: '_acme-challenge', type: 'TXT', destination: 'tok-sub' }] } }),
      expect.objectContaining({ domainname: ZONE, dnsrecordset: { dnsrecords: [{ hostname: '@', type: 'TXT', destination: 'tok-apex' }] } }),
    ]);
    const id = r.store.records(ZONE, { name: NAME, type: 'TXT' })[0]!.id;
    expect(await r.provider.deleteTxt(zone, NAME, 'tok-sub')).toBe('deleted');
    const del = bodyOf(requestsFor(r, 'updateDnsRecords')[2]!).param.dnsrecordset;
    expect(del).toEqual({ dnsrecords: [{ id, hostname: '_acme-challenge', type: 'TXT', destination: 'tok-sub', deleterecord: true }] });
    expect(r.txt(ZONE)).toEqual(['tok-apex']);
    expect(r.emulator.actionCounts().updateDnsZone).toBeUndefined();
  });

  it('an empty zone ("no records" error status) lists as empty and takes a record', async () => {
    const zone = await r.provider.findZone(`_acme-challenge.${EMPTY_ZONE}`);
    expect(await r.provider.listTxt(zone, `_acme-challenge.${EMPTY_ZONE}`)).toEqual([]);
    await r.provider.appendTxt(zone, `_acme-challenge.${EMPTY_ZONE}`, 'first');
    expect(r.txt(`_acme-challenge.${EMPTY_ZONE}`)).toEqual(['first']);
    expect(await r.provider.deleteTxt(zone, `_acme-challenge.${EMPTY_ZONE}`, 'first')).toBe('deleted');
    expect(await r.provider.deleteTxt(zone, `_acme-challenge.${EMPTY_ZONE}`, 'first')).toBe('absent');
  });

  it('reads quoted TXT values and leaves records it cannot match exactly alone', async () => {
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: '"quoted-value"' });
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'quoted-value-but-longer' });
    r.store.add(ZONE, { name: `*.${ZONE}`, type: 'TXT', data: 'wildcard owner' });
    const zone = await r.provider.findZone(NAME);
    expect((await r.provider.listTxt(zone, NAME)).map((x) => x.value).sort()).toEqual(['quoted-value', 'quoted-value-but-longer']);
    expect(await r.provider.deleteTxt(zone, NAME, 'quoted')).toBe('absent');
    expect(await r.provider.deleteTxt(zone, NAME, 'quoted-value')).toBe('deleted');
    expect(r.txt(NAME)).toEqual(['quoted-value-but-longer']);
    expect(r.txt(`*.${ZONE}`)).toEqual(['wildcard owner']);
  });

  it('refuses a name outside the zone before any change', async () => {
    const zone = await r.provider.findZone(NAME);
    await expect(r.provider.appendTxt(zone, '_acme-challenge.elsewhere.net', 'x')).rejects.toBeInstanceOf(InvalidInputError);
    expect(r.emulator.actionCounts().updateDnsRecords).toBeUndefined();
  });
});

describe('netcup: batching and concurrency', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('appends presented together go out in one updateDnsRecords call, and so do their deletes', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `_acme-challenge.san${i}.${ZONE}`);
    const zones = await Promise.all(names.map((n) => r.provider.findZone(n)));
    await Promise.all(names.map((n, i) => r.provider.appendTxt(zones[i]!, n, `value-${i}`)));
    // The add's reply lists the zone: no listing before it.
    expect(r.emulator.actionCounts()).toMatchObject({ updateDnsRecords: 1 });
    expect(r.emulator.actionCounts().infoDnsRecords).toBeUndefined();
    const sent = bodyOf(requestsFor(r, 'updateDnsRecords')[0]!).param.dnsrecordset as { dnsrecords: unknown[] };
    expect(sent.dnsrecords).toHaveLength(10);
    names.forEach((n, i) => expect(r.txt(n)).toEqual([`value-${i}`]));
    const outcomes = await Promise.all(names.map((n, i) => r.provider.deleteTxt(zones[i]!, n, `value-${i}`)));
    expect(outcomes).toEqual(names.map(() => 'deleted'));
    // The deletes go by the ids the append's reply listed: no listing either.
    expect(r.emulator.actionCounts()).toMatchObject({ updateDnsRecords: 2 });
    expect(r.emulator.actionCounts().infoDnsRecords).toBeUndefined();
    expect(r.store.records(ZONE, { type: 'TXT' })).toEqual([]);
  });

  it('two processes (provider instances) adding and removing 10 values each on one name touch nothing else', async () => {
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'foreign-kept' });
    r.store.add(ZONE, { name: `www.${ZONE}`, type: 'CNAME', data: 'example.net' });
    const before = r.snapshot(ZONE);
    const second = r.open().provider;
    const zone = await r.provider.findZone(NAME);
    const a = Array.from({ length: 10 }, (_, i) => `a-${i}`);
    const b = Array.from({ length: 10 }, (_, i) => `b-${i}`);
    await Promise.all([...a.map((v) => r.provider.appendTxt(zone, NAME, v)), ...b.map((v) => second.appendTxt(zone, NAME, v))]);
    expect(r.txt(NAME)).toEqual(['foreign-kept', ...a, ...b].sort());
    // Interleave: one instance deletes while the other appends again (idempotent: no duplicate).
    await Promise.all([...a.map((v) => r.provider.deleteTxt(zone, NAME, v)), ...b.map((v) => second.appendTxt(zone, NAME, v))]);
    expect(r.txt(NAME)).toEqual(['foreign-kept', ...b].sort());
    const outcomes = await Promise.all(b.map((v) => second.deleteTxt(zone, NAME, v)));
    expect(outcomes.every((o) => o === 'deleted')).toBe(true);
    expect(r.snapshot(ZONE)).toEqual(before);
  });

  it('appends arriving while a batch is in flight form the next batch', async () => {
    const zone = await r.provider.findZone(NAME);
    const first = r.provider.appendTxt(zone, NAME, 'early');
    await new Promise((resolve) => setImmediate(resolve));
    const later = Array.from({ length: 5 }, (_, i) => r.provider.appendTxt(zone, NAME, `late-${i}`));
    await Promise.all([first, ...later]);
    expect(r.txt(NAME)).toEqual(['early', 'late-0', 'late-1', 'late-2', 'late-3', 'late-4']);
    expect(r.emulator.actionCounts().updateDnsRecords).toBe(2);
  });
});

describe('netcup: sessions', () => {
  let r: Rig;
  let now: number;
  beforeEach(async () => {
    now = Date.now();
    r = await rig({ emulator: { now: () => now, sessionIdleMs: 15 * 60_000 } });
  });
  afterEach(() => r.close());

  it('logs in again once when the session expired after 15 minutes idle (4001), then repeats the call', async () => {
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, 'before-idle');
    now += 16 * 60_000;
    expect(await r.provider.deleteTxt(zone, NAME, 'before-idle')).toBe('deleted');
    expect(r.emulator.actionCounts().login).toBe(2);
    expect(r.txt(NAME)).toEqual([]);
  });

  it('concurrent calls share one new login after expireSessions()', async () => {
    const zone = await r.provider.findZone(NAME);
    r.emulator.expireSessions();
    await Promise.all([r.provider.listTxt(zone, NAME), r.provider.listTxt(zone, `www.${ZONE}`), r.provider.listTxt(zone, ZONE)]);
    expect(r.emulator.actionCounts().login).toBe(2);
  });

  it('a session rejected again right after a new login is an error, not a loop', async () => {
    const zone = await r.provider.findZone(NAME);
    r.emulator.injectError({ action: 'infoDnsRecords', statuscode: 4001, times: 5, shortmessage: 'Api session id in invalid format or expired.' });
    const error = await failure(r.provider.listTxt(zone, NAME));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toMatch(/netcup infoDnsRecords: the API session was rejected again/);
    expect(r.emulator.actionCounts()).toMatchObject({ login: 2, infoDnsRecords: 2 });
  });

  it('close() logs out once, also after a failed call, and may be called again', async () => {
    const zone = await r.provider.findZone(NAME);
    await expect(r.provider.appendTxt(zone, NAME, 'x'.repeat(600))).rejects.toBeInstanceOf(InvalidInputError);
    await r.provider.close();
    await r.provider.close();
    expect(r.emulator.actionCounts().logout).toBe(1);
    expect(r.emulator.openSessions()).toBe(0);
  });

  it('close() without any call sends nothing', async () => {
    await r.provider.close();
    expect(r.emulator.server.requests).toEqual([]);
  });
});

describe('netcup: every status code of the DNS actions maps to a clear error', () => {
  let r: Rig;
  afterEach(() => r.close());

  it('4013 at login (wrong credentials): AuthenticationError saying which, not retried, warning about the lockout', async () => {
    r = await rig({ env: { NETCUP_API_PASSWORD: 'wrong-password-1' } });
    const error = await failure(r.provider.findZone(NAME));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(
      /^netcup login: the login was refused \(4013: Validation Error\. .*\); most likely the customer number, API key or API password is wrong/,
    );
    expect(error.hint).toMatch(/NETCUP_API_PASSWORD.*repeated failed logins lock the account/);
    expect(error.oneLine).not.toContain('\n');
    expect(r.emulator.actionCounts().login).toBe(1);
  });

  it('4013 rate limit (180 requests/minute): a transient error saying so, never retried', async () => {
    r = await rig({ emulator: { requestsPerMinute: 4 } });
    const zone = await r.provider.findZone(NAME); // login + infoDnsZone
    await r.provider.listTxt(zone, NAME);
    await r.provider.listTxt(zone, NAME); // the 4th request
    const error = await failure(r.provider.listTxt(zone, NAME));
    expect(error).toBeInstanceOf(NetcupRateLimitError);
    expect((error as ProviderApiError).transient).toBe(true);
    expect(error.message).toMatch(/netcup infoDnsRecords: the account is locked out for now \(4013: .*180 requests per minute/);
    expect(error.hint).toMatch(/do not retry in a loop/);
    expect(r.emulator.actionCounts().infoDnsRecords).toBe(3);
  });

  it('4013 lockout after repeated failed logins says the account is locked', async () => {
    r = await rig({ emulator: { maxFailedLogins: 2 }, env: { NETCUP_API_KEY: 'wrong-key-1' } });
    await expect(r.provider.findZone(NAME)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(r.provider.findZone(NAME)).rejects.toBeInstanceOf(AuthenticationError);
    const error = await failure(r.open({ env: { NETCUP_API_KEY: API_KEY } }).provider.findZone(NAME));
    expect(error).toBeInstanceOf(NetcupRateLimitError);
    expect(error.message).toMatch(/locked/);
  });

  it('4013 on record data: InvalidInputError naming the action; a value that long is refused before any call', async () => {
    r = await rig();
    const zone = await r.provider.findZone(NAME);
    const calls = r.emulator.server.requests.length;
    expect(await failure(r.provider.appendTxt(zone, NAME, 'y'.repeat(600)))).toBeInstanceOf(InvalidInputError);
    expect(r.emulator.server.requests.length).toBe(calls);
    const reply = {
      serverrequestid: '',
      clientrequestid: '',
      action: 'updateDnsRecords',
      status: 'error',
      statuscode: 4013,
      shortmessage: 'Validation Error.',
      longmessage: 'The destination of a TXT record is too long.',
      responsedata: '',
    };
    const error = netcupError('updateDnsRecords', reply as Parameters<typeof netcupError>[1]);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(
      /^netcup updateDnsRecords: the request was refused \(4013: Validation Error\. The destination.*\); 4013 means an invalid request or netcup's request limit/,
    );
    expect(r.txt(NAME)).toEqual([]);
  });

  it('5028 domain not found: ZoneNotFoundError mentioning CloudDNS, in one short line', async () => {
    r = await rig();
    const error = await failure(r.provider.findZone('_acme-challenge.other.org'));
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect(error.message).toBe('netcup: no zone in this account holds _acme-challenge.other.org');
    expect((error as ZoneNotFoundError).hint).toMatch(/CloudDNS it needs NETCUP_REST_API_KEY/);
    expect((error as ZoneNotFoundError).oneLine.length).toBeLessThan(180);
    expect(requestsFor(r, 'infoDnsZone').map((q) => bodyOf(q).param.domainname)).toEqual(['other.org']);
  });

  it('5028 on a record action (the domain left the account): ZoneNotFoundError mentioning CloudDNS', async () => {
    r = await rig();
    const zone = await r.provider.findZone(NAME);
    r.emulator.injectError({ action: 'updateDnsRecords', statuscode: 5028, shortmessage: 'Error in getting zone.', longmessage: 'Domain not found.' });
    const error = await failure(r.provider.appendTxt(zone, NAME, 'v'));
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect(error.message).toBe('netcup updateDnsRecords: the domain example.com is not in this account (5028)');
    expect((error as ZoneNotFoundError).hint).toMatch(/CloudDNS/);
  });

  it('other 5xxx: a transient ProviderApiError; other 4xxx: a permanent one', async () => {
    r = await rig();
    const zone = await r.provider.findZone(NAME);
    r.emulator.injectError({ action: 'infoDnsRecords', statuscode: 5000, shortmessage: 'Internal error.', longmessage: 'Please try later.' });
    const server = await failure(r.provider.listTxt(zone, NAME));
    expect(server).toBeInstanceOf(ProviderApiError);
    expect((server as ProviderApiError).transient).toBe(true);
    expect(server.message).toBe('netcup infoDnsRecords: netcup reported a server-side error (5000: Internal error. Please try later.)');
    r.emulator.injectError({ action: 'infoDnsRecords', statuscode: 4020, shortmessage: 'Not allowed.', longmessage: '' });
    const client = await failure(r.provider.listTxt(zone, NAME));
    expect((client as ProviderApiError).transient).toBe(false);
    expect(client.message).toBe('netcup infoDnsRecords: netcup refused the request (4020: Not allowed.)');
  });
});

describe('netcup: replies of an unexpected shape', () => {
  let server: EmulatorServer;
  afterEach(() => server.close());

  const envelope = (action: string, over: Record<string, unknown>) => ({
    serverrequestid: 'S',
    clientrequestid: '',
    action,
    status: 'success',
    statuscode: 2000,
    shortmessage: 'ok',
    longmessage: 'ok',
    responsedata: '',
    ...over,
  });

  async function providerAnswering(reply: (action: string) => Record<string, unknown>) {
    server = await serveHandlers([
      http.post('*/run/webservice/servers/endpoint.php', async ({ request }) => {
        const { action } = (await request.json()) as { action: string };
        if (action === 'login') return HttpResponse.json(envelope('login', { responsedata: { apisessionid: 'sess-1' } }));
        return new HttpResponse(JSON.stringify(reply(action)), { headers: { 'content-type': 'application/json' } });
      }),
    ]);
    return netcup.create(netcup.readConfig(credentialsEnv(server.url)), { logger: createLogger({ level: 'quiet' }), http: FAST_RETRY_HTTP });
  }

  it('a record list of the wrong shape names the provider, the action and the field', async () => {
    const p = await providerAnswering((action) => envelope(action, { responsedata: { dnsrecords: [{ id: '1', hostname: 7 }] } }));
    const error = await failure(p.listTxt({ name: ZONE }, NAME));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toMatch(/^netcup infoDnsRecords: answered in an unexpected shape \(responsedata at dnsrecords\.0\.hostname: /);
  });

  it('an envelope without status is a clear error, not a success', async () => {
    const p = await providerAnswering((action) => ({ action, responsedata: { dnsrecords: [] } }));
    const error = await failure(p.listTxt({ name: ZONE }, NAME));
    expect(error.message).toMatch(/^netcup infoDnsRecords: answered in an unexpected shape \(reply envelope at \w+: /);
  });

  it('a body that is not JSON, or an unknown status, is a ProviderApiError', async () => {
    const p = await providerAnswering((action) => envelope(action, { status: 'pending', statuscode: 1000 }));
    const error = await failure(p.findZone(NAME));
    expect(error.message).toMatch(/^netcup infoDnsZone: netcup answered with status "pending" \(1000: ok\)/);
  });

  it('an HTTP error status points at NETCUP_ENDPOINT', async () => {
    server = await serveHandlers([]);
    const p = netcup.create(netcup.readConfig(credentialsEnv(server.url)), { logger: createLogger({ level: 'quiet' }), http: FAST_RETRY_HTTP });
    const error = await failure(p.findZone(NAME));
    expect(error.message).toBe('netcup login: answered HTTP 404');
    expect(error.hint).toMatch(/NETCUP_ENDPOINT/);
  });
});

describe('netcup: transient failures are retried with bounded time', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());
  const action = (name: string) => (q: { body: string }) => q.body.includes(`"action":"${name}"`);

  it('5xx and 429 on reads are retried', async () => {
    r.emulator.server.inject({ fault: { kind: 'status', status: 503 }, times: 2, match: action('infoDnsZone') });
    r.emulator.server.inject({ fault: { kind: 'status', status: 429, retryAfter: 0 }, match: action('infoDnsRecords') });
    const zone = await r.provider.findZone(NAME);
    expect(await r.provider.listTxt(zone, NAME)).toEqual([]);
    expect(requestsFor(r, 'infoDnsZone')).toHaveLength(3);
    expect(requestsFor(r, 'infoDnsRecords')).toHaveLength(2);
  });

  it('a hanging read times out and is retried', async () => {
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'after-hang' });
    r.emulator.server.inject({ fault: { kind: 'hang' }, match: action('infoDnsRecords') });
    const zone = await r.provider.findZone(NAME);
    expect((await r.provider.listTxt(zone, NAME)).map((x) => x.value)).toEqual(['after-hang']);
    expect(requestsFor(r, 'infoDnsRecords')).toHaveLength(2);
  });

  it('a failed change is not resent blindly: the zone is re-read and the record added once', async () => {
    const zone = await r.provider.findZone(NAME);
    r.emulator.server.inject({ fault: { kind: 'status', status: 502 }, match: action('updateDnsRecords') });
    await r.provider.appendTxt(zone, NAME, 'v1'); // 502, re-read, added
    r.emulator.server.inject({ fault: { kind: 'hang' }, match: action('updateDnsRecords') });
    await r.provider.appendTxt(zone, NAME, 'v2'); // hang, re-read, added
    expect(r.txt(NAME)).toEqual(['v1', 'v2']);
    expect(requestsFor(r, 'updateDnsRecords')).toHaveLength(4);
    expect(r.emulator.actionCounts().updateDnsRecords).toBe(2);
  });

  it('a delete whose outcome was unknown is checked, not repeated blindly', async () => {
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, 'gone-soon');
    r.emulator.server.inject({ fault: { kind: 'status', status: 500 }, match: action('updateDnsRecords') });
    expect(await r.provider.deleteTxt(zone, NAME, 'gone-soon')).toBe('deleted');
    expect(r.txt(NAME)).toEqual([]);
  });

  it('a lasting outage ends in a transient ProviderApiError and leaves nothing behind', async () => {
    const zone = await r.provider.findZone(NAME);
    r.emulator.server.inject({ fault: { kind: 'status', status: 503 }, times: 100, match: action('updateDnsRecords') });
    const error = await failure(r.provider.appendTxt(zone, NAME, 'never'));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).transient).toBe(true);
    expect(error.message).toBe('netcup updateDnsRecords: the provider API failed (HTTP 503)');
    expect(r.txt(NAME)).toEqual([]);
    expect(requestsFor(r, 'updateDnsRecords')).toHaveLength(2);
  });

  it('a reply that is not JSON is a clear ProviderApiError', async () => {
    r.emulator.server.inject({ fault: { kind: 'malformed' }, match: action('infoDnsZone') });
    const error = await failure(r.provider.findZone(NAME));
    expect(error.message).toBe('netcup infoDnsZone: answered with a body that is not JSON (HTTP 200)');
  });
});

describe('netcup: secrets never appear in output', () => {
  afterEach(() => clearSecrets());

  it('not in debug logs nor error messages, on success and on every kind of failure', async () => {
    const seen: string[] = [];
    const runs: Rig[] = [];
    const attempt = async (r: Rig, work: (zone: { name: string }) => Promise<unknown>) => {
      runs.push(r);
      try {
        await work({ name: ZONE });
      } catch (error) {
        seen.push(describeError(error), (error as Dns01Error).oneLine ?? '', String((error as Error).stack));
      }
    };
    const ok = await rig();
    await attempt(ok, async (zone) => {
      await ok.provider.appendTxt(zone, NAME, 'secret-check');
      await ok.provider.deleteTxt(zone, NAME, 'secret-check');
      await ok.provider.close();
    });
    const badPassword = await rig({ env: { NETCUP_API_PASSWORD: `${API_PASSWORD}-wrong` } });
    await attempt(badPassword, (zone) => badPassword.provider.listTxt(zone, NAME));
    const outage = await rig();
    outage.emulator.server.inject({ fault: { kind: 'status', status: 500 }, times: 50 });
    await attempt(outage, (zone) => outage.provider.appendTxt(zone, NAME, 'x'));
    const hang = await rig();
    hang.emulator.server.inject({ fault: { kind: 'hang' }, times: 2, match: (q) => !q.body.includes('"login"') });
    await attempt(hang, (zone) => hang.provider.listTxt(zone, NAME));
    const garbage = await rig();
    garbage.emulator.server.inject({ fault: { kind: 'malformed' }, times: 50, match: (q) => !q.body.includes('"login"') });
    await attempt(garbage, (zone) => garbage.provider.listTxt(zone, NAME));
    const expired = await rig();
    expired.emulator.injectError({ statuscode: 4001, times: 5, longmessage: 'Session expired.' });
    await attempt(expired, (zone) => expired.provider.listTxt(zone, NAME));
    for (const r of runs) await r.close();

    const secrets = [API_KEY, API_PASSWORD, `${API_PASSWORD}-wrong`, ...runs.flatMap((r) => r.emulator.sessionIds())];
    expect(runs.flatMap((r) => r.emulator.sessionIds()).length).toBeGreaterThanOrEqual(5);
    // The secrets did travel on the wire (so the search below is meaningful) ...
    expect(runs[0]!.emulator.server.requests.some((q) => q.body.includes(API_PASSWORD))).toBe(true);
    // ... yet no log line at debug level and no error text holds one.
    const output = [...runs.flatMap((r) => r.logs), ...seen];
    expect(output.length).toBeGreaterThan(20);
    expect(seen.filter((s) => s.startsWith('netcup')).length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) {
      for (const line of output) expect(line).not.toContain(secret);
    }
  });
});
