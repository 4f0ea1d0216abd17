import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, InvalidInputError, ProviderApiError, ZoneNotFoundError, clearSecrets } from '../../src/internal.js';
import { sourcedesk } from '../../src/providers/sourcedesk/index.js';
import { describeProviderConformance } from '../conformance.js';
import { providerRig, SOURCEDESK_READINGS, type EmulatorOptionsOf, type ProviderRig } from '@dns01/testkit';

const ZONE = 'sourcedesk-shop.test';
const NAME = `_acme-challenge.${ZONE}`;
/** A zone at sourceDESK holding only SOA and NS. */
const BARE_ZONE = 'bare.test';
/** A key with characters that must be URL-encoded in a path segment. */
const CREDENTIALS = { customerId: '10042', apiKey: 'sK/4+q&w=Z%e?#ü k' };
const { customerId: CUSTOMER_ID, apiKey: API_KEY } = CREDENTIALS;
type Rig = ProviderRig<'sourcedesk'>;
/** The account: ZONE, second.test, myexample.test (each with an A record at its apex, as the panel makes them) and BARE_ZONE; parked.test is a domain of the account without a zone at sourceDESK. */
const rig = (emulator: EmulatorOptionsOf['sourcedesk'] = {}): Promise<Rig> =>
  providerRig('sourcedesk', {
    zones: [ZONE, 'second.test', 'myexample.test', BARE_ZONE],
    foreignZones: ['parked.test'],
    emulator: { credentials: CREDENTIALS, domainsWithoutZone: ['parked.test'], bareZones: [BARE_ZONE], ...emulator },
  });

for (const reading of SOURCEDESK_READINGS) {
  describeProviderConformance(`sourcedesk (reading: ${reading.label})`, async () => {
    const r = await rig({ readings: reading.readings });
    return { provider: r.provider, store: r.store, zone: ZONE, close: r.close };
  });
}

describe('sourcedesk: settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sourcedesk-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    clearSecrets();
  });

  it('reads the customer ID, the key (also from _FILE) and the default endpoint', () => {
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, `${API_KEY}\n`);
    const config = sourcedesk.readConfig({ SOURCEDESK_CUSTOMER_ID: CUSTOMER_ID, SOURCEDESK_API_KEY_FILE: keyFile });
    expect(config).toEqual({ customerId: CUSTOMER_ID, apiKey: API_KEY, endpoint: 'https://sourceway.de/api' });
    expect(sourcedesk.settings.apiKey!.secret).toBe(true);
    expect(sourcedesk.propagation).toMatchObject({ timeout: 600, interval: 5 });
  });

  it('takes SOURCEDESK_ENDPOINT without a trailing slash', () => {
    const config = sourcedesk.readConfig({
      SOURCEDESK_CUSTOMER_ID: CUSTOMER_ID,
      SOURCEDESK_API_KEY: API_KEY,
      SOURCEDESK_ENDPOINT: 'http://127.0.0.1:8080/api/',
    });
    expect(config.endpoint).toBe('http://127.0.0.1:8080/api');
  });

  it('names the missing or malformed variable, never its value', () => {
    expect(() => sourcedesk.readConfig({ SOURCEDESK_CUSTOMER_ID: CUSTOMER_ID })).toThrow(/SOURCEDESK_API_KEY is not set/);
    expect(() => sourcedesk.readConfig({ SOURCEDESK_API_KEY: API_KEY })).toThrow(ConfigError);
    expect(() => sourcedesk.readConfig({ SOURCEDESK_CUSTOMER_ID: '10/42', SOURCEDESK_API_KEY: API_KEY })).toThrow(/SOURCEDESK_CUSTOMER_ID is malformed/);
    expect(() => sourcedesk.readConfig({ SOURCEDESK_CUSTOMER_ID: CUSTOMER_ID, SOURCEDESK_API_KEY: API_KEY, SOURCEDESK_ENDPOINT: 'ftp://x' })).toThrow(
      /SOURCEDESK_ENDPOINT is malformed/,
    );
  });
});

