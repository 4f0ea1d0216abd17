// `dns01 persist` as a separate process against every provider's emulator and
// the test DNS server (pnpm build first).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type ProviderName } from '@dns01/provider-client';
import { NETCUP_REST_READINGS, OWN_API_PROVIDERS, runNode, startTestWorld, type EmulatorOf, type RunResult, type TestWorld } from '@dns01/testkit';

const BIN = resolve(import.meta.dirname, '../dist/bin/dns01.js');
const NAME = '_validation-persist.example.com';
const ISSUER = 'pebble.letsencrypt.org';
const ACCOUNT = 'https://127.0.0.1:14000/my-account/1';
const VALUE = `${ISSUER}; accounturi=${ACCOUNT}`;
const WILD = `${VALUE}; policy=wildcard`;
const FOREIGN = `other-ca.example; accounturi=https://other-ca.example/acct/7`;
const OTHER_ACCOUNT = 'https://127.0.0.1:14000/my-account/2';
/** A CA may read it as either account's: malformed. */
const TWICE = `${ISSUER}; accounturi=${ACCOUNT}; accounturi=${OTHER_ACCOUNT}`;

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' first`);
});

let world: TestWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function dns01(args: string[], env: Record<string, string | undefined>): Promise<RunResult> {
  return runNode(BIN, args, { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env } });
}

/** Every record of the zone as (name, type, data), sorted: the zone's content, ids aside. */
function zoneContent(w: TestWorld): string[] {
  return w.store
    .records('example.com')
    .map((r) => `${r.name} ${r.type} ${r.data}`)
    .sort();
}

function expectNoSecrets(w: TestWorld, ...results: RunResult[]): void {
  for (const r of results) for (const secret of w.secrets) expect(r.stdout + r.stderr).not.toContain(secret);
}

describe.each(OWN_API_PROVIDERS as readonly ProviderName[])('dns01 persist on %s', { timeout: 60_000 }, (provider) => {
  test('set creates the record beside a foreign one, waits for every nameserver; again: unchanged; remove restores the zone', async () => {
    world = await startTestWorld({
      provider,
      nameservers: [{}, { lagMs: 300 }],
      records: [{ name: NAME, type: 'TXT', data: FOREIGN }],
    });
    const before = zoneContent(world);
    const set = await dns01(['persist', 'set', 'example.com', '--issuer', ISSUER, '--account-uri', ACCOUNT, '--json'], world.env);
    expect(set.stderr).not.toMatch(/error/);
    expect(set.status).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: NAME, zone: 'example.com', value: VALUE, action: 'created' });
    expect(world.txt(NAME).sort()).toEqual([FOREIGN, VALUE].sort());

    const again = await dns01(['persist', 'set', 'example.com', '--issuer', ISSUER, '--account-uri', ACCOUNT, '--json'], world.env);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ action: 'unchanged' });
    expect(world.txt(NAME).filter((v) => v === VALUE)).toHaveLength(1);

    const check = await dns01(['persist', 'check', 'example.com', '--issuer', ISSUER, '--account-uri', ACCOUNT, '--json'], {
      DNS01_RESOLVERS: world.env.DNS01_RESOLVERS,
      DNS01_NS_PORT: world.env.DNS01_NS_PORT,
    });
    expect(check.status).toBe(0);
    const report = JSON.parse(check.stdout);
    expect(report.ok).toBe(true);
    expect(report.matching).toHaveLength(1);
    // set returned only once the lagging nameserver served it too: both serve it now.
    expect(report.nameservers.map((ns: { served: string[] }) => ns.served.includes(VALUE))).toEqual([true, true]);

    const remove = await dns01(['persist', 'remove', 'example.com', '--issuer', ISSUER, '--account-uri', ACCOUNT], world.env);
    expect(remove.status).toBe(0);
    expect(remove.stdout).toContain(`${NAME} TXT "${VALUE}" removed`);
    expect(zoneContent(world)).toEqual(before);
    expectNoSecrets(world, set, again, check, remove);
  });

  test('a different record of the same CA and account is refused without --replace; --replace adds first, then deletes the old one', async () => {
    world = await startTestWorld({
      provider,
      records: [
        { name: NAME, type: 'TXT', data: VALUE },
        { name: NAME, type: 'TXT', data: FOREIGN },
      ],
    });
    const refused = await dns01(['persist', 'set', 'example.com', '--issuer', ISSUER, '--account-uri', ACCOUNT, '--wildcard'], world.env);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/already holds a record.*--replace/);
    expect(world.txt(NAME).sort()).toEqual([FOREIGN, VALUE].sort());

    const replaced = await dns01(
      ['persist', 'set', 'example.com', '--issuer', ISSUER, '--account-uri', ACCOUNT, '--wildcard', '--replace', '--json'],
      world.env,
    );
    expect(replaced.status).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ action: 'replaced', value: WILD, removed: [VALUE] });
    expect(world.txt(NAME).sort()).toEqual([FOREIGN, WILD].sort());
  });

  test('a record with a key given twice is never removed, for either account it names: reported, exit 1; set leaves it too', async () => {
    world = await startTestWorld({
      provider,
      records: [
        { name: NAME, type: 'TXT', data: TWICE },
        { name: NAME, type: 'TXT', data: FOREIGN },
      ],
    });
    const before = zoneContent(world);
    for (const account of [ACCOUNT, OTHER_ACCOUNT]) {
      const r = await dns01(['persist', 'remove', 'example.com', '--issuer', ISSUER, '--account-uri', account], world.env);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe(`${NAME} TXT "${TWICE}" not removed: malformed, accounturi given more than once (a CA may read either value)\n`);
      expect(r.stderr.trim().split('\n').at(-1)).toBe(
        `dns01: error: persist remove example.com: ${NAME} holds a malformed record of ${ISSUER} that dns01 never deletes: "${TWICE}". ` +
          'A CA may read it as any of the accounts it names: delete it in the provider panel if it is yours',
      );
      expect(zoneContent(world)).toEqual(before);
    }
    const set = await dns01(['persist', 'set', 'example.com', '--issuer', ISSUER, '--account-uri', ACCOUNT, '--replace'], world.env);
    expect(set.status).toBe(0);
    expect(set.stderr).toContain(`TXT ${NAME} "${TWICE}" is malformed: accounturi given more than once`);
    expect(world.txt(NAME).sort()).toEqual([FOREIGN, TWICE, VALUE].sort());
  });
});

