// Contract tests of the built dns01-certbot executable: certbot's variables,
// exit codes, output channels, and one wait per run, against the emulators.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runNode, startTestWorld, type RunResult, type TestWorld } from '@dns01/testkit';

const BIN = resolve(import.meta.dirname, '../dist/bin/dns01-certbot.js');
const CHALLENGE = '_acme-challenge.example.com';

interface Achall {
  domain: string;
  validation: string;
}

let world: TestWorld<'mrdomain'>;
let stateDir: string;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' first`);
  world = await startTestWorld({
    provider: 'mrdomain',
    zones: ['example.com'],
    nameservers: [{ lagMs: 150 }, { lagMs: 400 }],
    records: [{ name: CHALLENGE, type: 'TXT', data: 'foreign-record' }],
    propagationTimeout: 10,
  });
});
afterAll(async () => world?.close());
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'dns01-certbot-test-'));
  return () => rmSync(stateDir, { recursive: true, force: true });
});

/** Runs the hook the way certbot does: the variables in the environment, one action argument. */
function hook(action: string, env: Record<string, string | undefined>): Promise<RunResult> {
  return runNode(BIN, [action], { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...world.env, DNS01_STATE_DIR: stateDir, ...env } });
}

function certbotEnv(achalls: Achall[], index: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CERTBOT_DOMAIN: achalls[index]!.domain,
    CERTBOT_VALIDATION: achalls[index]!.validation,
    CERTBOT_ALL_DOMAINS: achalls.map((a) => a.domain).join(','),
    CERTBOT_REMAINING_CHALLENGES: String(achalls.length - index - 1),
    ...extra,
  };
}

function authoritativeTxtQueries(): number {
  return world.dns.queryLog.filter((q) => q.server !== 'resolver' && q.type === 'TXT').length;
}

/** certbot's sequence: every auth hook in order, then every cleanup hook with the auth output. */
async function certbotRun(achalls: Achall[]): Promise<{ auth: RunResult[]; cleanup: RunResult[]; queriesAfterAuth: number[] }> {
  const auth: RunResult[] = [];
  const queriesAfterAuth: number[] = [];
  for (let i = 0; i < achalls.length; i++) {
    auth.push(await hook('auth', certbotEnv(achalls, i)));
    queriesAfterAuth.push(authoritativeTxtQueries());
  }
  const cleanup: RunResult[] = [];
  for (let i = 0; i < achalls.length; i++) {
    cleanup.push(await hook('cleanup', certbotEnv(achalls, i, { CERTBOT_AUTH_OUTPUT: auth[i]!.stdout.trim() })));
  }
  return { auth, cleanup, queriesAfterAuth };
}