describe("sourcedesk: requests as the vendor's server takes them", () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());
  const actions = () => r.emulator.server.requests.map((q) => q.url.slice(q.url.lastIndexOf('/') + 1));
  const form = (i: number) => Object.fromEntries(new URLSearchParams(r.emulator.server.requests[i]!.body));

  it('POSTs form parameters to /api/CUSTOMER_ID/API_KEY/dns/<action> with the key encoded; TTL 300, priority 0', async () => {
    const provider = r.open({ apex: async () => ZONE }).provider;
    const zone = await provider.findZone(NAME);
    await provider.appendTxt(zone, NAME, 'wire-value');
    expect(await provider.deleteTxt(zone, NAME, 'wire-value')).toBe('deleted');
    const prefix = `/api/${CUSTOMER_ID}/${encodeURIComponent(API_KEY)}/dns/`;
    const requests = r.emulator.server.requests;
    // The add is confirmed by a listing (no id in its reply); the delete goes against a listing taken right before it and is checked by one after.
    expect(actions()).toEqual(['list', 'show', 'add', 'show', 'show', 'delete', 'show']);
    for (const q of requests) {
      expect(q.url.startsWith(prefix)).toBe(true);
      expect(q.method).toBe('POST');
      expect(q.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    }
    expect(form(0)).toEqual({ domain: ZONE });
    expect(form(1)).toEqual({ domain: ZONE });
    expect(form(2)).toEqual({ domain: ZONE, name: '_acme-challenge', type: 'TXT', content: 'wire-value', ttl: '300', priority: '0' });
    expect(form(5)).toEqual({ domain: ZONE, record: expect.stringMatching(/^[1-9]\d*$/) });
  });

  it('writes names relative to the zone, "" for the apex, and reads them back absolute', async () => {
    const zone = await r.provider.findZone(ZONE);
    await r.provider.appendTxt(zone, ZONE, 'apex-value');
    await r.provider.appendTxt(zone, `_acme-challenge.Deep.${ZONE}.`, 'deep-value');
    const adds = r.emulator.server.requests.filter((q) => q.url.endsWith('/dns/add')).map((q) => new URLSearchParams(q.body).get('name'));
    expect(adds).toEqual(['', '_acme-challenge.deep']);
    expect(r.txt(ZONE)).toEqual(['apex-value']);
    expect(await r.provider.listTxt(zone, ZONE)).toEqual([{ name: ZONE, value: 'apex-value', id: expect.any(String) }]);
    expect((await r.provider.listTxt(zone, `_acme-challenge.deep.${ZONE}`)).map((x) => x.value)).toEqual(['deep-value']);
  });

  it('tries the SOA apex first: one dns/list call for a deep name', async () => {
    const provider = r.open({ apex: async () => ZONE }).provider;
    expect(await provider.findZone(`_acme-challenge.a.b.c.${ZONE}`)).toEqual({ name: ZONE });
    expect(r.emulator.calls.list).toBe(1);
  });

  it('confirms a zone only by exact name (the list filter is a substring match) and never sends a name with an _ label (a LIKE wildcard)', async () => {
    // The account holds myexample.test: the filter "example.test" matches it, the name does not.
    await expect(r.provider.findZone('_acme-challenge.example.test')).rejects.toBeInstanceOf(ZoneNotFoundError);
    expect((await r.provider.findZone('_acme-challenge.myexample.test')).name).toBe('myexample.test');
    await expect(r.provider.findZone('_acme-challenge.x._tcp.not-mine.test')).rejects.toBeInstanceOf(ZoneNotFoundError);
    const sent = r.emulator.server.requests.map((q) => new URLSearchParams(q.body).get('domain'));
    expect(sent).toEqual(['example.test', 'myexample.test', 'not-mine.test']);
  });

  it('lists the zones the credentials reach', async () => {
    expect(await r.provider.listZones!()).toEqual([BARE_ZONE, 'myexample.test', 'second.test', ZONE]);
  });

  it('leaves records of other zones, other names, other types alone', async () => {
    r.store.add('second.test', { name: '_acme-challenge.second.test', type: 'TXT', data: 'same-value' });
    r.store.add(ZONE, { name: `www.${ZONE}`, type: 'TXT', data: 'same-value' });
    r.store.add(ZONE, { name: `*.${ZONE}`, type: 'A', data: '192.0.2.1' });
    r.store.add(ZONE, { name: NAME, type: 'CNAME', data: 'same-value.example' });
    const before = { zone: r.snapshot(ZONE), second: r.snapshot('second.test') };
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, 'same-value');
    expect(await r.provider.deleteTxt(zone, NAME, 'same-value')).toBe('deleted');
    expect({ zone: r.snapshot(ZONE), second: r.snapshot('second.test') }).toEqual(before);
  });

  it('reads the quoted TXT content the PowerDNS driver lists as the bare value', async () => {
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, 'quoted-value');
    expect(await r.provider.appendTxt(zone, NAME, 'quoted-value')).toBe('present');
    expect(r.txt(NAME)).toEqual(['quoted-value']);
    expect((await r.provider.listTxt(zone, NAME)).map((x) => x.value)).toEqual(['quoted-value']);
    expect(await r.provider.deleteTxt(zone, NAME, 'quoted-value')).toBe('deleted');
    expect(r.txt(NAME)).toEqual([]);
  });

  it('a value stored twice (sourceDESK keeps duplicates) is deleted twice, each delete against a fresh listing', async () => {
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'twice' });
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'twice' });
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'foreign' });
    expect(await r.provider.deleteTxt({ name: ZONE }, NAME, 'twice')).toBe('deleted');
    expect(r.txt(NAME)).toEqual(['foreign']);
    expect(actions()).toEqual(['show', 'delete', 'show', 'delete', 'show']);
  });

  it('reads an empty list sent as [] (PHP empty array)', async () => {
    r.emulator.answerNext({ action: 'show', code: 100, message: 'Zone fetched.', data: [] });
    expect(await r.provider.listTxt({ name: ZONE }, NAME)).toEqual([]);
  });

  it('asks for TTL 300 and reports the TTL the zone stored; a refused add (805) is final, sent once', async () => {
    const { provider, readings } = r.open();
    const zone = await provider.findZone(NAME);
    await provider.appendTxt(zone, NAME, 'ttl-one');
    expect(r.store.records(ZONE, { name: NAME, type: 'TXT' }).map((x) => x.ttl)).toEqual([300]);
    expect(readings.report(sourcedesk.openPoints!)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ point: 'ttl', seen: 'stores the TTL asked for (300)', handled: true }),
        expect.objectContaining({ point: 'numbering', seen: 'by record id', handled: true }),
      ]),
    );
    r.emulator.answerNext({ action: 'add', code: 805, message: 'Error at adding record.' });
    const error = await provider.appendTxt(zone, NAME, 'refused').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe(
      'sourcedesk dns/add: the record was refused (code 805: Error at adding record.); sourceDESK refuses a record whose name, type or data it cannot store',
    );
    expect(r.emulator.calls.add).toBe(2);
  });
});

