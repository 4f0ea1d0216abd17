import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NETCUP_READINGS, providerRig, startTestWorld, type NetcupReadings, type ProviderRig } from '@dns01/testkit';
import { clearSecrets, ConfigError, openRunCache, openSession, redact, runCacheKey, silentLogger, type DnsProvider } from '../src/internal.js';

const ZONE = 'example.com';
const NAME = `_acme-challenge.${ZONE}`;
/** Served by DNS, not in the account. */
const FOREIGN_ZONE = 'other.org';
/** In the account, without records (netcup answers "no records" as an error). */
const EMPTY_ZONE = 'empty.net';

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'dns01-run-cache-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

/** Every file under the state directory's cache, with its mode. */
function cacheFiles(): { path: string; mode: number }[] {
  const out: { path: string; mode: number }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push({ path, mode: statSync(path).mode & 0o777 });
    }
  };
  walk(join(stateDir, 'cache'));
  return out;
}

describe('run cache', () => {
  it('keeps each value in a 0600 file of a 0700 directory and never returns it after its lifetime', () => {
    let now = 1_000_000;
    const cache = openRunCache({ DNS01_STATE_DIR: stateDir }, { provider: 'netcup', account: 'a' }, { now: () => now });
    cache.set('session', 'sid-1', 60_000);
    expect(cache.get('session')).toBe('sid-1');
    const [file] = cacheFiles();
    expect(file!.mode).toBe(0o600);
    expect(statSync(join(stateDir, 'cache')).mode & 0o777).toBe(0o700);
    now += 60_000;
    expect(cache.get('session')).toBeUndefined();
    expect(cacheFiles()).toEqual([]);
  });

  it('separates accounts, and an unreadable value is a miss', () => {
    const env = { DNS01_STATE_DIR: stateDir };
    const a = openRunCache(env, { provider: 'netcup', account: 'a' });
    const b = openRunCache(env, { provider: 'netcup', account: 'b' });
    a.set('zone:example.com', '{"name":"example.com"}', 60_000);
    expect(b.get('zone:example.com')).toBeUndefined();
    const [file] = cacheFiles();
    rmSync(file!.path);
    expect(a.get('zone:example.com')).toBeUndefined();
  });
});

