// The acme.sh dnsapi hooks, sourced the way acme.sh's issue() sources them
// (acmesh-harness.sh), calling the built dns01 against the emulators.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { PROVIDER_NAMES } from '@dns01/provider-client';
import { runProcess, startTestWorld, type RunResult, type TestWorld } from '@dns01/testkit';

const PKG = resolve(import.meta.dirname, '..');
const HARNESS = join(PKG, 'test/acmesh-harness.sh');
const RECORDER = join(PKG, 'test/cli-recorder.sh');
const CLI = resolve(PKG, '../cli/dist/bin/dns01.js');
const hookFile = (provider: string) => join(PKG, 'dnsapi', `dns_dns01_${provider}.sh`);

/** The provider credentials of a world: what a user exports once before the first issue. */
function credentialVariables(world: TestWorld): Record<string, string> {
  const names = ['CUSTOMER_NUMBER', 'API_KEY', 'API_PASSWORD', 'USERNAME', 'PASSWORD', 'API_USER', 'CUSTOMER_ID', 'ENDPOINT'];
  return Object.fromEntries(Object.entries(world.env).filter(([k]) => !k.startsWith('DNS01_') && names.some((n) => k.endsWith(`_${n}`))));
}

/** DNS settings only (the test world's resolvers and short polling): no credentials. */
function dnsVariables(world: TestWorld): Record<string, string> {
  return Object.fromEntries(Object.entries(world.env).filter(([k]) => k.startsWith('DNS01_') && k !== 'DNS01_PROVIDER'));
}

let work: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'pnpm build' first`);
});
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'dns01-acmesh-test-'));
  return () => rmSync(work, { recursive: true, force: true });
});

function harness(world: TestWorld, entries: string[], env: Record<string, string> = {}, cwd?: string): Promise<RunResult> {
  return runProcess('sh', [HARNESS, hookFile(world.provider), ...entries], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: '/nonexistent',
      HARNESS_ACCOUNT_CONF: join(work, 'account.conf'),
      DNS01_CLI: RECORDER,
      RECORDER_TARGET: CLI,
      RECORDER_LOG: join(work, 'calls.log'),
      ...dnsVariables(world),
      ...env,
    },
    timeoutMs: 60_000,
  });
}

function calls(): string[] {
  const file = join(work, 'calls.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

test('the dnsapi files are generated from the template and the definitions, and are POSIX sh', () => {
  const check = spawnSync(process.execPath, [resolve(PKG, '../../scripts/generate.mjs'), '--check'], { encoding: 'utf8' });
  expect(check.stderr).toBe('');
  expect(check.status).toBe(0);
  for (const provider of PROVIDER_NAMES) {
    const file = hookFile(provider);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`dns_dns01_${provider}_info='`);
    expect(text).toMatch(new RegExp(`^dns_dns01_${provider}_add\\(\\) \\{`, 'm'));
    expect(text).toMatch(new RegExp(`^dns_dns01_${provider}_rm\\(\\) \\{`, 'm'));
    expect(text).not.toMatch(/^\s*exit\b/m);
    expect(spawnSync('dash', ['-n', file]).status).toBe(0);
  }
});

test('counting the pending entries leaves pathname expansion as it found it (on, or off when the caller had it off)', () => {
  const script = `. "$1"
vlist='a.example.com#ka-1#u#dns-01#dns_dns01_netcup#z,b.example.com#ka-2#u#dns-01#dns_dns01_netcup#z,'
ventry='a.example.com#ka-1#u#dns-01#dns_dns01_netcup#z'
$2
echo "pending $(_dns01_netcup_pending_after)"
_dns01_netcup_pending_after >/dev/null
case "$-" in *f*) echo "expansion off" ;; *) echo "expansion on" ;; esac`;
  const run = (before: string) => spawnSync('sh', ['-c', script, 'sh', hookFile('netcup'), before], { encoding: 'utf8' }).stdout;
  expect(run('set +f')).toBe('pending 1\nexpansion on\n');
  expect(run('set -f')).toBe('pending 1\nexpansion off\n');
});

