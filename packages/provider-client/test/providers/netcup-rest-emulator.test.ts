/**
 * The netcup REST emulator itself: strict where the public clients say the
 * real API is, so the provider tests prove the client follows it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startNetcupRestEmulator, TEST_REST_API_KEY as REST_KEY, ZoneStore, type NetcupRestEmulator, type NetcupRestEmulatorOptions } from '@dns01/testkit';
import { acmeValue } from '../conformance.js';

const CLOUD_ZONE = 'cloud.example';
/** In the account, on the legacy backend. */
const LEGACY_ZONE = 'legacy.example';

interface Envelope {
  success: boolean;
  errors: { code: string; message: string }[];
  messages: unknown[];
  meta: { pagination?: Record<string, number> } | null;
  result: unknown;
}

let store: ZoneStore;
let emulator: NetcupRestEmulator;
let clock: number;
let id: number;

async function start(options: Partial<NetcupRestEmulatorOptions> = {}): Promise<void> {
  await emulator?.close();
  store = new ZoneStore();
  for (const zone of [CLOUD_ZONE, LEGACY_ZONE]) store.addZone({ name: zone, nameservers: [{ name: 'ns1.dns01-test.net', addresses: ['127.0.0.2'] }] });
  emulator = await startNetcupRestEmulator({ store, zones: [CLOUD_ZONE], legacyZones: [LEGACY_ZONE], apiKey: REST_KEY, now: () => clock, ...options });
  id = emulator.domainId(CLOUD_ZONE)!;
}