describe('run cache: the account directory is an HMAC under a private random key (issue 25)', () => {
  const env = () => ({ DNS01_STATE_DIR: stateDir });
  const keyFile = () => join(stateDir, 'run-cache.key');
  const accountDirs = () =>
    readdirSync(join(stateDir, 'cache'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);

  it('the key is made on first use: 32 random bytes, 0600; the same key for every later use', () => {
    const key = runCacheKey(env());
    expect(key).toHaveLength(32);
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile(), 'utf8')).toBe(key.toString('hex'));
    expect(runCacheKey(env()).equals(key)).toBe(true);
  });

  it('the same account gets the same directory; another account another; none named by a plain hash of the account', () => {
    openRunCache(env(), { provider: 'netcup', account: 'password-1' }).set('k', 'v', 60_000);
    openRunCache(env(), { provider: 'netcup', account: 'password-1' }).set('k2', 'v', 60_000);
    expect(accountDirs()).toHaveLength(1);
    openRunCache(env(), { provider: 'netcup', account: 'password-2' }).set('k', 'v', 60_000);
    const dirs = accountDirs();
    expect(dirs).toHaveLength(2);
    for (const dir of dirs) expect(dir).toMatch(/^netcup-[0-9a-f]{32}$/);
    for (const account of ['password-1', 'password-2']) {
      const plain = createHash('sha256').update(`netcup\n${account}`).digest('hex');
      for (const dir of dirs) expect(plain).not.toContain(dir.slice('netcup-'.length, 'netcup-'.length + 16));
    }
  });

  it('without the key file nobody derives the name: another key gives the same account another directory', () => {
    openRunCache(env(), { provider: 'netcup', account: 'password-1' }).set('k', 'v', 60_000);
    const [first] = accountDirs();
    writeFileSync(keyFile(), 'ab'.repeat(32), { mode: 0o600 });
    openRunCache(env(), { provider: 'netcup', account: 'password-1' }).set('k', 'v', 60_000);
    expect(accountDirs()).toHaveLength(2);
    expect(accountDirs().filter((d) => d !== first)).toHaveLength(1);
  });

  it('a key file open to others, a symlink or a malformed one is refused: the session works without the run cache', async () => {
    runCacheKey(env());
    chmodSync(keyFile(), 0o644);
    expect(() => runCacheKey(env())).toThrow(ConfigError);
    expect(() => openRunCache(env(), { provider: 'netcup', account: 'a' })).toThrow(/run-cache key .* is not a private file of this user/);
    rmSync(keyFile());
    const elsewhere = join(stateDir, 'planted');
    writeFileSync(elsewhere, 'cd'.repeat(32), { mode: 0o600 });
    symlinkSync(elsewhere, keyFile());
    expect(() => runCacheKey(env())).toThrow(/cannot be read \(ELOOP\)/);
    rmSync(keyFile());
    writeFileSync(keyFile(), 'short', { mode: 0o600 });
    expect(() => runCacheKey(env())).toThrow(/is malformed/);

    const unavailable: unknown[] = [];
    const session = openSession(
      { ...env(), DNS01_PROVIDER: 'netcup', NETCUP_CUSTOMER_NUMBER: '1', NETCUP_API_KEY: 'key-1234567890', NETCUP_API_PASSWORD: 'pw-1234567890' },
      { shareRun: { onUnavailable: (error) => unavailable.push(error) } },
    );
    await session.close();
    expect(unavailable).toHaveLength(1);
    expect(unavailable[0]).toBeInstanceOf(ConfigError);
    expect(existsSync(join(stateDir, 'cache'))).toBe(false);
  });
});