describe.each(PROVIDER_NAMES)('dns_dns01_%s', { timeout: 90_000 }, (provider) => {
  let world: TestWorld;
  beforeAll(async () => {
    world = await startTestWorld({
      provider,
      zones: ['example.com'],
      nameservers: [{ lagMs: 100 }, { lagMs: 300 }],
      records: [{ name: '_acme-challenge.example.com', type: 'TXT', data: 'foreign-record' }],
    });
  });
  afterAll(async () => world?.close());

  test('10 names: ten records created without waiting, one wait for all, ten removals', async () => {
    const names = ['example.com', '*.example.com', ...Array.from({ length: 8 }, (_, i) => `h${i}.example.com`)];
    const entries = names.map((n, i) => `${n}=txt-${provider}-${i}`);
    const r = await harness(world, entries, credentialVariables(world));
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    const log = calls();
    expect(log.filter((c) => c.startsWith('present --no-wait'))).toHaveLength(10);
    expect(log.filter((c) => c.startsWith('present') && !c.includes('--no-wait'))).toHaveLength(0);
    const waits = log.filter((c) => c.startsWith('wait'));
    expect(waits).toHaveLength(1);
    expect(waits[0]!.match(/--record /g)).toHaveLength(10);
    expect(log.filter((c) => c.startsWith('cleanup'))).toHaveLength(10);
    // the wait came after the last record was created and before any cleanup
    expect(log.findIndex((c) => c.startsWith('wait'))).toBe(10);
    if (world.provider === 'netcup') {
      // One login, then one call per add and one per rm: the zone is the one the DNS names, and
      // the session stays for the next run.
      expect((world as TestWorld<'netcup'>).emulator.actionCounts()).toEqual({ login: 1, updateDnsRecords: 20 });
    }
    expect(world.txt('_acme-challenge.example.com')).toEqual(['foreign-record']);
    expect(world.txt('_acme-challenge.h7.example.com')).toEqual([]);
  });

  test('one name: one present creates the record and waits for it (one process, no separate wait), one removal', async () => {
    const r = await harness(world, [`example.com=alone-${provider}`], credentialVariables(world));
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    const log = calls();
    expect(log.map((c) => c.split(' ')[0])).toEqual(['present', 'cleanup']);
    expect(log[0]).not.toContain('--no-wait');
    expect(world.txt('_acme-challenge.example.com')).toEqual(['foreign-record']);
  });

  test('credentials: saved to account.conf on the first run, read from it on renewal, never in argv', async () => {
    const first = await harness(world, ['example.com=first-run'], credentialVariables(world));
    expect(first.status).toBe(0);
    const conf = readFileSync(join(work, 'account.conf'), 'utf8');
    for (const [k, v] of Object.entries(credentialVariables(world))) expect(conf).toContain(`SAVED_${k}='${v}'`);
    expect(conf).toContain(`SAVED_DNS01_CLI='${RECORDER}'`);
    // renewal: nothing in the environment but the DNS settings
    const renewal = await harness(world, ['example.com=renewal', '*.example.com=renewal-wild'], { DNS01_CLI: '' });
    expect(renewal.stderr).not.toContain('error');
    expect(renewal.status).toBe(0);
    const argv = calls().join('\n');
    for (const secret of world.secrets) {
      expect(argv).not.toContain(secret);
      expect(first.stdout + first.stderr + renewal.stdout + renewal.stderr).not.toContain(secret);
    }
    expect(world.txt('_acme-challenge.example.com')).toEqual(['foreign-record']);
  });

  test('already valid authorizations at the end do not keep the last pending add from waiting', async () => {
    const r = await harness(world, ['example.com=pending-1', 'www.example.com=pending-2', 'old.example.com=verified_ok'], credentialVariables(world));
    expect(r.status).toBe(0);
    expect(calls().filter((c) => c.startsWith('wait'))).toHaveLength(1);
    expect(calls().filter((c) => c.startsWith('present'))).toHaveLength(2);
  });
});

