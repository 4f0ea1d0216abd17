// Contract tests of the built `dns01` executable, run as a separate process
// against the emulators and the test DNS server (pnpm build first).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { runNode, runProcess, startTestWorld, type RunResult, type TestWorld } from '@dns01/testkit';

const BIN = resolve(import.meta.dirname, '../dist/bin/dns01.js');
const COMMANDS = ['present', 'cleanup', 'wait', 'zones', 'check', 'persist'];
const CHALLENGE = '_acme-challenge.example.com';

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' first`);
});

/** Runs dns01 with exactly `env` (plus PATH and an empty HOME: no stray config file). */
function dns01(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runNode(BIN, args, { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env } });
}

/** TXT queries that reached an authoritative nameserver (the resolver's are not counted). */
function authoritativeTxtQueries(world: TestWorld): number {
  return world.dns.queryLog.filter((q) => q.server !== 'resolver' && q.type === 'TXT').length;
}

function expectNoSecrets(world: TestWorld, ...results: RunResult[]): void {
  for (const r of results)
    for (const secret of world.secrets) {
      expect(r.stdout).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
    }
}

/** One error line on stderr, prefixed with the executable's name. */
function expectOneErrorLine(r: RunResult): string {
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^dns01: error: /);
  return lines[0]!;
}