describe('netcup: hook processes of one run share the session and the zone', () => {
  let r: ProviderRig<'netcup'>;
  const rig = (readings: NetcupReadings = {}) =>
    providerRig('netcup', {
      zones: [ZONE, EMPTY_ZONE],
      foreignZones: [FOREIGN_ZONE],
      records: [
        { name: ZONE, type: 'A', data: '192.0.2.1' },
        { name: FOREIGN_ZONE, type: 'A', data: '192.0.2.2' },
      ],
      emulator: { readings },
    });
  beforeEach(async () => {
    r = await rig();
    clearSecrets();
  });
  afterEach(() => r.close());

  /** A zone delegated below another account's domain: no registrable domain, which netcup refuses as a domainname (4013). */
  const SUBZONE = `sub.${FOREIGN_ZONE}`;
  /** SOA walks the hook processes made (the DNS's answer: the zone the name ends in). */
  let apexLookups = 0;
  const findApex = async (n: string) => {
    apexLookups++;
    return [EMPTY_ZONE, SUBZONE, FOREIGN_ZONE].find((z) => n.endsWith(`.${z}`)) ?? ZONE;
  };
  beforeEach(() => {
    apexLookups = 0;
  });

  /** One hook process: a session of the run (its cache in this test's state directory), runs `work`, closes (as runMain does). */
  async function hookProcess(work: (p: DnsProvider) => Promise<unknown>, options: { env?: Record<string, string> } = {}): Promise<void> {
    const { provider } = r.open({ env: { DNS01_STATE_DIR: stateDir, ...options.env }, apex: findApex, shareRun: {} });
    try {
      await work(provider);
    } finally {
      await provider.close();
    }
  }
  const present = (name: string, value: string) => hookProcess(async (p) => p.appendTxt(await p.findZone(name), name, value));
  const cleanup = (name: string, value: string) => hookProcess(async (p) => p.deleteTxt(await p.findZone(name), name, value));

  it('N processes: one login, one SOA walk per zone and no infoDnsZone, one call per present and one per cleanup; the session stays for the next run', async () => {
    const names = Array.from({ length: 5 }, (_, i) => `_acme-challenge.h${i}.${ZONE}`);
    for (const [i, n] of names.entries()) await present(n, `v${i}`);
    await present(`_acme-challenge.${EMPTY_ZONE}`, 'e');
    // The apex the DNS names is proven by the first write to it: no infoDnsZone.
    expect(r.emulator.actionCounts()).toEqual({ login: 1, updateDnsRecords: 6 });
    expect(apexLookups).toBe(2);
    expect(r.emulator.openSessions()).toBe(1);
    names.forEach((n, i) => expect(r.txt(n)).toEqual([`v${i}`]));

    for (const [i, n] of names.entries()) await cleanup(n, `v${i}`);
    await cleanup(`_acme-challenge.${EMPTY_ZONE}`, 'e');
    // Each cleanup deletes by the ids its present's reply listed: no listing, no lookup.
    expect(r.emulator.actionCounts()).toEqual({ login: 1, updateDnsRecords: 12 });
    expect(apexLookups).toBe(2);
    expect(r.store.records(ZONE, { type: 'TXT' })).toEqual([]);
    // No logout: the next run (a cron job's next certificate) goes on with the session.
    expect(r.emulator.openSessions()).toBe(1);
    await present(NAME, 'next-run');
    expect(r.emulator.actionCounts()).toEqual({ login: 1, updateDnsRecords: 13 });
  });

  const foreignApexes = [
    ...NETCUP_READINGS.filter((c) => Object.keys(c.readings).length === 0 || c.readings.notADomain !== undefined || c.readings.unknownZone !== undefined).map(
      (c) => ({
        label: `another account's domain, ${c.label}`,
        apex: FOREIGN_ZONE,
        readings: c.readings,
        lists: false,
      }),
    ),
    // The add is refused as invalid (4013 on domainname), which the kit answers with a listing: refused the same way.
    { label: 'a delegated subzone, no registrable domain: 4013 on domainname', apex: SUBZONE, readings: {}, lists: true },
    { label: 'a delegated subzone, no registrable domain: 5028', apex: SUBZONE, readings: { notADomain: 5028 as const }, lists: false },
  ];
  it.each(foreignApexes)(
    'an apex the DNS names but the account does not hold ($label): the add fails as zone not found, naming it, and nothing is written',
    async ({ apex, readings, lists }) => {
      await r.close();
      r = await rig(readings);
      const name = `_acme-challenge.www.${apex}`;
      const before = r.store.records(FOREIGN_ZONE);
      await expect(present(name, 'v')).rejects.toThrow(new RegExp(`^netcup: ${apex.replace(/\./g, '\\.')} is not in this account \\((4013|5028)\\)$`));
      expect(r.store.records(FOREIGN_ZONE)).toEqual(before);
      expect(r.emulator.actionCounts()).toEqual({ login: 1, updateDnsRecords: 1, ...(lists ? { infoDnsRecords: 1 } : {}) });
    },
  );

  it('keeps the session id only in 0600 files, registered as a secret by the process that reads it, never logged', async () => {
    await present(NAME, 'one');
    const [sid] = r.emulator.sessionIds();
    const holding = cacheFiles().filter((f) => readFileSync(f.path, 'utf8').includes(sid!));
    expect(holding).toHaveLength(1);
    expect(cacheFiles().every((f) => f.mode === 0o600)).toBe(true);
    clearSecrets();
    await cleanup(NAME, 'one');
    expect(redact(`id ${sid}`)).toBe('id ***');
    expect(r.logs.join('\n')).not.toContain(sid);
  });

  it('a cached session netcup rejects is dropped: exactly one new login and one repeat of the call', async () => {
    await present(NAME, 'one');
    r.emulator.expireSessions();
    await present(NAME, 'two');
    expect(r.emulator.actionCounts().login).toBe(2);
    // updateDnsRecords: the first present's, the rejected one, its repeat.
    expect(r.emulator.actionCounts().updateDnsRecords).toBe(3);
    expect(r.txt(NAME)).toEqual(['one', 'two']);
    // The new session is the one cached now: the next process logs in no more.
    await cleanup(NAME, 'one');
    expect(r.emulator.actionCounts().login).toBe(2);
  });

  it('never more than one new login: a session rejected again fails the call', async () => {
    await present(NAME, 'one');
    r.emulator.injectError({ action: 'updateDnsRecords', statuscode: 4001, times: 5, shortmessage: 'Api session id in invalid format or expired.' });
    await expect(present(NAME, 'two')).rejects.toThrow(/session was rejected again/);
    expect(r.emulator.actionCounts().login).toBe(2);
  });

  it('other credentials never use the cached session or zones', async () => {
    await present(NAME, 'one');
    const wrong = hookProcess(async (p) => p.appendTxt(await p.findZone(NAME), NAME, 'two'), { env: { NETCUP_API_PASSWORD: 'not-the-password' } });
    await expect(wrong).rejects.toThrow(/login was refused/);
    expect(r.txt(NAME)).toEqual(['one']);
  });

  it('a cleanup whose record changed since the present lists the zone and deletes exactly what is there, once', async () => {
    await present(NAME, 'one');
    // Someone removed the record and an equal one came back with another id.
    r.store.remove(
      ZONE,
      r.store.records(ZONE, { name: NAME, type: 'TXT' }).map((x) => x.id),
    );
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'one' });
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'foreign' });
    await cleanup(NAME, 'one');
    expect(r.txt(NAME)).toEqual(['foreign']);
    expect(r.emulator.actionCounts().updateDnsRecords).toBe(3);
  });

  it('a cached zone the account no longer holds is looked up again, once', async () => {
    await present(NAME, 'one');
    r.emulator.injectError({ action: 'updateDnsRecords', statuscode: 5028, shortmessage: 'Error in getting zone.', longmessage: 'Domain not found.' });
    await present(NAME, 'two');
    expect(apexLookups).toBe(2);
    expect(r.emulator.actionCounts().updateDnsRecords).toBe(3);
    expect(r.txt(NAME)).toEqual(['one', 'two']);
  });

  it('a planted run-cache entry naming another record is not trusted: the cleanup lists the zone and deletes only the challenge record', async () => {
    const persistName = `_validation-persist.${ZONE}`;
    const persist = r.store.add(ZONE, { name: persistName, type: 'TXT', data: 'letsencrypt.org; accounturi=https://ca.example/acct/1' });
    await present(NAME, 'one');
    // What the present remembered for its cleanup now names the persist record: its id and its data, as netcup lists them.
    const [entry] = cacheFiles().filter((f) => readFileSync(f.path, 'utf8').includes('\\"destination\\":\\"one\\"'));
    expect(entry).toBeDefined();
    const stored = JSON.parse(readFileSync(entry!.path, 'utf8')) as { value: string; expires: number };
    const planted = [{ id: persist.id, hostname: '_validation-persist', type: 'TXT', destination: persist.data }];
    writeFileSync(entry!.path, JSON.stringify({ ...stored, value: JSON.stringify(planted) }));
    await cleanup(NAME, 'one');
    expect(r.txt(NAME)).toEqual([]);
    expect(r.store.records(ZONE, { name: persistName, type: 'TXT' }).map((x) => x.id)).toEqual([persist.id]);
    // The entry was dropped, the zone listed, and only the challenge record's id sent for deletion.
    expect(existsSync(entry!.path)).toBe(false);
    const deleted = r.emulator.server.requests
      .filter((q) => q.body.includes('"action":"updateDnsRecords"'))
      .flatMap((q) =>
        (JSON.parse(q.body) as { param: { dnsrecordset: { dnsrecords: { id?: string }[] } } }).param.dnsrecordset.dnsrecords.flatMap((d) =>
          d.id ? [d.id] : [],
        ),
      );
    expect(deleted).not.toContain(persist.id);
    expect(r.emulator.actionCounts()).toMatchObject({ infoDnsRecords: 1 });
    expect(r.logs.some((l) => l.includes('names another record; not trusted'))).toBe(true);
  });

  it('a value an earlier run left in the zone: the present keeps one record (the old one), the cleanup deletes it', async () => {
    const old = r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'same' });
    await present(NAME, 'same');
    expect(r.store.records(ZONE, { name: NAME, type: 'TXT' }).map((x) => x.id)).toEqual([old.id]);
    await cleanup(NAME, 'same');
    expect(r.txt(NAME)).toEqual([]);
  });
});