describe.each(NETCUP_REST_READINGS)('dns01 persist on netcup REST with NETCUP_REST_CHANGESET=1 (reading: $label)', { timeout: 60_000 }, ({ readings }) => {
  test('set sends the TXT rdata quoted through the changeset endpoint and succeeds; remove deletes it quoted with the listed ttl', async () => {
    world = await startTestWorld({
      provider: 'netcup',
      records: [{ name: NAME, type: 'TXT', data: FOREIGN }],
      emulator: { rest: { changeset: true, readings, legacyCredentials: false } },
      env: { NETCUP_REST_CHANGESET: '1' },
    });
    const before = zoneContent(world);
    const set = await dns01(['persist', 'set', 'example.com', '--issuer', ISSUER, '--account-uri', ACCOUNT, '--json'], world.env);
    expect(set.status, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: NAME, value: VALUE, action: 'created' });
    expect(world.txt(NAME).sort()).toEqual([FOREIGN, VALUE].sort());
    const remove = await dns01(['persist', 'remove', 'example.com', '--issuer', ISSUER, '--account-uri', ACCOUNT], world.env);
    expect(remove.status, remove.stderr).toBe(0);
    expect(zoneContent(world)).toEqual(before);
    const rest = (world.emulator as EmulatorOf['netcup']).rest!;
    const changesets = rest.server.requests
      .filter((q) => q.url.endsWith('/changeset'))
      .map((q) => JSON.parse(q.body) as { create: { rdata: string }[]; delete: { rdata: string; ttl: number }[] });
    expect(changesets.map((c) => [c.create.map((r) => r.rdata), c.delete.map((r) => [r.rdata, r.ttl])])).toEqual([
      [[`"${VALUE}"`], []],
      [[], [[`"${VALUE}"`, 300]]],
    ]);
    expectNoSecrets(world, set, remove);
  });
});