describe("dns_dns01_netcup with acme.sh's own netcup variables: a 64-character NC_Apikey is the REST key", { timeout: 90_000 }, () => {
  let world: TestWorld<'netcup'>;
  beforeAll(async () => {
    world = await startTestWorld({
      provider: 'netcup',
      zones: ['cloud.example', 'legacy.example'],
      nameservers: [{ lagMs: 100 }, { lagMs: 200 }],
      emulator: { rest: { cloudZones: ['cloud.example'] } },
    });
  });
  afterAll(async () => world?.close());

  test('apex and wildcard on a CloudDNS domain and a legacy domain in one run, NC_Apikey_Legacy + NC_Apipw + NC_CID for the latter', async () => {
    const acme = (i: number) => `acmeshRestValue${i}`.padEnd(43, 'x');
    const acmeshNames = {
      NC_Apikey: world.env.NETCUP_REST_API_KEY!,
      NC_Apikey_Legacy: world.env.NETCUP_API_KEY!,
      NC_Apipw: world.env.NETCUP_API_PASSWORD!,
      NC_CID: world.env.NETCUP_CUSTOMER_NUMBER!,
      NETCUP_ENDPOINT: world.env.NETCUP_ENDPOINT!,
      NETCUP_REST_ENDPOINT: world.env.NETCUP_REST_ENDPOINT!,
    };
    const r = await harness(world, [`cloud.example=${acme(1)}`, `*.cloud.example=${acme(2)}`, `legacy.example=${acme(3)}`], acmeshNames);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(world.emulator.rest!.operationCounts().add).toBe(2);
    expect(world.emulator.actionCounts().updateDnsRecords).toBe(2);
    expect(world.txt('_acme-challenge.cloud.example')).toEqual([]);
    expect(world.txt('_acme-challenge.legacy.example')).toEqual([]);
    expect(readFileSync(join(work, 'account.conf'), 'utf8')).toContain('SAVED_NC_Apikey_Legacy=');
  });
});

