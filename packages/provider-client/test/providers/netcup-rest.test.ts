import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthenticationError,
  ConfigError,
  ExitCode,
  InvalidInputError,
  ProviderApiError,
  ZoneNotFoundError,
  clearSecrets,
  openSession,
  openDnsSession,
  redact,
} from '../../src/internal.js';
import { NETCUP_REST_READINGS, providerRig, TEST_REST_API_KEY as REST_KEY, type NetcupRestWorldOptions, type ProviderRigOptions } from '@dns01/testkit';
import { failure } from '@dns01/testkit/support';
import { netcup } from '../../src/providers/netcup/index.js';
import { acmeValue, describeProviderConformance } from '../conformance.js';

/** On CloudDNS: the REST API manages it. */
const CLOUD_ZONE = 'cloud.example';
/** In the account, but on the legacy backend (isDnsManaged false): only the CCP API changes it. */
const LEGACY_ZONE = 'legacy.example';
/** Served by DNS, not in the account. */
const OTHER_ZONE = 'other.org';
const NAME = `_acme-challenge.${CLOUD_ZONE}`;
/** The legacy (CCP) credentials, for the settings tests. */
const [CUSTOMER, API_KEY, API_PASSWORD] = ['40017', 'nc-apikey-Vq83mZk2', 'nc-apipw-Rt51xLp9'];

type RestRigOptions = ProviderRigOptions<'netcup'> & { rest?: NetcupRestWorldOptions; legacy?: boolean };
type RestRig = Awaited<ReturnType<typeof restRig>>;
/** netcup with the REST API key and (unless `legacy: false`) the CCP credentials; `rest` and `ccp` are the two emulators. */
async function restRig({ rest, legacy = true, ...options }: RestRigOptions = {}) {
  const zones = [CLOUD_ZONE, LEGACY_ZONE];
  const records = [...zones, OTHER_ZONE].map((zone) => ({ name: zone, type: 'A' as const, data: '192.0.2.1' }));
  const r = await providerRig('netcup', {
    zones,
    foreignZones: [OTHER_ZONE],
    records,
    emulator: { rest: { ...rest, cloudZones: [CLOUD_ZONE], legacyCredentials: legacy } },
    ...options,
  });
  return Object.assign(r, { rest: r.emulator.rest!, ccp: r.emulator });
}

for (const changeset of [false, true]) {
  for (const legacy of [true, false]) {
    describeProviderConformance(
      `netcup REST (second value coexists, general-record endpoint ${changeset ? 'present' : 'absent'}, legacy credentials ${legacy ? 'set' : 'unset'})`,
      async () => {
        const r = await restRig({ rest: { changeset }, legacy });
        return { provider: r.provider, store: r.store, zone: CLOUD_ZONE, value: acmeValue, close: r.close };
      },
    );
  }
}

for (const reading of NETCUP_REST_READINGS) {
  describeProviderConformance(`netcup REST (reading: ${reading.label}, NETCUP_REST_CHANGESET=1)`, async () => {
    const r = await restRig({ rest: { changeset: true, readings: reading.readings }, env: { NETCUP_REST_CHANGESET: '1' } });
    return { provider: r.provider, store: r.store, zone: CLOUD_ZONE, value: acmeValue, close: r.close };
  });
}

describeProviderConformance('netcup REST (deployed at once)', async () => {
  const r = await restRig({ rest: { deployDelayMs: 0 } });
  return { provider: r.provider, store: r.store, zone: CLOUD_ZONE, value: acmeValue, close: r.close };
});

describeProviderConformance('netcup REST key + legacy credentials: a domain with isDnsManaged false goes through the CCP API', async () => {
  const r = await restRig();
  return { provider: r.provider, store: r.store, zone: LEGACY_ZONE, close: r.close };
});

