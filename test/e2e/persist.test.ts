// dns-persist-01 end to end: `dns01 persist set` writes the record through the
// provider, then the real acme.sh 3.1.5 (Debian sid) issues apex + wildcard
// against Pebble 2.10 with --dns-persist, and uacme 1.8.1 with dns01-uacme,
// each with NO provider credentials in its environment; the zone does not change during issuance; `persist check`
// passes; `persist remove` restores the zone.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type EmulatorOf, type TestWorld } from '@dns01/testkit';
import { requireCurrentClients } from '../../scripts/lib/current-clients.mjs';
import {
  certificateNames,
  chainsToRoot,
  explain,
  foreignRecords,
  hookExecutable,
  killAll,
  LAGGING_NAMESERVERS,
  leakedSecrets,
  PROVIDERS,
  run,
  startPebble,
  zoneSnapshot,
  type Pebble,
  type RunResult,
} from '@dns01/testkit/e2e';
import { CURRENT } from './harness/suites.js';

/** Pebble's issuer domain name for dns-persist-01. */
const ISSUER = 'pebble.letsencrypt.org';

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry.name === name) return path;
  }
  return undefined;
}

/** Every provider, and netcup's REST API too (the persist name is no _acme-challenge name: the changeset endpoint, switched on). */
const CASES = [
  ...PROVIDERS.map((provider) => ({ label: provider, provider, rest: false })),
  { label: 'netcup REST (NETCUP_REST_CHANGESET=1)', provider: 'netcup' as const, rest: true },
];