describe('dns_dns01 hooks outside an acme.sh issue run, and failures', { timeout: 90_000 }, () => {
  let world: TestWorld<'netcup'>;
  beforeAll(async () => {
    world = await startTestWorld({ provider: 'netcup', zones: ['example.com'], nameservers: [{ lagMs: 100 }, { lagMs: 200 }] });
  });
  afterAll(async () => world?.close());

  test("without acme.sh's run variables every add waits for its own record (and says so at debug level)", async () => {
    const r = await harness(world, ['example.com=legacy-1', 'www.example.com=legacy-2'], {
      ...credentialVariables(world),
      HARNESS_MODE: 'legacy',
      HARNESS_DEBUG: '1',
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('not visible: waiting for this record alone');
    const log = calls();
    expect(log.filter((c) => c.startsWith('present -- '))).toHaveLength(2);
    expect(log.filter((c) => c.startsWith('wait'))).toHaveLength(0);
    expect(world.txt('_acme-challenge.www.example.com')).toEqual([]);
  });

  for (const mode of ['issue', 'legacy'] as const) {
    test(`safe under set -u (${mode} mode: acme.sh's variables ${mode === 'issue' ? 'visible' : 'unset'})`, async () => {
      const r = await harness(world, ['example.com=nounset-1', 'www.example.com=nounset-2'], {
        ...credentialVariables(world),
        HARNESS_MODE: mode,
        HARNESS_NOUNSET: '1',
      });
      expect(r.stderr).not.toMatch(/parameter not set|unbound variable|integer expression/);
      expect(r.status).toBe(0);
      expect(world.txt('_acme-challenge.www.example.com')).toEqual([]);
    });
  }

  test('the last pending entry of the order uses another hook: the last of ours still waits, for ours only', async () => {
    const r = await harness(world, ['example.com=mixed-1', 'www.example.com=mixed-2', 'other.example.org=other-3'], credentialVariables(world));
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    const waits = calls().filter((c) => c.startsWith('wait'));
    expect(waits).toHaveLength(1);
    expect(waits[0]!.match(/--record /g)).toHaveLength(2);
    expect(waits[0]).not.toContain('other-3');
    expect(world.txt('_acme-challenge.example.com')).toEqual([]);
  });

  test('a wildcard entry of $vlist is not expanded against files in the working directory: one wait for the run', async () => {
    // Files that the wildcard's $vlist entry, read as a pattern, matches (its URLs make it a path of five parts).
    const entry = '*.example.com#ka-glob-1#https://acme.test/chall#dns-01#dns_dns01_netcup#https://acme.test/authz';
    const match = join(work, 'www.example.com#ka-glob-1#https:', 'acme.test', 'chall#dns-01#dns_dns01_netcup#https:', 'acme.test');
    mkdirSync(match, { recursive: true });
    writeFileSync(join(match, 'authz'), '');
    const expanded = spawnSync('sh', ['-c', `printf '%s' ${entry}`], { cwd: work, encoding: 'utf8' }).stdout;
    expect(expanded).toBe(entry.replace('*', 'www')); // the shell would expand it here
    const r = await harness(world, ['*.example.com=glob-1', 'www.example.com=glob-2'], credentialVariables(world), work);
    expect(r.status).toBe(0);
    const presents = calls().filter((c) => c.startsWith('present'));
    expect(presents).toHaveLength(2);
    for (const present of presents) expect(present).toMatch(/^present --no-wait /);
    const waits = calls().filter((c) => c.startsWith('wait'));
    expect(waits).toHaveLength(1);
    expect(waits[0]!.match(/--record /g)).toHaveLength(2);
  });

  test('account.conf is written only when a value changes (acme.sh puts the value in the argv of sed)', async () => {
    const saves = join(work, 'saves.log');
    const savedKeys = () => (existsSync(saves) ? readFileSync(saves, 'utf8').trim().split('\n').filter(Boolean) : []);
    const first = await harness(world, ['example.com=save-1', 'www.example.com=save-2'], { ...credentialVariables(world), HARNESS_SAVE_LOG: saves });
    expect(first.status).toBe(0);
    const keys = [...Object.keys(credentialVariables(world)), 'DNS01_CLI'].sort();
    expect(savedKeys().sort()).toEqual(keys);
    rmSync(saves);
    const renewal = await harness(world, ['example.com=save-3', 'www.example.com=save-4'], { HARNESS_SAVE_LOG: saves, DNS01_CLI: '' });
    expect(renewal.status).toBe(0);
    expect(savedKeys()).toEqual([]);
    const changed = await harness(world, ['example.com=save-5'], {
      ...credentialVariables(world),
      NETCUP_API_KEY: `${world.env.NETCUP_API_KEY}`,
      NETCUP_ENDPOINT: `${world.env.NETCUP_ENDPOINT}/`,
      HARNESS_SAVE_LOG: saves,
    });
    expect(changed.status).toBe(0);
    expect(savedKeys()).toEqual(['NETCUP_ENDPOINT']);
  });

  test('account.conf is read through acme.sh only for the settings it holds (each read forks), unless its path is unknown', async () => {
    const reads = join(work, 'reads.log');
    const readKeys = () => (existsSync(reads) ? readFileSync(reads, 'utf8').trim().split('\n').filter(Boolean) : []);
    expect((await harness(world, ['example.com=read-1'], credentialVariables(world))).status).toBe(0);
    const saved = [...Object.keys(credentialVariables(world)), 'DNS01_CLI'].sort();
    for (const noPath of [false, true]) {
      rmSync(reads, { force: true });
      const renewal = await harness(world, ['example.com=read-2'], {
        HARNESS_READ_LOG: reads,
        DNS01_CLI: '',
        ...(noPath ? { HARNESS_NO_CONF_PATH: '1' } : {}),
      });
      expect(renewal.status).toBe(0);
      // add and rm: each reads what it needs, once
      if (noPath) expect(readKeys().length).toBeGreaterThan(2 * saved.length);
      else expect(readKeys().sort()).toEqual([...saved, ...saved].sort());
    }
  });

  test('missing credentials: the add fails with a message naming the variables, no CLI call', async () => {
    const r = await harness(world, ['example.com=nocreds']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('set NETCUP_REST_API_KEY or NETCUP_API_KEY (or an alias');
    expect(calls()).toEqual([]);
  });

  test('a CLI that cannot be found is named', async () => {
    const r = await harness(world, ['example.com=nocli'], { ...credentialVariables(world), DNS01_CLI: '/nonexistent/dns01' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot find the dns01 executable (/nonexistent/dns01)');
  });

  test('a propagation timeout in the last add fails the add, removes its record, and acme.sh removes the others', async () => {
    world.dns.nameserver('ns2.dns01-test.net').setLag(Number.POSITIVE_INFINITY);
    try {
      const r = await harness(world, ['example.com=late-1', 'www.example.com=late-2'], { ...credentialVariables(world), DNS01_PROPAGATION_TIMEOUT: '1' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/dns01: error: .*ns2\.dns01-test\.net/);
      expect(r.stderr).toContain('dns01 wait failed with exit code 7');
      expect(world.txt('_acme-challenge.example.com')).toEqual([]);
      expect(world.txt('_acme-challenge.www.example.com')).toEqual([]);
    } finally {
      world.dns.nameserver('ns2.dns01-test.net').setLag(200);
    }
  });
});

describe('dns_dns01_netcup: an existing acme.sh dns_netcup setup switches with no new variable', { timeout: 90_000 }, () => {
  let world: TestWorld<'netcup'>;
  beforeAll(async () => {
    world = await startTestWorld({ provider: 'netcup', zones: ['example.com'], nameservers: [{ lagMs: 100 }, { lagMs: 200 }] });
  });
  afterAll(async () => world?.close());

  const endpoint = () => ({ NETCUP_ENDPOINT: world.env.NETCUP_ENDPOINT! });
  const legacyNames = () => ({
    NC_CID: world.env.NETCUP_CUSTOMER_NUMBER!,
    NC_Apikey: world.env.NETCUP_API_KEY!,
    NC_Apipw: world.env.NETCUP_API_PASSWORD!,
  });

  function expectIssued(r: RunResult, value: string): void {
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(
      calls()
        .filter((c) => c.startsWith('present'))
        .join('\n'),
    ).toContain(value);
    expect(calls().filter((c) => c.startsWith('cleanup'))).toHaveLength(2);
    expect(world.txt('_acme-challenge.example.com')).toEqual([]);
    const argv = calls().join('\n');
    for (const secret of world.secrets) expect(argv + r.stdout + r.stderr).not.toContain(secret);
  }

  test('only NC_CID / NC_Apikey / NC_Apipw in the environment (the names acme.sh dns_netcup reads)', async () => {
    const r = await harness(world, ['example.com=nc-names', '*.example.com=nc-names-wild'], { ...legacyNames(), ...endpoint() });
    expectIssued(r, 'nc-names');
    const conf = readFileSync(join(work, 'account.conf'), 'utf8');
    expect(conf).toContain(`SAVED_NC_Apikey='${world.env.NETCUP_API_KEY}'`);
    expect(conf).not.toContain('SAVED_NETCUP_API_KEY');
  });

  test('NETCUP_API_PASSWORD_FILE: the path is passed and saved, the password is read by the CLI only', async () => {
    const file = join(work, 'netcup-password');
    writeFileSync(file, `${world.env.NETCUP_API_PASSWORD}\n`, { mode: 0o600 });
    const env = { NETCUP_CUSTOMER_NUMBER: world.env.NETCUP_CUSTOMER_NUMBER!, NETCUP_API_KEY: world.env.NETCUP_API_KEY!, NETCUP_API_PASSWORD_FILE: file };
    const r = await harness(world, ['example.com=pw-file', 'www.example.com=pw-file-www'], { ...env, ...endpoint() });
    expectIssued(r, 'pw-file');
    const conf = readFileSync(join(work, 'account.conf'), 'utf8');
    expect(conf).toContain(`SAVED_NETCUP_API_PASSWORD_FILE='${file}'`);
    expect(conf).not.toContain(world.env.NETCUP_API_PASSWORD!);
  });

  test("an account.conf that acme.sh's own dns_netcup wrote (SAVED_NC_*), nothing in the environment", async () => {
    const saved = Object.entries(legacyNames()).map(([k, v]) => `SAVED_${k}='${v}'`);
    writeFileSync(join(work, 'account.conf'), `${["ACCOUNT_EMAIL='admin@example.com'", ...saved].join('\n')}\n`);
    // The endpoint only points the CLI at the emulator; a real setup needs none.
    const r = await harness(world, ['example.com=saved-nc', '*.example.com=saved-nc-wild'], endpoint());
    expectIssued(r, 'saved-nc');
  });

  test('a fresh value under one name clears an older one saved under another, so renewals use the fresh one', async () => {
    writeFileSync(join(work, 'account.conf'), `SAVED_NETCUP_API_KEY='stale-key'\n`);
    const r = await harness(world, ['example.com=fresh'], { ...legacyNames(), ...endpoint() });
    expect(r.status).toBe(0);
    const conf = readFileSync(join(work, 'account.conf'), 'utf8');
    expect(conf).toContain("SAVED_NETCUP_API_KEY=''");
    const renewal = await harness(world, ['example.com=fresh-renewal'], endpoint());
    expect(renewal.stderr).not.toContain('error');
    expect(renewal.status).toBe(0);
  });
});