describe('netcup REST: requests follow what the public clients document', () => {
  let r: RestRig;
  beforeEach(async () => {
    r = await restRig();
  });
  afterEach(() => r.close());

  it('sends the key as a Bearer token, finds the domain by fqdn and uses the ACME challenge endpoints with scope and value', async () => {
    const zone = await r.provider.findZone(`_acme-challenge.a.b.${CLOUD_ZONE}`);
    expect(zone).toEqual({ name: CLOUD_ZONE, id: `rest:${r.rest.domainId(CLOUD_ZONE)}` });
    await r.provider.appendTxt(zone, NAME, acmeValue('apex'));
    await r.provider.appendTxt(zone, `_acme-challenge.a.b.${CLOUD_ZONE}`, acmeValue('deep'));
    expect(await r.provider.deleteTxt(zone, NAME, acmeValue('apex'))).toBe('deleted');
    const requests = r.rest.server.requests;
    expect(requests.every((q) => q.headers.authorization === `Bearer ${REST_KEY}`)).toBe(true);
    const id = r.rest.domainId(CLOUD_ZONE);
    // Longest suffix first; the challenge label itself is never asked for.
    expect(requests.filter((q) => q.url.startsWith('/v1/domain?')).map((q) => q.url)).toEqual([
      '/v1/domain?fqdn=a.b.cloud.example',
      '/v1/domain?fqdn=b.cloud.example',
      '/v1/domain?fqdn=cloud.example',
    ]);
    const posts = requests.filter((q) => q.method === 'POST');
    expect(posts.map((q) => [q.url, JSON.parse(q.body)])).toEqual([
      [`/v1/domain/${id}/acme/challenge`, { scope: '@', value: acmeValue('apex') }],
      [`/v1/domain/${id}/acme/challenge`, { scope: 'a.b', value: acmeValue('deep') }],
    ]);
    expect(requests.find((q) => q.method === 'DELETE')!.url).toBe(`/v1/domain/${id}/acme/challenge/%40/${acmeValue('apex')}`);
    expect(r.txt(`_acme-challenge.a.b.${CLOUD_ZONE}`)).toEqual([acmeValue('deep')]);
    expect(r.txt(NAME)).toEqual([]);
  });

  it('deleting a value that is not there (resourceDoesNotExist) is "absent" and changes nothing', async () => {
    const zone = await r.provider.findZone(NAME);
    const serial = r.store.serial(CLOUD_ZONE);
    expect(await r.provider.deleteTxt(zone, NAME, acmeValue('never'))).toBe('absent');
    expect(r.store.serial(CLOUD_ZONE)).toBe(serial);
  });

  it('a separate process costs 3 calls for a present on an empty scope (lookup, list, add) and 2 for a cleanup', async () => {
    const present = r.open().provider;
    const zone = await present.findZone(NAME);
    await present.appendTxt(zone, NAME, acmeValue('one'));
    expect(r.rest.operationCounts()).toEqual({ lookup: 1, list: 1, add: 1 });
    const cleanup = r.open().provider;
    await cleanup.deleteTxt(await cleanup.findZone(NAME), NAME, acmeValue('one'));
    expect(r.rest.operationCounts()).toEqual({ lookup: 2, list: 1, add: 1, delete: 1 });
  });

  it('a batch in one process looks each zone up once', async () => {
    const names = [NAME, `_acme-challenge.www.${CLOUD_ZONE}`, `_acme-challenge.a.${CLOUD_ZONE}`];
    await Promise.all(names.map(async (n) => r.provider.appendTxt(await r.provider.findZone(n), n, acmeValue(n))));
    expect(r.rest.server.requests.filter((q) => q.url === `/v1/domain?fqdn=${CLOUD_ZONE}`)).toHaveLength(1);
  });

  it('the deployed status changes after a delay that has nothing to do with DNS; dns01 never polls it', async () => {
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, acmeValue('status'));
    const id = r.rest.domainId(CLOUD_ZONE)!;
    const status = async () => {
      const res = await fetch(`${r.rest.endpoint}/domain/${id}/acme/challenge`, { headers: { authorization: `Bearer ${REST_KEY}` } });
      return ((await res.json()) as { result: { status: string }[] }).result[0]!.status;
    };
    expect(await status()).toBe('pending');
    expect(r.rest.server.requests.some((q) => q.method === 'GET' && q.url.includes('/acme/challenge/'))).toBe(false);
  });

  it('refuses a value that is not an ACME value before any write', async () => {
    const zone = await r.provider.findZone(NAME);
    const error = await failure(r.provider.appendTxt(zone, NAME, 'not-an-acme-value'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/43 characters of base64url/);
    expect(r.rest.operationCounts().add).toBeUndefined();
  });
});