describe('dns01 persist check', { timeout: 60_000 }, () => {
  test('a CAA record that names only another CA is a problem: exit 1, named', async () => {
    world = await startTestWorld({
      provider: 'netcup',
      records: [
        { name: NAME, type: 'TXT', data: WILD },
        { name: 'example.com', type: 'CAA', data: '0 issue "other-ca.example"' },
      ],
    });
    const env = { DNS01_RESOLVERS: world.env.DNS01_RESOLVERS, DNS01_NS_PORT: world.env.DNS01_NS_PORT };
    const r = await dns01(['persist', 'check', 'example.com', '--issuer', ISSUER, '--wildcard'], env);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('CAA: example.com forbids it');
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^dns01: error: persist check example\.com: CAA issue at example\.com does not allow pebble\.letsencrypt\.org/,
    );
  });

  test('a record with a key given twice is a problem for its CA (exit 1, named), matches nothing, and only a warning for another CA', async () => {
    world = await startTestWorld({
      provider: 'netcup',
      records: [
        { name: NAME, type: 'TXT', data: TWICE },
        { name: NAME, type: 'TXT', data: VALUE },
      ],
    });
    const env = { DNS01_RESOLVERS: world.env.DNS01_RESOLVERS, DNS01_NS_PORT: world.env.DNS01_NS_PORT };
    const r = await dns01(['persist', 'check', 'example.com', '--issuer', ISSUER, '--account-uri', OTHER_ACCOUNT, '--json'], env);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.matching).toEqual([]);
    expect(report.records.find((rec: { raw: string }) => rec.raw === TWICE)).toMatchObject({
      malformed: expect.stringMatching(/^accounturi given more than once/),
    });
    expect(report.problems).toContain(
      `TXT ${NAME} "${TWICE}" is malformed: accounturi given more than once (a CA may read either value); dns01 never matches or deletes it: delete it in the provider panel`,
    );
    const text = await dns01(['persist', 'check', 'example.com', '--issuer', ISSUER, '--account-uri', ACCOUNT], env);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain(`  problem: TXT ${NAME} "${TWICE}" is malformed`);
    const other = await dns01(['persist', 'check', 'example.com', '--issuer', 'other-ca.example', '--json'], env);
    expect(JSON.parse(other.stdout).warnings.join(' ')).toContain(`"${TWICE}" is malformed`);
  });

  test('persistUntil in the past is a problem; no policy=wildcard when a wildcard is wanted is a warning', async () => {
    world = await startTestWorld({ provider: 'netcup', records: [{ name: NAME, type: 'TXT', data: `${VALUE}; persistUntil=1600000000` }] });
    const env = { DNS01_RESOLVERS: world.env.DNS01_RESOLVERS, DNS01_NS_PORT: world.env.DNS01_NS_PORT };
    const r = await dns01(['persist', 'check', 'example.com', '--wildcard', '--json'], env);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.problems.join(' ')).toMatch(/expired at 2020-09-13/);
    expect(report.warnings.join(' ')).toMatch(/no policy=wildcard/);
  });

  test('nameservers that disagree are named', async () => {
    world = await startTestWorld({ provider: 'netcup', nameservers: [{}, { lagMs: 60_000 }] });
    const set = await dns01(['persist', 'set', 'example.com', '--issuer', ISSUER, '--account-uri', ACCOUNT, '--timeout', '1'], world.env);
    expect(set.status).toBe(7);
    expect(set.stderr).toMatch(/stays in the zone/);
    const env = { DNS01_RESOLVERS: world.env.DNS01_RESOLVERS, DNS01_NS_PORT: world.env.DNS01_NS_PORT };
    const r = await dns01(['persist', 'check', 'example.com', '--json'], env);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).problems.join(' ')).toMatch(/not served by ns2\.dns01-test\.net \(the nameservers disagree\)/);
  });

  test('the account URI is read from acme.sh ca.conf and lego account.json', async () => {
    world = await startTestWorld({ provider: 'netcup', records: [{ name: NAME, type: 'TXT', data: VALUE }] });
    const dir = mkdtempSync(join(tmpdir(), 'dns01-persist-test-'));
    try {
      writeFileSync(join(dir, 'ca.conf'), `CA_EMAIL=''\nACCOUNT_URL='${ACCOUNT}'\nCA_KEY_HASH='x'\n`);
      writeFileSync(join(dir, 'account.json'), JSON.stringify({ email: 'a@example.com', registration: { body: { status: 'valid' }, uri: ACCOUNT } }));
      const env = { DNS01_RESOLVERS: world.env.DNS01_RESOLVERS, DNS01_NS_PORT: world.env.DNS01_NS_PORT };
      for (const file of ['ca.conf', 'account.json']) {
        const r = await dns01(['persist', 'check', 'example.com', '--issuer', ISSUER, '--account-file', join(dir, file), '--json'], env);
        expect(r.status).toBe(0);
        expect(JSON.parse(r.stdout).matching[0].accountUri).toBe(ACCOUNT);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