describe('sourcedesk: a zone with no record sourceDESK shows (only SOA and NS: it answers 804 "Zone not found.")', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());
  const bare = { name: BARE_ZONE };
  const name = `_acme-challenge.${BARE_ZONE}`;

  it('found by dns/list, but reading or adding says the zone holds nothing sourceDESK shows and what to do, not to move the nameservers', async () => {
    expect(await r.provider.findZone(name)).toEqual(bare);
    for (const call of [() => r.provider.listTxt(bare, name), () => r.provider.appendTxt(bare, name, 'v')]) {
      const error = (await call().catch((e: unknown) => e)) as ZoneNotFoundError;
      expect(error).toBeInstanceOf(ZoneNotFoundError);
      expect(error.message).toMatch(
        /^sourcedesk dns\/show: sourceDESK shows no record of bare\.test \(code 804: Zone not found\.\); its API answers so for a zone that holds only SOA and NS records/,
      );
      expect(error.hint).toMatch(/^Add any record to bare\.test in the sourceDESK panel/);
      expect(error.hint).not.toMatch(/Point the domain/);
    }
    expect(r.emulator.calls.add ?? 0).toBe(0);
  });

  it('a domain not on the sourceDESK nameservers (804, not listed) keeps the nameserver hint', async () => {
    const error = (await r.provider.listTxt({ name: 'parked.test' }, '_acme-challenge.parked.test').catch((e: unknown) => e)) as ZoneNotFoundError;
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect(error.message).toMatch(/parked\.test has no DNS zone at sourceDESK \(code 804: Zone not found\.\)/);
    expect(error.hint).toMatch(/nameservers/);
  });

  it('a cleanup finds nothing to delete (absent, no delete sent), also after dns01 deleted the last record sourceDESK showed', async () => {
    expect(await r.provider.deleteTxt(bare, name, 'v')).toBe('absent');
    // A zone whose only shown record is the challenge: the delete empties it, and from then on it answers 804.
    r.store.add(BARE_ZONE, { name, type: 'TXT', data: 'only-one' });
    expect(await r.provider.deleteTxt(bare, name, 'only-one')).toBe('deleted');
    expect(await r.provider.deleteTxt(bare, name, 'only-one')).toBe('absent');
    expect(r.emulator.calls.delete).toBe(1);
  });
});