describe.each(CASES)('$label: dns-persist-01 with dns01 persist, then acme.sh 3.1.5 and uacme 1.8.1 against Pebble 2.10', ({ provider, rest }) => {
  const zone = `${provider}${rest ? '-rest' : ''}-persist.example`;
  let world: TestWorld;
  let pebble: Pebble;
  let dir: string;
  const runs: RunResult[] = [];

  beforeAll(async () => {
    const sid = requireCurrentClients();
    world = await startTestWorld({
      provider,
      zones: [zone],
      nameservers: LAGGING_NAMESERVERS,
      records: foreignRecords(zone),
      pollingInterval: 0.1,
      propagationTimeout: 30,
      ...(rest ? { emulator: { rest: { changeset: true } }, env: { NETCUP_REST_CHANGESET: '1' } } : {}),
    });
    pebble = await startPebble({ dnsServer: world.dns.resolver, binary: sid.pebble });
    dir = await mkdtemp(join(tmpdir(), `dns01-e2e-persist-${provider}-`));
  });
  afterAll(async () => {
    killAll();
    await pebble?.close();
    await world?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** acme.sh with only PATH and HOME: no provider credentials, no dns01 settings. */
  function acmesh(args: string[]): Promise<RunResult> {
    const sid = requireCurrentClients();
    const env = { PATH: process.env.PATH, HOME: dir, ACME_PACKAGED: '1', LANG: 'C.UTF-8' };
    return run(sid.acmesh, ['--home', join(dir, 'acme.sh'), '--server', pebble.directoryUrl, '--ca-bundle', pebble.tls.caCertPath, ...args], {
      env,
      timeoutMs: 120_000,
    });
  }

  function dns01(args: string[], env: Record<string, string>): Promise<RunResult> {
    return run(process.execPath, [hookExecutable('dns01'), ...args], { env: { PATH: process.env.PATH, HOME: dir, ...env }, timeoutMs: 60_000 });
  }

  it('persist set, then issuance with no DNS change and no credentials, persist check, persist remove', async () => {
    const pristine = zoneSnapshot(world, zone);
    const register = await acmesh(['--register-account', '-m', 'admin@example.com']);
    runs.push(register);
    expect(register.code, explain(register)).toBe(0);
    const caConf = findFile(join(dir, 'acme.sh', 'ca'), 'ca.conf');
    expect(caConf, 'acme.sh wrote no ca.conf').toBeDefined();
    const accountUri = /ACCOUNT_URL='([^']+)'/.exec(readFileSync(caConf!, 'utf8'))![1]!;

    const set = await dns01(['persist', 'set', zone, '--issuer', ISSUER, '--account-file', caConf!, '--wildcard', '--json'], world.env);
    runs.push(set);
    expect(set.code, explain(set)).toBe(0);
    const value = `${ISSUER}; accounturi=${accountUri}; policy=wildcard`;
    expect(JSON.parse(set.stdout)).toMatchObject({ name: `_validation-persist.${zone}`, value, action: 'created' });

    const withRecord = zoneSnapshot(world, zone);
    const issue = await acmesh(['--issue', '--dns-persist', '-d', zone, '-d', `*.${zone}`]);
    runs.push(issue);
    expect(issue.code, explain(issue)).toBe(0);
    expect(zoneSnapshot(world, zone)).toEqual(withRecord);
    const cert = readFileSync(join(dir, 'acme.sh', `${zone}_ecc`, 'fullchain.cer'), 'utf8');
    expect(certificateNames(cert)).toEqual([`*.${zone}`, zone].sort());
    expect(chainsToRoot(cert, await pebble.issuingRoot())).toBe(true);

    const dnsOnly = { DNS01_RESOLVERS: world.env.DNS01_RESOLVERS!, DNS01_NS_PORT: world.env.DNS01_NS_PORT! };
    const check = await dns01(['persist', 'check', zone, '--issuer', ISSUER, '--account-uri', accountUri, '--wildcard'], dnsOnly);
    runs.push(check);
    expect(check.code, explain(check)).toBe(0);
    expect(check.stdout).toMatch(/ok$/m);

    // uacme 1.8.1 (sid chroot, hooks under Node 24): its own account and record; the hook gets DNS settings only,
    // so dns-01 is declined (no credentials) and dns-persist-01 accepted once every nameserver serves the record.
    const uacmeConf = join(dir, 'uacme');
    const uacme = (args: string[]) => {
      const [file, argv] = CURRENT.command('uacme', ['--verbose', '--confdir', uacmeConf, '--acme-url', pebble.directoryUrl, ...args], {
        caBundle: pebble.tls.caCertPath,
      });
      return run(file, argv, { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, ...dnsOnly }, timeoutMs: 120_000 });
    };
    const account = await uacme(['--yes', 'new']);
    runs.push(account);
    expect(account.code, explain(account)).toBe(0);
    const uacmeAccount = /account created at (\S+)/.exec(account.output)![1]!;
    const uacmeSet = await dns01(['persist', 'set', zone, '--issuer', ISSUER, '--account-uri', uacmeAccount, '--wildcard'], world.env);
    runs.push(uacmeSet);
    expect(uacmeSet.code, explain(uacmeSet)).toBe(0);
    const withBoth = zoneSnapshot(world, zone);
    const uacmeIssue = await uacme(['--type', 'EC', '--hook', hookExecutable('dns01-uacme'), 'issue', zone, `*.${zone}`]);
    runs.push(uacmeIssue);
    expect(uacmeIssue.code, explain(uacmeIssue)).toBe(0);
    expect(uacmeIssue.output).toMatch(/dns-persist-01/);
    expect(zoneSnapshot(world, zone)).toEqual(withBoth);
    expect(certificateNames(readFileSync(join(uacmeConf, zone, 'cert.pem'), 'utf8'))).toEqual([`*.${zone}`, zone].sort());

    for (const account of [accountUri, uacmeAccount]) {
      const remove = await dns01(['persist', 'remove', zone, '--issuer', ISSUER, '--account-uri', account], world.env);
      runs.push(remove);
      expect(remove.code, explain(remove)).toBe(0);
    }
    expect(zoneSnapshot(world, zone)).toEqual(pristine);
    if (rest) {
      // Set twice and removed twice through the REST changeset endpoint; the CCP API never written.
      const netcup = world.emulator as EmulatorOf['netcup'];
      expect(netcup.rest!.operationCounts().changeset).toBe(4);
      expect(netcup.actionCounts().updateDnsRecords ?? 0).toBe(0);
    }
    expect(leakedSecrets(runs.map((r) => r.output).join('\n'), world.secrets)).toEqual([]);
  });
});
