import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, InvalidInputError, ZoneNotFoundError, clearSecrets } from '../../src/internal.js';
import { sourcedesk } from '../../src/providers/sourcedesk/index.js';
import { describeProviderConformance } from '../conformance.js';
import { API_KEY, CUSTOMER_ID, NAME, ZONE, everything, rig, txt, type Rig } from './sourcedesk-rig.js';
import { SOURCEDESK_READINGS } from '@dns01/testkit';

describeProviderConformance('sourcedesk', async () => {
  const r = await rig();
  return { provider: r.provider, store: r.store, zone: ZONE, close: r.close };
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
    expect(() =>
      sourcedesk.readConfig({ SOURCEDESK_CUSTOMER_ID: '10/42', SOURCEDESK_API_KEY: API_KEY }),
    ).toThrow(/SOURCEDESK_CUSTOMER_ID is malformed/);
    expect(() =>
      sourcedesk.readConfig({ SOURCEDESK_CUSTOMER_ID: CUSTOMER_ID, SOURCEDESK_API_KEY: API_KEY, SOURCEDESK_ENDPOINT: 'ftp://x' }),
    ).toThrow(/SOURCEDESK_ENDPOINT is malformed/);
  });
});

describe('sourcedesk: requests follow the document', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('POSTs form parameters to /api/CUSTOMER_ID/API_KEY/dns/<action> with the key encoded', async () => {
    const provider = r.another({ findApex: async () => ZONE });
    const zone = await provider.findZone(NAME);
    await provider.appendTxt(zone, NAME, 'wire-value');
    expect(await provider.deleteTxt(zone, NAME, 'wire-value')).toBe('deleted');
    const prefix = `/api/${CUSTOMER_ID}/${encodeURIComponent(API_KEY)}/dns/`;
    const requests = r.emulator.server.requests;
    expect(requests.map((q) => q.url.slice(prefix.length))).toEqual(['list', 'show', 'add', 'show', 'delete']);
    for (const q of requests) {
      expect(q.url.startsWith(prefix)).toBe(true);
      expect(q.method).toBe('POST');
      expect(q.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    }
    const form = (i: number) => Object.fromEntries(new URLSearchParams(requests[i]!.body));
    expect(form(0)).toEqual({ domain: ZONE });
    expect(form(1)).toEqual({ domain: ZONE });
    expect(form(2)).toEqual({ domain: ZONE, name: '_acme-challenge', type: 'TXT', content: 'wire-value', ttl: '300', priority: '0' });
    expect(form(4)).toEqual({ domain: ZONE, record: expect.stringMatching(/^\d+$/) });
  });

  it('writes names relative to the zone, "" for the apex, and reads them back absolute', async () => {
    const zone = await r.provider.findZone(ZONE);
    await r.provider.appendTxt(zone, ZONE, 'apex-value');
    await r.provider.appendTxt(zone, `_acme-challenge.Deep.${ZONE}.`, 'deep-value');
    const adds = r.emulator.server.requests.filter((q) => q.url.endsWith('/dns/add')).map((q) => new URLSearchParams(q.body).get('name'));
    expect(adds).toEqual(['', '_acme-challenge.deep']);
    expect(txt(r.store, ZONE)).toEqual(['apex-value']);
    expect(await r.provider.listTxt(zone, ZONE)).toEqual([{ name: ZONE, value: 'apex-value', id: expect.any(String) }]);
    expect((await r.provider.listTxt(zone, `_acme-challenge.deep.${ZONE}`)).map((x) => x.value)).toEqual(['deep-value']);
  });

  it('tries the SOA apex first: one dns/list call for a deep name', async () => {
    const provider = r.another({ findApex: async () => ZONE });
    expect(await provider.findZone(`_acme-challenge.a.b.c.${ZONE}`)).toEqual({ name: ZONE });
    expect(r.emulator.calls.list).toBe(1);
  });

  it('confirms a zone only by exact name, although the list filter is a wildcard match', async () => {
    // The account holds myexample.test: the filter "example.test" matches it, the name does not.
    await expect(r.provider.findZone('_acme-challenge.example.test')).rejects.toBeInstanceOf(ZoneNotFoundError);
    expect((await r.provider.findZone('_acme-challenge.myexample.test')).name).toBe('myexample.test');
  });

  it('lists the zones the credentials reach', async () => {
    expect(await r.provider.listZones!()).toEqual(['myexample.test', 'second.test', ZONE]);
  });

  it('leaves records of other zones, other names, other types alone', async () => {
    r.store.add('second.test', { name: '_acme-challenge.second.test', type: 'TXT', data: 'same-value' });
    r.store.add(ZONE, { name: `www.${ZONE}`, type: 'TXT', data: 'same-value' });
    r.store.add(ZONE, { name: `*.${ZONE}`, type: 'A', data: '192.0.2.1' });
    r.store.add(ZONE, { name: NAME, type: 'CNAME', data: 'same-value.example' });
    const before = { zone: everything(r.store), second: everything(r.store, 'second.test') };
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, 'same-value');
    expect(await r.provider.deleteTxt(zone, NAME, 'same-value')).toBe('deleted');
    expect({ zone: everything(r.store), second: everything(r.store, 'second.test') }).toEqual(before);
  });

  it('reads TXT content served with quotes as the bare value', async () => {
    await r.close();
    r = await rig({ quoteTxt: true });
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, 'quoted-value');
    await r.provider.appendTxt(zone, NAME, 'quoted-value');
    expect(txt(r.store, NAME)).toEqual(['quoted-value']);
    expect((await r.provider.listTxt(zone, NAME)).map((x) => x.value)).toEqual(['quoted-value']);
    expect(await r.provider.deleteTxt(zone, NAME, 'quoted-value')).toBe('deleted');
    expect(txt(r.store, NAME)).toEqual([]);
  });

  it('reads an empty zone sent as [] (PHP empty array)', async () => {
    r.emulator.answerNext({ action: 'show', code: 100, message: 'Zone fetched.', data: [] });
    expect(await r.provider.listTxt({ name: ZONE }, NAME)).toEqual([]);
  });
});