describe('sourcedesk: a driver that numbers records by position (reading: dbs)', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig({ readings: { driver: 'dbs' } });
  });
  afterEach(() => r.close());

  it('reads dns/show as a list, and deletes a value stored twice one at a time, re-listing before each, leaving the record after them alone', async () => {
    for (const data of ['twice', 'twice', 'FOREIGN']) r.store.add(ZONE, { name: NAME, type: 'TXT', data });
    const { provider, readings } = r.open();
    expect((await provider.listTxt({ name: ZONE }, NAME)).map((x) => x.value)).toEqual(['twice', 'twice', 'FOREIGN']);
    expect(readings.report(sourcedesk.openPoints!).find((p) => p.point === 'numbering')).toMatchObject({
      seen: 'by position from 0 (a driver such as dbs)',
      handled: true,
    });
    expect(await provider.deleteTxt({ name: ZONE }, NAME, 'twice')).toBe('deleted');
    expect(r.txt(NAME)).toEqual(['FOREIGN']);
    const deletes = r.emulator.server.requests.filter((q) => q.url.endsWith('/dns/delete')).map((q) => new URLSearchParams(q.body).get('record'));
    // [A, twice, twice, FOREIGN]: position 1, then (after the shift) position 1 again.
    expect(deletes).toEqual(['1', '1']);
  });

  it('a record at position 0 cannot be deleted: named as left behind with the reason, nothing sent', async () => {
    r.store.remove(
      ZONE,
      r.store.records(ZONE, { type: 'A' }).map((x) => x.id),
    );
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'first' });
    r.store.add(ZONE, { name: ZONE, type: 'A', data: '192.0.2.1' });
    const error = (await r.provider.deleteTxt({ name: ZONE }, NAME, 'first').catch((e: unknown) => e)) as ProviderApiError;
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toBe(
      `sourcedesk dns/delete: cannot delete TXT ${NAME} "first" (key 0): this sourceDESK installation numbers records by position from 0 and its API refuses position 0 ("No valid record specified."); it is left behind`,
    );
    expect(error.hint).toMatch(/sourceDESK panel/);
    expect(r.emulator.calls.delete ?? 0).toBe(0);
    expect(r.txt(NAME)).toEqual(['first']);
  });
});