async function api(method: string, path: string, body?: unknown, key = REST_KEY): Promise<{ status: number; reply?: Envelope }> {
  const res = await fetch(`${emulator.endpoint}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, reply: text === '' ? undefined : (JSON.parse(text) as Envelope) };
}

const codes = (r: { reply?: Envelope }) => r.reply?.errors.map((e) => e.code);
const NAME = `_acme-challenge.${CLOUD_ZONE}`;
const values = (name = NAME) =>
  store
    .records(CLOUD_ZONE, { name, type: 'TXT' })
    .map((r) => r.data)
    .sort();

beforeEach(async () => {
  clock = 1_000_000;
  await start();
});
afterEach(() => emulator.close());

describe('netcup REST emulator', () => {
  it('a missing or wrong Bearer key is HTTP 400 with authenticationError, on every path; error bodies carry messages [] and meta null', async () => {
    for (const path of ['/domain?fqdn=cloud.example', `/domain/${id}/acme/challenge`]) {
      const wrong = await api('GET', path, undefined, 'nope');
      expect(wrong.status).toBe(400);
      expect(wrong.reply).toEqual({
        success: false,
        errors: [{ code: 'authenticationError', message: 'Authentication token is not valid or has expired.' }],
        messages: [],
        meta: null,
        result: null,
      });
    }
  });

  it('GET /domain?fqdn= finds a domain with id and isDnsManaged; an unknown one is resourceDoesNotExist; an _ label is a validationError', async () => {
    const found = (await api('GET', '/domain?fqdn=cloud.example')).reply!;
    expect(found).toEqual({
      success: true,
      errors: [],
      messages: [],
      meta: { pagination: { page: 1, perPage: 50, totalEntries: 1 } },
      result: [{ id, fqdn: CLOUD_ZONE, isDnsManaged: true }],
    });
    expect((await api('GET', '/domain?fqdn=legacy.example')).reply!.result).toMatchObject([{ fqdn: LEGACY_ZONE, isDnsManaged: false }]);
    const unknown = await api('GET', '/domain?fqdn=www.cloud.example');
    expect([unknown.status, unknown.reply!.errors]).toEqual([
      404,
      [{ code: 'resourceDoesNotExist', message: 'No results found, the page number may be too high.' }],
    ]);
    expect((await api('GET', '/domain?fqdn=_acme-challenge.cloud.example')).reply!.errors).toEqual([
      { code: 'validationError', message: 'Domain name is not a valid domain name.' },
    ]);
  });

  it('add is idempotent, checks the value (43 characters of base64url) and writes to the store; delete is 204, then resourceDoesNotExist', async () => {
    const value = acmeValue('v1');
    expect((await api('POST', `/domain/${id}/acme/challenge`, { scope: '@', value })).status).toBe(201);
    expect((await api('POST', `/domain/${id}/acme/challenge`, { scope: '@', value })).status).toBe(200);
    expect(values()).toEqual([value]);
    for (const bad of ['short', `${value}x`, `${value.slice(0, 42)}=`]) {
      expect(codes(await api('POST', `/domain/${id}/acme/challenge`, { scope: '@', value: bad }))).toEqual(['validationError']);
    }
    const deleted = await api('DELETE', `/domain/${id}/acme/challenge/%40/${value}`);
    expect([deleted.status, deleted.reply]).toEqual([204, undefined]);
    expect(values()).toEqual([]);
    expect((await api('DELETE', `/domain/${id}/acme/challenge/%40/${value}`)).reply!.errors).toEqual([
      { code: 'resourceDoesNotExist', message: 'No result was found.' },
    ]);
  });

  it('status turns "deployed" after the delay, whatever the nameservers serve', async () => {
    await api('POST', `/domain/${id}/acme/challenge`, { scope: 'www', value: acmeValue('w') });
    const status = async () => ((await api('GET', `/domain/${id}/acme/challenge`)).reply!.result as { status: string }[])[0]!.status;
    expect(await status()).toBe('pending');
    clock += 1500;
    expect(await status()).toBe('deployed');
  });

  it('a domain on the legacy backend refuses DNS changes; an unknown id is resourceDoesNotExist', async () => {
    const legacy = emulator.domainId(LEGACY_ZONE)!;
    expect(codes(await api('POST', `/domain/${legacy}/acme/challenge`, { scope: '@', value: acmeValue('l') }))).toEqual(['validationError']);
    expect(codes(await api('GET', '/domain/999999/acme/challenge'))).toEqual(['resourceDoesNotExist']);
  });

  it('knob secondValue: coexist keeps both values on a scope; replace keeps only the newest', async () => {
    await api('POST', `/domain/${id}/acme/challenge`, { scope: '@', value: acmeValue('a') });
    await api('POST', `/domain/${id}/acme/challenge`, { scope: '@', value: acmeValue('b') });
    expect(values()).toEqual([acmeValue('a'), acmeValue('b')].sort());
    await start({ secondValue: 'replace' });
    await api('POST', `/domain/${id}/acme/challenge`, { scope: '@', value: acmeValue('a') });
    await api('POST', `/domain/${id}/acme/challenge`, { scope: '@', value: acmeValue('b') });
    expect(values()).toEqual([acmeValue('b')]);
  });

  it('knob changeset: absent answers resourceDoesNotExist; present reads revisions and applies strict autoCommit changesets', async () => {
    expect(codes(await api('GET', `/domain/${id}/dns/revision`))).toEqual(['resourceDoesNotExist']);
    await start({ changeset: true });
    const record = { name: '_validation-persist', type: 'TXT', rdata: '"persist value"', ttl: 300 };
    expect((await api('POST', `/domain/${id}/changeset`, { autoCommit: true, strict: true, create: [record] })).reply!.success).toBe(true);
    const revisions = (await api('GET', `/domain/${id}/dns/revision`)).reply!;
    expect(revisions.meta).toEqual({ pagination: { page: 1, perPage: 100, totalEntries: 1, lastPage: 1 } });
    const revision = (revisions.result as { identifier: string }[])[0]!.identifier;
    const records = (await api('GET', `/domain/${id}/dns/revision/${revision}/record`)).reply!.result as (typeof record)[];
    expect(records).toContainEqual(expect.objectContaining(record));
    const strict = await api('POST', `/domain/${id}/changeset`, { autoCommit: true, strict: true, delete: [{ ...record, ttl: 60 }] });
    expect(codes(strict)).toEqual(['validationError']);
    await api('POST', `/domain/${id}/changeset`, { autoCommit: true, strict: true, delete: [record] });
    expect(values(`_validation-persist.${CLOUD_ZONE}`)).toEqual([]);
  });

  it('changeset TXT rdata: unquoted is refused (create and delete alike); quoted is stored without the quotes and listed with them', async () => {
    await start({ changeset: true });
    const record = { name: '_validation-persist', type: 'TXT', ttl: 300 };
    for (const change of [{ create: [{ ...record, rdata: 'bare value' }] }, { delete: [{ ...record, rdata: 'bare value' }] }]) {
      const refused = await api('POST', `/domain/${id}/changeset`, { autoCommit: true, strict: true, ...change });
      expect([refused.status, refused.reply!.errors]).toEqual([400, [{ code: 'validationError', message: 'TXT rdata must be enclosed in quotation marks' }]]);
    }
    expect(values(`_validation-persist.${CLOUD_ZONE}`)).toEqual([]);
    await api('POST', `/domain/${id}/changeset`, { autoCommit: true, strict: true, create: [{ ...record, rdata: '"a; b=c"' }] });
    expect(values(`_validation-persist.${CLOUD_ZONE}`)).toEqual(['a; b=c']);
    const revision = ((await api('GET', `/domain/${id}/dns/revision`)).reply!.result as { identifier: string }[])[0]!.identifier;
    expect((await api('GET', `/domain/${id}/dns/revision/${revision}/record`)).reply!.result).toContainEqual(
      expect.objectContaining({ ...record, rdata: '"a; b=c"' }),
    );
  });

  it('reading txtRdata lenient: unquoted rdata is the value itself, quoted rdata still presentation format; values listed unquoted', async () => {
    await start({ changeset: true, readings: { txtRdata: 'lenient' } });
    const record = { name: '_validation-persist', type: 'TXT', ttl: 300 };
    await api('POST', `/domain/${id}/changeset`, {
      autoCommit: true,
      strict: true,
      create: [
        { ...record, rdata: 'bare' },
        { ...record, rdata: '"quoted"' },
      ],
    });
    expect(values(`_validation-persist.${CLOUD_ZONE}`)).toEqual(['bare', 'quoted']);
    const revision = ((await api('GET', `/domain/${id}/dns/revision`)).reply!.result as { identifier: string }[])[0]!.identifier;
    const listed = (await api('GET', `/domain/${id}/dns/revision/${revision}/record`)).reply!.result as { rdata: string }[];
    expect(listed.map((r) => r.rdata)).toEqual(expect.arrayContaining(['bare', 'quoted']));
    await api('POST', `/domain/${id}/changeset`, { autoCommit: true, strict: true, delete: [{ ...record, rdata: '"bare"' }] });
    expect(values(`_validation-persist.${CLOUD_ZONE}`)).toEqual(['quoted']);
  });
});