describe('dns01-certbot', { timeout: 60_000 }, () => {
  test('N challenges: the last auth creates every record together and waits once; the first cleanup deletes them together', async () => {
    const achalls: Achall[] = [
      { domain: 'example.com', validation: 'apex-value' },
      { domain: '*.example.com', validation: 'wildcard-value' },
      { domain: 'a.b.example.com', validation: 'deep-value' },
      { domain: 'www.example.com', validation: 'www-value' },
    ];
    const nameOf = (a: Achall) => `_acme-challenge.${a.domain.replace(/^\*\./, '')}`;
    const apiCalls = () => world.emulator.server.requests.length;
    const before = authoritativeTxtQueries();
    const callsBefore = apiCalls();
    const auth: RunResult[] = [];
    for (let i = 0; i < achalls.length; i++) {
      auth.push(await hook('auth', certbotEnv(achalls, i)));
      expect(auth[i]!.status).toBe(0);
      if (i < achalls.length - 1) {
        // not the last challenge: no API call, no record yet, no wait
        expect(apiCalls()).toBe(callsBefore);
        expect(world.txt(nameOf(achalls[i]!))).not.toContain(achalls[i]!.validation);
        expect(authoritativeTxtQueries()).toBe(before);
      }
    }
    for (const a of achalls) expect(world.txt(nameOf(a))).toContain(a.validation);
    expect(authoritativeTxtQueries()).toBeGreaterThan(before);
    expect(auth.map((r) => r.stdout.includes('every authoritative nameserver serves'))).toEqual([false, false, false, true]);
    expect(auth[3]!.stdout).toContain('serves the 4 record(s) of this run');
    // a successful hook is silent on stderr (certbot would show it as a warning)
    for (const r of auth) expect(r.stderr).toBe('');

    const cleanup: RunResult[] = [];
    const callsAfterAuth = apiCalls();
    let callsAfterFirstCleanup = 0;
    for (let i = 0; i < achalls.length; i++) {
      cleanup.push(await hook('cleanup', certbotEnv(achalls, i, { CERTBOT_AUTH_OUTPUT: auth[i]!.stdout.trim() })));
      if (i === 0) {
        for (const a of achalls) expect(world.txt(nameOf(a))).not.toContain(a.validation);
        callsAfterFirstCleanup = apiCalls();
      }
    }
    for (const r of cleanup) expect([r.status, r.stderr]).toEqual([0, '']);
    // the first cleanup deleted the run's records; the other three made no API call
    expect(callsAfterFirstCleanup).toBeGreaterThan(callsAfterAuth);
    expect(apiCalls()).toBe(callsAfterFirstCleanup);
    expect(world.txt(CHALLENGE)).toEqual(['foreign-record']);
    expect(world.txt('_acme-challenge.a.b.example.com')).toEqual([]);
    expect(world.txt('_acme-challenge.www.example.com')).toEqual([]);
    // the run's directory is gone once every record is cleaned up
    expect(readdirSync(join(stateDir, 'certbot'))).toEqual([]);
    for (const r of [...auth, ...cleanup]) for (const s of world.secrets) expect(r.stdout + r.stderr).not.toContain(s);
  });

  test('the run state is private (0700 directories, 0600 files) and holds no secret', async () => {
    const achalls: Achall[] = [
      { domain: 'example.com', validation: 'private-1' },
      { domain: 'www.example.com', validation: 'private-2' },
    ];
    expect((await hook('auth', certbotEnv(achalls, 0))).status).toBe(0);
    const runs = readdirSync(join(stateDir, 'certbot'));
    expect(runs).toHaveLength(1);
    const runDir = join(stateDir, 'certbot', runs[0]!);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(runDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(runDir);
    expect(files).toHaveLength(1);
    expect(statSync(join(runDir, files[0]!)).mode & 0o777).toBe(0o600);
    const content = readFileSync(join(runDir, files[0]!), 'utf8');
    expect(content).toContain('private-1');
    for (const s of world.secrets) expect(content).not.toContain(s);
    await hook('auth', certbotEnv(achalls, 1));
    for (let i = 0; i < 2; i++) await hook('cleanup', certbotEnv(achalls, i));
    expect(world.txt(CHALLENGE)).toEqual(['foreign-record']);
  });

  test('a run that died before its cleanup is forgotten by the next run, which waits only for its own records', async () => {
    const achalls: Achall[] = [
      { domain: 'example.com', validation: 'died-1' },
      { domain: 'www.example.com', validation: 'died-2' },
    ];
    // run A: first auth, then certbot died; someone removed the record by hand
    expect((await hook('auth', certbotEnv(achalls, 0))).status).toBe(0);
    const zone = world.store.zoneFor(CHALLENGE)!;
    world.store.remove(
      zone,
      world.store
        .records(zone, { name: CHALLENGE, type: 'TXT' })
        .filter((r) => r.data === 'died-1')
        .map((r) => r.id),
    );
    // run B, same certificate, new values: must not wait for died-1 (it would time out)
    const next: Achall[] = [
      { domain: 'example.com', validation: 'fresh-1' },
      { domain: 'www.example.com', validation: 'fresh-2' },
    ];
    const { auth, cleanup } = await certbotRun(next);
    expect(auth.map((r) => r.status)).toEqual([0, 0]);
    expect(auth[1]!.stdout).toContain('serves the 2 record(s) of this run');
    expect(cleanup.map((r) => r.status)).toEqual([0, 0]);
    expect(world.txt(CHALLENGE)).toEqual(['foreign-record']);
  });

  test('cleanup without run state finds the record through CERTBOT_AUTH_OUTPUT or DNS', async () => {
    const achalls: Achall[] = [{ domain: 'example.com', validation: 'stateless' }];
    const auth = await hook('auth', certbotEnv(achalls, 0));
    expect(auth.status).toBe(0);
    rmSync(stateDir, { recursive: true, force: true });
    const cleanup = await hook('cleanup', certbotEnv(achalls, 0, { CERTBOT_AUTH_OUTPUT: auth.stdout.trim() }));
    expect(cleanup.status).toBe(0);
    expect(world.txt(CHALLENGE)).toEqual(['foreign-record']);
  });

  test('cleanup without run state takes the CERTBOT_AUTH_OUTPUT line of its own challenge, not the first one', async () => {
    const achalls: Achall[] = [
      { domain: 'example.com', validation: 'lost-apex' },
      { domain: 'www.example.com', validation: 'lost-www' },
    ];
    const auth: RunResult[] = [];
    for (let i = 0; i < achalls.length; i++) auth.push(await hook('auth', certbotEnv(achalls, i)));
    expect(auth.map((r) => r.status)).toEqual([0, 0]);
    expect(auth[1]!.stdout.indexOf('_acme-challenge.example.com')).toBeLessThan(auth[1]!.stdout.indexOf('_acme-challenge.www.example.com'));
    rmSync(stateDir, { recursive: true, force: true });
    for (let i = 0; i < achalls.length; i++) {
      expect((await hook('cleanup', certbotEnv(achalls, i, { CERTBOT_AUTH_OUTPUT: auth[i]!.stdout.trim() }))).status).toBe(0);
    }
    expect(world.txt('_acme-challenge.www.example.com')).toEqual([]);
    expect(world.txt(CHALLENGE)).toEqual(['foreign-record']);
  });

  for (const [what, plant] of [
    ['a file', (p: string) => writeFileSync(p, 'x')],
    ['a dangling symlink', (p: string) => symlinkSync(join(p, '..', 'nowhere', 'x'), p)],
    ['a directory open to everyone', (p: string) => mkdirSync(p, { mode: 0o777 })],
  ] as const) {
    test(`a state directory that is ${what}: exit 3 with one line naming it and what to do, nothing created`, async () => {
      const planted = join(stateDir, 'planted');
      plant(planted);
      if (what.startsWith('a directory')) chmodSync(planted, 0o777);
      const calls = world.emulator.server.requests.length;
      const r = await hook('auth', { ...certbotEnv([{ domain: 'example.com', validation: 'planted' }], 0), DNS01_STATE_DIR: planted });
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`^dns01-certbot: error: state directory ${planted}[^\n]*DNS01_STATE_DIR[^\n]*\n$`));
      expect(world.emulator.server.requests.length).toBe(calls);
    });
  }

  test('a propagation timeout at the last auth is loud (exit 7, names the nameserver) and cleanup still removes the records', async () => {
    world.dns.nameserver('ns2.dns01-test.net').setLag(Number.POSITIVE_INFINITY);
    try {
      const achalls: Achall[] = [
        { domain: 'example.com', validation: 'late-1' },
        { domain: '*.example.com', validation: 'late-2' },
      ];
      const first = await hook('auth', certbotEnv(achalls, 0));
      const last = await hook('auth', certbotEnv(achalls, 1, { DNS01_PROPAGATION_TIMEOUT: '1' }));
      expect(first.status).toBe(0);
      expect(last.status).toBe(7);
      expect(last.stderr.trim().split('\n')).toHaveLength(1);
      expect(last.stderr).toMatch(/^dns01-certbot: error: .*ns2\.dns01-test\.net/);
      for (let i = 0; i < 2; i++) expect((await hook('cleanup', certbotEnv(achalls, i))).status).toBe(0);
      expect(world.txt(CHALLENGE)).toEqual(['foreign-record']);
    } finally {
      world.dns.nameserver('ns2.dns01-test.net').setLag(400);
    }
  });

  test('wrong credentials: exit 4 with one line on stderr although logging is quiet', async () => {
    const r = await hook('auth', { ...certbotEnv([{ domain: 'example.com', validation: 'x' }], 0), MRDOMAIN_API_PASSWORD: 'bad-password-Qw7' });
    expect(r.status).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^dns01-certbot: error: [^\n]+\n$/);
    expect(r.stderr).not.toContain('bad-password-Qw7');
  });

  test('outside certbot (no CERTBOT_* variables): exit 3; a bad action: exit 2; --help: exit 0', async () => {
    const missing = await hook('auth', {});
    expect(missing.status).toBe(3);
    expect(missing.stderr).toMatch(/^dns01-certbot: error: CERTBOT_DOMAIN and CERTBOT_VALIDATION are not set/);
    const bad = await hook('deploy', {});
    expect(bad.status).toBe(2);
    const help = await hook('--help', {});
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--manual-auth-hook 'dns01-certbot auth'");
  });

  test('DNS01_LOG_LEVEL=info shows progress on stderr', async () => {
    const achalls: Achall[] = [{ domain: 'example.com', validation: 'verbose' }];
    const r = await hook('auth', { ...certbotEnv(achalls, 0), DNS01_LOG_LEVEL: 'info' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('created TXT _acme-challenge.example.com');
    // progress lines carry the hook's own name, like its error line
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(/^dns01-certbot( mrdomain)?:/);
    expect((await hook('cleanup', certbotEnv(achalls, 0))).status).toBe(0);
  });
});