describe('netcup REST: a second value on a scope replaces the first (emulator knob)', () => {
  let r: RestRig;
  beforeEach(async () => {
    r = await restRig({ rest: { secondValue: 'replace' } });
  });
  afterEach(() => r.close());

  it('fails loudly naming the value that vanished, removes its own new value and refuses further second values before writing', async () => {
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, acmeValue('apex'));
    const error = await failure(r.provider.appendTxt(zone, NAME, acmeValue('wildcard')));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toContain(`removed "${acmeValue('apex')}" that was there before`);
    expect(error.oneLine).toMatch(/separate certificates/);
    expect(r.txt(NAME)).toEqual([]);
    const adds = r.rest.operationCounts().add;
    await r.provider.appendTxt(zone, `_acme-challenge.www.${CLOUD_ZONE}`, acmeValue('www'));
    await expect(r.provider.appendTxt(zone, `_acme-challenge.www.${CLOUD_ZONE}`, acmeValue('www2'))).rejects.toThrow(/refusing to add a second value/);
    expect(r.rest.operationCounts().add).toBe(adds! + 1);
  });

  it("a value that was there before (another client's) and vanished is named too", async () => {
    r.store.add(CLOUD_ZONE, { name: NAME, type: 'TXT', data: 'foreign-value' });
    const zone = await r.provider.findZone(NAME);
    await expect(r.provider.appendTxt(zone, NAME, acmeValue('mine'))).rejects.toThrow(/removed "foreign-value"/);
  });

  it('values on different scopes are unaffected', async () => {
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, acmeValue('apex'));
    await r.provider.appendTxt(zone, `_acme-challenge.www.${CLOUD_ZONE}`, acmeValue('www'));
    expect(r.txt(NAME)).toEqual([acmeValue('apex')]);
    expect(await r.provider.deleteTxt(zone, NAME, acmeValue('apex'))).toBe('deleted');
  });
});

describe('netcup REST: errors are decided by errors[].code', () => {
  let r: RestRig;
  afterEach(() => r.close());

  it('a wrong key: authenticationError (HTTP 400) is exit 4, one request, no retry, no write', async () => {
    r = await restRig({ env: { NETCUP_REST_API_KEY: 'wrong-'.padEnd(64, 'q') } });
    const serial = r.store.serial(CLOUD_ZONE);
    const error = await failure(r.provider.findZone(NAME));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.exitCode).toBe(ExitCode.auth);
    expect(error.oneLine).toMatch(/NETCUP_REST_API_KEY/);
    expect(error.oneLine).toMatch(/"API keys"/);
    expect(r.rest.server.requests).toHaveLength(1);
    expect(r.ccp.server.requests).toHaveLength(0);
    expect(r.store.serial(CLOUD_ZONE)).toBe(serial);
  });

  it('HTTP 5xx on a read is retried; an unknown error code is a ProviderApiError with the code; a non-envelope body is a shape error', async () => {
    r = await restRig();
    r.rest.server.inject({ fault: { kind: 'status', status: 503 }, times: 1 });
    const zone = await r.provider.findZone(NAME);
    expect(zone.name).toBe(CLOUD_ZONE);
    r.rest.server.inject({ fault: { kind: 'malformed' } });
    expect((await failure(r.provider.listTxt(zone, NAME))).message).toMatch(/not JSON/);
  });

  it('the key never appears in errors or logs', async () => {
    r = await restRig();
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, acmeValue('x'));
    expect(r.logs.join('\n')).not.toContain(REST_KEY);
    expect(redact(`Bearer ${REST_KEY}`)).toBe('Bearer ***');
  });
});

describe('netcup: the backend is chosen per domain', () => {
  let r: RestRig;
  afterEach(() => r.close());

  it('REST key only: a domain on the legacy backend is a clear error naming the credentials to add, before any write', async () => {
    r = await restRig({ legacy: false });
    const error = await failure(r.provider.findZone(`_acme-challenge.${LEGACY_ZONE}`));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/isDnsManaged: false/);
    expect(error.oneLine).toMatch(/NETCUP_CUSTOMER_NUMBER, NETCUP_API_KEY .*NETCUP_API_PASSWORD/);
    expect(r.ccp.server.requests).toHaveLength(0);
  });

  it('legacy credentials only: a CloudDNS domain is "not found", naming CloudDNS and which key to create where', async () => {
    r = await restRig({ env: { NETCUP_REST_API_KEY: '' } });
    const error = await failure(r.provider.findZone(NAME));
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect(error.oneLine).toMatch(/CloudDNS/);
    expect(error.oneLine).toMatch(/NETCUP_REST_API_KEY \(CCP > Master Data > API, "API keys"\)/);
    expect(r.rest.server.requests).toHaveLength(0);
  });

  it('both: one provider serves a REST zone and a legacy zone side by side', async () => {
    r = await restRig();
    const cloud = await r.provider.findZone(NAME);
    const legacy = await r.provider.findZone(`_acme-challenge.${LEGACY_ZONE}`);
    await r.provider.appendTxt(cloud, NAME, acmeValue('c'));
    await r.provider.appendTxt(legacy, `_acme-challenge.${LEGACY_ZONE}`, acmeValue('l'));
    expect(r.txt(NAME)).toEqual([acmeValue('c')]);
    expect(r.txt(`_acme-challenge.${LEGACY_ZONE}`)).toEqual([acmeValue('l')]);
    expect(r.provider.describeZone!(cloud)).toMatchObject({ backend: 'rest', credentials: 'present' });
    expect(r.provider.describeZone!(legacy)).toMatchObject({ backend: 'ccp', credentials: 'present' });
    expect(r.ccp.actionCounts().updateDnsRecords).toBe(1);
  });
});