describe('sourcedesk: TTL fallback', () => {
  let r: Rig | undefined;
  afterEach(() => r?.close());
  const sentTtls = (rig: Rig) =>
    rig.emulator.server.requests.filter((q) => q.url.endsWith('/dns/add')).map((q) => new URLSearchParams(q.body).get('ttl'));

  for (const reading of SOURCEDESK_READINGS) {
    it(`reading "${reading.label}": starts at 300, remembers the first accepted TTL per zone, probes no more`, async () => {
      r = await rig({ readings: reading.readings });
      const min = reading.readings.minTtl!;
      const accepted = min <= 300 ? 300 : min;
      const zone = await r.provider.findZone(NAME);
      await r.provider.appendTxt(zone, NAME, 'ttl-one');
      const probes = sentTtls(r).length;
      await r.provider.appendTxt(zone, NAME, 'ttl-two');
      expect(r.store.records(ZONE, { name: NAME, type: 'TXT' }).map((x) => x.ttl)).toEqual([accepted, accepted]);
      expect(sentTtls(r)[0]).toBe('300');
      // The second record goes out once, with the TTL the first one was accepted with.
      expect(sentTtls(r).slice(probes)).toEqual([String(accepted)]);
      // Another zone is probed on its own.
      const other = await r.provider.findZone('_acme-challenge.second.test');
      await r.provider.appendTxt(other, '_acme-challenge.second.test', 'ttl-three');
      expect(sentTtls(r).slice(probes + 1)[0]).toBe('300');
    });
  }

  it('falls back to the minimum the refusal names and says so at debug level', async () => {
    r = await rig({ minTtl: 420 });
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, 'ttl-one');
    expect(sentTtls(r)).toEqual(['300', '420']);
    expect(r.lines.some((l) => /refused TTL 300 .*TTL must be at least 420.*falling back to TTL 420/.test(l))).toBe(true);
  });

  it('steps through 600, 3600 when the refusal names no minimum', async () => {
    r = await rig({ minTtl: 3600, ttlReasonNamesMinimum: false });
    const zone = await r.provider.findZone(NAME);
    await r.provider.appendTxt(zone, NAME, 'ttl-steps');
    expect(sentTtls(r)).toEqual(['300', '600', '3600']);
    expect(r.store.records(ZONE, { name: NAME, type: 'TXT' }).map((x) => x.ttl)).toEqual([3600]);
  });

  it('a refusal (805) whose reason is about something else than the TTL is not retried with other TTLs', async () => {
    r = await rig();
    const zone = await r.provider.findZone(NAME);
    r.emulator.answerNext({ action: 'add', code: 805, message: 'Error at adding record (invalid record data): content not allowed', times: 5 });
    const error = await r.provider.appendTxt(zone, NAME, 'refused-content').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).message).toMatch(/content not allowed; TTLs tried: \d+\)/);
    expect(r.emulator.server.requests.filter((q) => q.url.endsWith('/dns/add'))).toHaveLength(1);
  });

  it('gives up with InvalidInputError when every TTL is refused, adding nothing', async () => {
    r = await rig({ minTtl: 100_000, ttlReasonNamesMinimum: false });
    const before = everything(r.store);
    const zone = await r.provider.findZone(NAME);
    const error = await r.provider.appendTxt(zone, NAME, 'never-added').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).message).toMatch(/refused as invalid \(code 805.*TTLs tried: 300, 600, 3600\)/);
    expect(everything(r.store)).toEqual(before);
  });
});