describe('netcup REST backend: the zone lookup is shared by the run too', () => {
  /** One hook process on the REST backend, as the executables build it, sharing this test's run cache. */
  const restHookProcess = (worldEnv: Record<string, string>) => async (work: (p: DnsProvider) => Promise<unknown>) => {
    const env = { ...worldEnv, DNS01_STATE_DIR: stateDir };
    const { provider } = openSession(env, { provider: 'netcup', logger: silentLogger, findApex: async () => ZONE, shareRun: {} });
    try {
      await work(provider);
    } finally {
      await provider.close();
    }
  };

  it('N processes: one domain lookup, then each present lists and adds, each cleanup deletes', async () => {
    const w = await startTestWorld({ provider: 'netcup', emulator: { rest: {} } });
    try {
      const hook = restHookProcess(w.env);
      const names = ['', 'a.', 'b.'].map((sub) => `_acme-challenge.${sub}${ZONE}`);
      const value = (i: number) => Buffer.from(`value-${i}`.padEnd(32, '.')).toString('base64url');
      for (const [i, n] of names.entries()) await hook(async (p) => p.appendTxt(await p.findZone(n), n, value(i)));
      for (const [i, n] of names.entries()) await hook(async (p) => p.deleteTxt(await p.findZone(n), n, value(i)));
      const requests = w.emulator.rest!.server.requests.map((r) => `${r.method} ${r.url.replace(/\?.*/, '')}`);
      expect(requests.filter((r) => r === 'GET /v1/domain')).toHaveLength(1);
      expect(requests).toHaveLength(1 + 2 * names.length + names.length);
      names.forEach((n) => expect(w.txt(n)).toEqual([]));
    } finally {
      await w.close();
    }
  });

  it('an API seen replacing a value is remembered: a later process, or run, refuses a second value before writing', async () => {
    const w = await startTestWorld({ provider: 'netcup', emulator: { rest: { secondValue: 'replace' } } });
    try {
      const hook = restHookProcess(w.env);
      const name = `_acme-challenge.${ZONE}`;
      const value = (i: number) => Buffer.from(`value-${i}`.padEnd(32, '.')).toString('base64url');
      const add = (i: number) => hook(async (p) => p.appendTxt(await p.findZone(name), name, value(i)));
      await add(0);
      // The second value replaces the first: found out after the write, the add undone.
      await expect(add(1)).rejects.toThrow(/removed "[^"]+" that was there before: the API replaced a value/);
      w.store.add(ZONE, { name, type: 'TXT', data: value(2) });
      const posts = () => w.emulator.rest!.server.requests.filter((r) => r.method === 'POST').length;
      const before = posts();
      // A later process (here: another run) knows, and writes nothing.
      await expect(add(3)).rejects.toThrow(/refusing to add a second value to TXT .*: an earlier add to this domain replaced/);
      expect(posts()).toBe(before);
      expect(w.txt(name)).toEqual([value(2)]);
    } finally {
      await w.close();
    }
  });
});