describe('netcup REST: names outside _acme-challenge', () => {
  let r: RestRig;
  afterEach(() => r.close());
  const persist = `_validation-persist.${CLOUD_ZONE}`;

  it('without NETCUP_REST_CHANGESET: refused before any write, naming the alternatives', async () => {
    r = await restRig({ rest: { changeset: true } });
    const zone = await r.provider.findZone(persist);
    const error = await failure(r.provider.appendTxt(zone, persist, 'persist-value'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.oneLine).toMatch(/CNAME.*DNS01_CNAME=0.*NETCUP_REST_CHANGESET=1/);
    expect(r.rest.server.requests.filter((q) => q.method !== 'GET')).toHaveLength(0);
  });

  for (const reading of NETCUP_REST_READINGS) {
    it(`with the switch (reading: ${reading.label}): through the changeset endpoint, TXT rdata quoted on create and delete, the listed ttl, checked before and after, exact delete`, async () => {
      r = await restRig({ rest: { changeset: true, readings: reading.readings }, env: { NETCUP_REST_CHANGESET: '1' } });
      r.store.add(CLOUD_ZONE, { name: persist, type: 'TXT', data: 'foreign-persist', ttl: 3600 });
      r.store.add(CLOUD_ZONE, { name: persist, type: 'TXT', data: 'made elsewhere; ttl=600', ttl: 600 });
      const zone = await r.provider.findZone(persist);
      await r.provider.appendTxt(zone, persist, 'persist value; with=spaces');
      expect(r.txt(persist)).toEqual(['foreign-persist', 'made elsewhere; ttl=600', 'persist value; with=spaces']);
      expect((await r.provider.listTxt(zone, persist)).map((x) => x.value).sort()).toEqual([
        'foreign-persist',
        'made elsewhere; ttl=600',
        'persist value; with=spaces',
      ]);
      expect(await r.provider.deleteTxt(zone, persist, 'persist value; with=spaces')).toBe('deleted');
      expect(await r.provider.deleteTxt(zone, persist, 'persist value; with=spaces')).toBe('absent');
      expect(await r.provider.deleteTxt(zone, persist, 'made elsewhere; ttl=600')).toBe('deleted');
      expect(r.txt(persist)).toEqual(['foreign-persist']);
      expect(r.store.records(CLOUD_ZONE, { type: 'A' })).toHaveLength(1);
      const changesets = r.rest.server.requests
        .filter((q) => q.url.endsWith('/changeset'))
        .map((q) => JSON.parse(q.body) as { create: unknown[]; delete: unknown[] });
      expect(changesets).toEqual([
        expect.objectContaining({ create: [{ name: '_validation-persist', type: 'TXT', rdata: '"persist value; with=spaces"', ttl: 300 }], delete: [] }),
        expect.objectContaining({ create: [], delete: [{ name: '_validation-persist', type: 'TXT', rdata: '"persist value; with=spaces"', ttl: 300 }] }),
        expect.objectContaining({ create: [], delete: [{ name: '_validation-persist', type: 'TXT', rdata: '"made elsewhere; ttl=600"', ttl: 600 }] }),
      ]);
    });
  }

  it('with the switch but no such endpoint: a clear error, nothing written', async () => {
    r = await restRig({ rest: { changeset: false }, env: { NETCUP_REST_CHANGESET: '1' } });
    const zone = await r.provider.findZone(persist);
    const serial = r.store.serial(CLOUD_ZONE);
    const error = await failure(r.provider.appendTxt(zone, persist, 'persist-value'));
    expect(error.message).toMatch(/general-record endpoint does not exist/);
    expect(r.store.serial(CLOUD_ZONE)).toBe(serial);
  });
});

describe('netcup: REST settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'netcup-rest-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    clearSecrets();
  });
  const trio = { NETCUP_CUSTOMER_NUMBER: CUSTOMER, NETCUP_API_KEY: API_KEY, NETCUP_API_PASSWORD: API_PASSWORD };

  it("NETCUP_REST_API_KEY, lego's NETCUPV1_API_KEY and the _FILE forms; the key is a secret; the trio is then optional", () => {
    expect(netcup.readConfig({ NETCUP_REST_API_KEY: REST_KEY }).restApiKey).toBe(REST_KEY);
    expect(netcup.readConfig({ NETCUPV1_API_KEY: REST_KEY }).restApiKey).toBe(REST_KEY);
    const file = join(dir, 'key');
    writeFileSync(file, `${REST_KEY}\n`);
    const config = netcup.readConfig({ NETCUPV1_API_KEY_FILE: file });
    expect(config).toMatchObject({ restApiKey: REST_KEY, restEndpoint: 'https://api.netcup.com/v1', restChangeset: false });
    expect(netcup.settings.restApiKey!.secret).toBe(true);
    expect(redact(REST_KEY)).toBe('***');
  });

  it('acme.sh: a 64-character NC_Apikey is the REST key, NC_Apikey_Legacy + NC_Apipw + NC_CID the legacy fallback', () => {
    const config = netcup.readConfig({ NC_Apikey: REST_KEY, NC_Apikey_Legacy: API_KEY, NC_Apipw: API_PASSWORD, NC_CID: CUSTOMER });
    expect(config).toMatchObject({ restApiKey: REST_KEY, apiKey: API_KEY, apiPassword: API_PASSWORD, customerNumber: CUSTOMER });
    const old = netcup.readConfig({ NC_Apikey: API_KEY, NC_Apipw: API_PASSWORD, NC_CID: CUSTOMER });
    expect(old).toMatchObject({ restApiKey: undefined, apiKey: API_KEY });
  });

  it('no credentials, or part of the trio: errors that say what to set', () => {
    expect(() => netcup.readConfig({})).toThrow(/NETCUP_REST_API_KEY .*or NETCUP_CUSTOMER_NUMBER, NETCUP_API_KEY and NETCUP_API_PASSWORD/);
    expect(() => netcup.readConfig({ NETCUP_REST_API_KEY: REST_KEY, NETCUP_API_KEY: API_KEY })).toThrow(
      /NETCUP_CUSTOMER_NUMBER and NETCUP_API_PASSWORD are not set/,
    );
    try {
      netcup.readConfig({ NETCUP_API_KEY: REST_KEY });
    } catch (error) {
      expect((error as ConfigError).oneLine).toMatch(/set it as NETCUP_REST_API_KEY/);
    }
    expect(netcup.readConfig(trio).restApiKey).toBeUndefined();
  });

  it('propagation defaults: REST only is shorter and polls under a second; with the legacy credentials the CCP timeout stays', () => {
    expect(netcup.backends!.propagationFor(netcup.readConfig({ NETCUP_REST_API_KEY: REST_KEY }))).toEqual({ timeout: 600, interval: 0.5 });
    expect(netcup.backends!.propagationFor(netcup.readConfig({ ...trio, NETCUP_REST_API_KEY: REST_KEY }))).toEqual({ timeout: 1200, interval: 0.5 });
    expect(netcup.backends!.propagationFor(netcup.readConfig(trio))).toEqual({ timeout: 1200, interval: 5 });
  });

  it('the flow takes those defaults: openSession, and dns01 wait (no credentials needed, the CCP ones when none are readable)', async () => {
    const env = { DNS01_PROVIDER: 'netcup', NETCUP_REST_API_KEY: REST_KEY };
    const ctx = openSession(env).flow();
    expect([ctx.propagation.timeoutMs, ctx.propagation.intervalMs]).toEqual([600_000, 500]);
    await ctx.provider.close();
    expect(openDnsSession(env).flow().propagation.intervalMs).toBe(500);
    expect(openDnsSession({ DNS01_PROVIDER: 'netcup' }).flow().propagation).toMatchObject({ timeoutMs: 1_200_000, intervalMs: 5000 });
    expect(openDnsSession({ ...env, DNS01_POLLING_INTERVAL: '2' }).flow().propagation.intervalMs).toBe(2000);
  });
});