describe('dns01 without a provider', { timeout: 60_000 }, () => {
  test.each(COMMANDS)('%s --help prints usage on stdout and exits 0', async (command) => {
    const r = await dns01([command, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: dns01 ${command}`));
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stderr).toBe('');
    // An npm install has no docs/ beside it: the docs are linked by URL.
    expect(r.stdout).not.toMatch(/(^|[\s(])docs\//m);
    expect(r.stdout).toContain('https://github.com/dns01-suite/dns01/blob/main/docs/');
  });

  test('loads no built-in module for what it never does: node:http2 (undici without HTTP/2), as shipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dns01-cli-modules-'));
    try {
      const preload = join(dir, 'loaded.cjs');
      writeFileSync(preload, "process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList)));\n");
      const r = await runProcess(process.execPath, ['--require', preload, BIN, '--help'], { env: { PATH: process.env.PATH, HOME: '/nonexistent' } });
      expect(r.status).toBe(0);
      const loaded = JSON.parse(r.stderr) as string[];
      expect(loaded).toContain('NativeModule http'); // undici's, loaded at start
      expect(loaded.filter((m) => /http2/.test(m))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('dns01 --help lists every command', async () => {
    const r = await dns01(['--help']);
    expect(r.status).toBe(0);
    for (const command of COMMANDS) expect(r.stdout).toContain(`  ${command}`);
  });

  test('no command: usage on stderr, exit 2', async () => {
    const r = await dns01([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: dns01');
  });

  test('unknown command, unknown option and odd pair count exit 2 with one line', async () => {
    for (const args of [['frobnicate'], ['present', '--bogus', 'example.com', 'v'], ['present', 'example.com']]) {
      const r = await dns01(args, { DNS01_PROVIDER: 'netcup' });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(expectOneErrorLine(r)).toContain('--help');
    }
  });

  test('a missing provider setting is a configuration error (exit 3) naming the variable', async () => {
    const r = await dns01(['present', 'example.com', 'v']);
    expect(r.status).toBe(3);
    expect(expectOneErrorLine(r)).toContain('DNS01_PROVIDER');
  });

  test('a malformed flag value is a usage error naming the flag', async () => {
    const r = await dns01(['wait', '--timeout', 'soon', CHALLENGE, 'v']);
    expect(r.status).toBe(2);
    expect(expectOneErrorLine(r)).toContain('--timeout');
  });
});

describe('dns01 against netcup', { timeout: 60_000 }, () => {
  let world: TestWorld<'netcup'>;
  const work = mkdtempSync(join(tmpdir(), 'dns01-cli-test-'));

  beforeAll(async () => {
    world = await startTestWorld({
      provider: 'netcup',
      zones: ['example.com', 'example.net'],
      foreignZones: ['example.org'],
      nameservers: [{ lagMs: 100 }, { lagMs: 300 }],
      records: [{ name: CHALLENGE, type: 'TXT', data: 'foreign-record' }],
    });
  });
  afterAll(async () => {
    await world?.close();
    rmSync(work, { recursive: true, force: true });
  });
  afterEach(() => world.emulator.server.clearFaults());

  test('present waits once for several pairs, cleanup deletes exactly them', async () => {
    const present = await dns01(['present', 'example.com', 'value-apex', '*.example.com', 'value-wild', 'a.b.example.net', 'value-deep'], world.env);
    expect(present.status).toBe(0);
    expect(world.txt(CHALLENGE).sort()).toEqual(['foreign-record', 'value-apex', 'value-wild']);
    expect(world.txt('_acme-challenge.a.b.example.net')).toEqual(['value-deep']);
    expect(present.stdout.trim().split('\n')).toEqual([
      `${CHALLENGE} TXT "value-apex" zone example.com`,
      `${CHALLENGE} TXT "value-wild" zone example.com`,
      '_acme-challenge.a.b.example.net TXT "value-deep" zone example.net',
    ]);
    expect(present.stderr.match(/every authoritative nameserver serves/g)).toHaveLength(1);

    const cleanup = await dns01(['cleanup', 'example.com', 'value-apex', '*.example.com', 'value-wild', 'a.b.example.net', 'value-deep'], world.env);
    expect(cleanup.status).toBe(0);
    expect(cleanup.stdout).toBe('');
    expect(world.txt(CHALLENGE)).toEqual(['foreign-record']);
    expect(world.txt('_acme-challenge.a.b.example.net')).toEqual([]);
    expectNoSecrets(world, present, cleanup);
  });

  test('a state directory below a directory other users may write: exit 3, one line naming both and the fix; nothing made, the zone untouched', async () => {
    const shared = join(work, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const calls = world.emulator.server.requests.length;
    const r = await dns01(['present', 'example.com', 'never-written'], { ...world.env, DNS01_STATE_DIR: join(shared, 'dns01') });
    expect(r.status).toBe(3);
    expect(expectOneErrorLine(r)).toBe(
      `dns01: error: state directory ${join(shared, 'dns01')} refused: ${shared} is writable by other users (mode 0777), so another user could swap it. ` +
        `Run 'chmod go-w ${shared}', or set DNS01_STATE_DIR to a directory whose every parent only this user and root can write`,
    );
    expect(readdirSync(shared)).toEqual([]);
    expect(world.emulator.server.requests.length).toBe(calls);
    expect(world.txt(CHALLENGE)).toEqual(['foreign-record']);
  });

  test('present --no-wait asks no authoritative nameserver; --json prints the records', async () => {
    const before = authoritativeTxtQueries(world);
    const r = await dns01(['present', '--no-wait', '--json', '--', 'example.com', '-starts-with-dash'], world.env);
    expect(r.status).toBe(0);
    expect(authoritativeTxtQueries(world)).toBe(before);
    expect(JSON.parse(r.stdout)).toEqual({
      records: [{ domain: 'example.com', name: CHALLENGE, zone: 'example.com', value: '-starts-with-dash' }],
      propagated: false,
    });
    expect((await dns01(['cleanup', '--', 'example.com', '-starts-with-dash'], world.env)).status).toBe(0);
    expect(world.txt(CHALLENGE)).toEqual(['foreign-record']);
  });

  test('wait: exit 0 with --json once every nameserver serves every value', async () => {
    await dns01(['present', '--no-wait', 'example.com', 'w1', '*.example.com', 'w2'], world.env);
    const r = await dns01(['wait', '--json', CHALLENGE, 'w1', 'w2'], world.env);
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as { propagated: boolean; name: string; confirmedAt: Record<string, number> };
    expect(result.propagated).toBe(true);
    expect(result.name).toBe(CHALLENGE);
    expect(Object.keys(result.confirmedAt).sort()).toEqual(['ns1.dns01-test.net', 'ns2.dns01-test.net']);
    await dns01(['cleanup', 'example.com', 'w1', '*.example.com', 'w2'], world.env);
  });

  test('wait --record waits once for several names', async () => {
    await dns01(['present', '--no-wait', 'example.com', 'r1', 'a.b.example.net', 'r2'], world.env);
    const r = await dns01(['wait', '--json', '--record', `${CHALLENGE}=r1`, '--record', '_acme-challenge.a.b.example.net=r2'], world.env);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { records: unknown }).records).toEqual([
      { name: CHALLENGE, values: ['r1'] },
      { name: '_acme-challenge.a.b.example.net', values: ['r2'] },
    ]);
    expect(r.stderr.match(/every authoritative nameserver serves/g)).toHaveLength(1);
    await dns01(['cleanup', 'example.com', 'r1', 'a.b.example.net', 'r2'], world.env);
    const bad = await dns01(['wait', '--record', 'no-value'], world.env);
    expect(bad.status).toBe(2);
  });

  test('wait takes the DNS settings as flags and needs no credentials', async () => {
    await dns01(['present', '--no-wait', 'example.com', 'flags'], world.env);
    const r = await dns01(
      [
        'wait',
        '--resolver',
        world.env.DNS01_RESOLVERS!,
        '--ns-port',
        world.env.DNS01_NS_PORT!,
        '--interval',
        '0.05',
        '--timeout',
        '10',
        '--no-cname',
        CHALLENGE,
        'flags',
      ],
      {},
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${CHALLENGE}: served by every authoritative nameserver`);
    await dns01(['cleanup', 'example.com', 'flags'], world.env);
  });

  test('wait times out with exit 7 and names the nameserver that lags', async () => {
    world.dns.nameserver('ns2.dns01-test.net').setLag(Number.POSITIVE_INFINITY);
    try {
      await dns01(['present', '--no-wait', 'example.com', 'never-seen'], world.env);
      const r = await dns01(['wait', '--timeout', '1', CHALLENGE, 'never-seen'], world.env);
      expect(r.status).toBe(7);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^dns01: error: .*ns2\.dns01-test\.net/);
      expect(r.stderr).toContain('waiting'); // progress while waiting
    } finally {
      world.dns.nameserver('ns2.dns01-test.net').setLag(300);
      await dns01(['cleanup', 'example.com', 'never-seen'], world.env);
    }
  });

  test('a failed wait in present removes what it created (exit 7)', async () => {
    world.dns.nameserver('ns1.dns01-test.net').setLag(Number.POSITIVE_INFINITY);
    try {
      const r = await dns01(['present', '--timeout', '1', 'example.com', 'rolled-back'], world.env);
      expect(r.status).toBe(7);
      expect(world.txt(CHALLENGE)).toEqual(['foreign-record']);
    } finally {
      world.dns.nameserver('ns1.dns01-test.net').setLag(100);
    }
  });

  test('check with a domain verifies the credentials and names the zone', async () => {
    const r = await dns01(['check', '--json', 'a.b.example.net'], world.env);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      provider: 'netcup',
      configFile: null,
      credentials: 'accepted',
      domains: [
        { domain: 'a.b.example.net', name: '_acme-challenge.a.b.example.net', zone: 'example.net', backend: 'CCP API (legacy)', credentials: 'present' },
      ],
    });
  });

  test('check and zones without a domain: netcup cannot list zones (exit 2, says what to do)', async () => {
    for (const args of [['check'], ['zones']]) {
      const r = await dns01(args, world.env);
      expect(r.status).toBe(2);
      expect(expectOneErrorLine(r)).toContain('dns01 check example.com');
    }
  });

  test('wrong credentials: exit 4, one line, no secret even at --debug', async () => {
    const r = await dns01(['check', '--debug', 'example.com'], { ...world.env, NETCUP_API_PASSWORD: 'wrong-password-Zx81' });
    expect(r.status).toBe(4);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^dns01: error: /);
    expect(r.stderr).not.toContain('wrong-password-Zx81');
    expectNoSecrets(world, r);
  });

  test('a zone the account does not hold: exit 5', async () => {
    const r = await dns01(['present', '--no-wait', 'example.org', 'v'], world.env);
    expect(r.status).toBe(5);
    expect(expectOneErrorLine(r)).toContain('example.org');
  });

  test('a provider answering garbage: exit 6 naming the provider, nothing left behind', async () => {
    world.emulator.server.inject({ fault: { kind: 'malformed' }, times: 100, match: (req) => req.body.includes('updateDnsRecords') });
    const r = await dns01(['present', '--no-wait', 'example.com', 'garbage'], world.env);
    expect(r.status).toBe(6);
    expect(expectOneErrorLine(r)).toContain('netcup');
    expect(world.txt(CHALLENGE)).toEqual(['foreign-record']);
    expectNoSecrets(world, r);
  });

  test('the config file: read from DNS01_CONFIG, refused when others can read it, overridden by the environment', async () => {
    const file = join(work, 'config');
    const lines = Object.entries(world.env).map(([k, v]) => `${k}=${v}`);
    writeFileSync(file, `# dns01\n${lines.join('\n')}\n`, { mode: 0o600 });
    const ok = await dns01(['check', 'example.com'], { DNS01_CONFIG: file });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('netcup: credentials accepted');
    expect(ok.stdout).toContain(`config file: ${file}`);

    const overridden = await dns01(['check', 'example.com'], { DNS01_CONFIG: file, NETCUP_API_KEY: 'env-wins-key' });
    expect(overridden.status).toBe(4);

    writeFileSync(file, lines.join('\n'), { mode: 0o644 });
    const { chmodSync } = await import('node:fs');
    chmodSync(file, 0o644);
    const refused = await dns01(['check', 'example.com'], { DNS01_CONFIG: file });
    expect(refused.status).toBe(3);
    expect(expectOneErrorLine(refused)).toContain(`chmod 600 ${file}`);
  });

  test('the default config location ~/.config/dns01/config is found without any variable', async () => {
    const home = join(work, 'home');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(home, '.config', 'dns01'), { recursive: true });
    writeFileSync(
      join(home, '.config', 'dns01', 'config'),
      Object.entries(world.env)
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n'),
      { mode: 0o600 },
    );
    const r = await runNode(BIN, ['check', 'example.com'], { env: { PATH: process.env.PATH, HOME: home } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`config file: ${join(home, '.config', 'dns01', 'config')}`);
  });
});

describe('dns01 against netcup with the REST API (CloudDNS)', { timeout: 60_000 }, () => {
  let world: TestWorld<'netcup'>;
  beforeAll(async () => {
    world = await startTestWorld({
      provider: 'netcup',
      zones: ['cloud.example', 'legacy.example'],
      emulator: { rest: { cloudZones: ['cloud.example'], legacyCredentials: false } },
    });
  });
  afterAll(async () => world?.close());

  test('check names the backend of each zone and whether its credentials are set (exit 3 when some are not)', async () => {
    const r = await dns01(['check', 'www.cloud.example', 'legacy.example'], world.env);
    expect(r.status).toBe(3);
    const lines = r.stdout.trim().split('\n');
    expect(lines[2]).toBe(
      'www.cloud.example: _acme-challenge.www.cloud.example goes into zone cloud.example through the REST API (CloudDNS), whose credentials are set',
    );
    expect(lines[3]).toMatch(
      /^legacy\.example: _acme-challenge\.legacy\.example goes into zone legacy\.example through the CCP API \(legacy\), whose credentials are NOT set \(Also set NETCUP_CUSTOMER_NUMBER/,
    );
    expectNoSecrets(world, r);
  });

  test('present and cleanup through REST; a wrong REST key fails before any write with exit 4 and one request', async () => {
    const value = 'Zt3yC8b0vQn1m4Kp7sW2xE5rH9jL6uA0dF3gB8cN1oI';
    const ok = await dns01(['present', 'cloud.example', value], world.env);
    expect(ok.status, ok.stderr).toBe(0);
    expect(world.txt('_acme-challenge.cloud.example')).toEqual([value]);
    expect((await dns01(['cleanup', 'cloud.example', value], world.env)).status).toBe(0);
    expect(world.txt('_acme-challenge.cloud.example')).toEqual([]);
    const rest = world.emulator.rest!;
    const before = rest.server.requests.length;
    const serial = world.store.serial('cloud.example');
    const bad = await dns01(['present', '--debug', 'cloud.example', value], { ...world.env, NETCUP_REST_API_KEY: 'wrong-key-'.padEnd(64, 'w') });
    expect(bad.status).toBe(4);
    expect(bad.stderr.trim().split('\n').at(-1)).toMatch(/^dns01: error: netcup REST domain lookup: the API key was refused .*NETCUP_REST_API_KEY/);
    expect(rest.server.requests.length - before).toBe(1);
    expect(world.store.serial('cloud.example')).toBe(serial);
    expect(bad.stderr).not.toContain('wrong-key-');
    expectNoSecrets(world, ok, bad);
  });
});

describe('dns01 zones and check on a provider that lists zones', { timeout: 60_000 }, () => {
  let world: TestWorld<'xsserver'>;
  beforeAll(async () => {
    world = await startTestWorld({ provider: 'xsserver', zones: ['example.com', 'example.org'], foreignZones: ['example.info'] });
  });
  afterAll(async () => world?.close());

  test('zones prints one zone per line, or a JSON array', async () => {
    const text = await dns01(['zones'], world.env);
    expect(text.status).toBe(0);
    expect(text.stdout).toBe('example.com\nexample.org\n');
    const json = await dns01(['zones', '--json'], world.env);
    expect(JSON.parse(json.stdout)).toEqual(['example.com', 'example.org']);
  });

  test('check lists the zones and where each domain goes; --provider overrides DNS01_PROVIDER', async () => {
    const r = await dns01(['check', '--provider', 'xsserver', 'www.example.org'], { ...world.env, DNS01_PROVIDER: 'netcup' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      'config file: none (settings from the environment only)\nxsserver: credentials accepted\nzones: example.com example.org\nwww.example.org: _acme-challenge.www.example.org goes into zone example.org\n',
    );
    expect(r.stderr).toBe('');
  });

  test('--quiet silences progress; errors still print', async () => {
    const quiet = await dns01(['present', '--quiet', 'example.com', 'q'], world.env);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    await dns01(['cleanup', '-q', 'example.com', 'q'], world.env);
    const failing = await dns01(['present', '--quiet', 'www.example.info', 'q'], world.env);
    expect(failing.status).toBe(5);
    expectOneErrorLine(failing);
  });

  test('--log-json writes JSON log lines on stderr', async () => {
    const r = await dns01(['present', '--log-json', 'example.com', 'j'], world.env);
    expect(r.status).toBe(0);
    const lines = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(lines.some((l) => l.level === 'info' && l.msg.startsWith('created TXT'))).toBe(true);
    await dns01(['cleanup', 'example.com', 'j'], world.env);
  });
});

describe('dns01 check on sourceDESK: what its server answers (a zone with only SOA and NS, a customer without domain-API access)', { timeout: 60_000 }, () => {
  let world: TestWorld<'sourcedesk'>;
  beforeAll(async () => {
    world = await startTestWorld({ provider: 'sourcedesk', zones: ['example.com', 'bare.example'], emulator: { bareZones: ['bare.example'] } });
  });
  afterAll(async () => world?.close());

  test('a zone dns/list lists but that holds only SOA and NS: exit 5, saying to add a record, not to move the nameservers', async () => {
    const ok = await dns01(['check', 'example.com'], world.env);
    expect(ok.status, ok.stderr).toBe(0);
    const r = await dns01(['check', 'bare.example'], world.env);
    expect(r.status).toBe(5);
    const line = expectOneErrorLine(r);
    expect(line).toMatch(/sourceDESK shows no record of bare\.example \(code 804: Zone not found\.\)/);
    expect(line).toMatch(/Add any record to bare\.example in the sourceDESK panel/);
    expect(line).not.toMatch(/Point the domain/);
    expect(world.emulator.calls.add ?? 0).toBe(0);
  });

  test('a customer without domain-API access: exit 4, naming the permission to enable', async () => {
    world.emulator.setDomainApi(false);
    try {
      for (const args of [['check'], ['present', 'example.com', 'v']]) {
        const r = await dns01(args, world.env);
        expect(r.status).toBe(4);
        expect(expectOneErrorLine(r)).toMatch(
          /this customer may not use the domain API \(code 801: Group not allowed\.\).*Enable API access to domains for this customer/,
        );
        expectNoSecrets(world, r);
      }
    } finally {
      world.emulator.setDomainApi(true);
    }
  });
});

const XSSERVER_PARALLEL = [
  { label: 'as recorded: database ids, DELETE takes the id', readings: {} },
  { label: 'positions from 1, shifting', readings: { listShape: 'array', ids: 'one-based', deletes: 'slot1' } },
  { label: 'list from 0, DELETE counts from 1', readings: { listShape: 'array', ids: 'zero-based', deletes: 'slot1' } },
] as const;

describe.each(XSSERVER_PARALLEL)('dns01 cleanup in parallel processes on XSServer ($label)', { timeout: 90_000 }, ({ readings }) => {
  let world: TestWorld<'xsserver'>;
  beforeAll(async () => {
    world = await startTestWorld({
      provider: 'xsserver',
      records: [
        { name: CHALLENGE, type: 'TXT', data: 'foreign-before' },
        { name: 'www.example.com', type: 'A', data: '192.0.2.10' },
      ],
      emulator: { readings },
    });
  });
  afterAll(async () => world?.close());

  const zone = () => world.store.records('example.com').map(({ name, type, data }) => `${type} ${name} ${data}`);

  test('five concurrent cleanup processes on one name all exit 0 and leave the zone as it was', async () => {
    const before = zone();
    const values = ['p-0', 'p-1', 'p-2', 'p-3', 'p-4'];
    const present = await dns01(['present', '--no-wait', ...values.flatMap((v) => ['example.com', v])], world.env);
    expect(present.status).toBe(0);
    // Foreign records after ours: a delete aimed by a stale index would hit one of them.
    world.store.add('example.com', { name: 'mail.example.com', type: 'TXT', data: 'foreign-after' });
    world.store.add('example.com', { name: CHALLENGE, type: 'TXT', data: 'foreign-last' });
    const withForeign = [...before, 'TXT mail.example.com foreign-after', `TXT ${CHALLENGE} foreign-last`];
    // Each DELETE lands a while after the list it was aimed by: wide enough for the others to shift the indexes.
    world.emulator.server.inject({ fault: { kind: 'delay', ms: 300 }, times: 50, match: (r) => r.method === 'DELETE' });
    const results = await Promise.all(values.map((v) => dns01(['cleanup', 'example.com', v], world.env)));
    for (const r of results) expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: expect.any(String) as string });
    expect(zone()).toEqual(withForeign);
    expect(world.emulator.losses()).toEqual([]);
    expect(readdirSync(join(world.stateDir, 'locks'))).toEqual([]);
    expectNoSecrets(world, ...results);
  });
});
