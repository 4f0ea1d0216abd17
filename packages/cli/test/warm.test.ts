// The warm process (packages/cli/src/warm/): a later call of a run is served
// by the executable's warm process, with exactly the result the call would
// have had on its own, and never with another call's environment, never over
// a socket anyone else could have planted. Runs the built executables.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runNode, startTestWorld, type RunResult, type TestWorld } from '@dns01/testkit';
import { warmSocket } from '../src/warm/socket.js';

const BIN = resolve(import.meta.dirname, '../dist/bin/dns01.js');
const BUNDLE = resolve(import.meta.dirname, '../dist/bin/dns01.bundle.js');

let world: TestWorld<'netcup'>;
let state: string;
const warmPids = new Set<number>();

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' first`);
  world = await startTestWorld({ provider: 'netcup' });
});
afterAll(async () => world?.close());
beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), 'dns01-warm-'));
  chmodSync(state, 0o700);
});
afterEach(async () => {
  const zone = world.store.zoneFor('_acme-challenge.example.com')!;
  world.store.remove(zone, world.store.records(zone, { type: 'TXT' }).map((r) => r.id));
  // Its socket gone with the state directory, a warm process ends within a second or two.
  rmSync(state, { recursive: true, force: true });
  for (let i = 0; i < 60 && [...warmPids].some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  expect([...warmPids].filter(alive)).toEqual([]);
  warmPids.clear();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** dns01 with the world's settings, this test's state directory and debug logs (which name the pid that ran the call). */
async function dns01(args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Promise<RunResult & { pid: number }> {
  const r = await runNode(BIN, args, {
    env: { PATH: process.env.PATH, HOME: '/nonexistent', ...world.env, DNS01_STATE_DIR: state, DNS01_LOG_LEVEL: 'debug', ...env },
    ...(cwd ? { cwd } : {}),
  });
  const pid = Number(/ready \(startupMs=\d+ pid=(\d+)/.exec(r.stderr)?.[1]);
  return { ...r, pid };
}

/** Calls until two in a row are served by the same process, the warm one (the first call starts it in the background); its pid. */
async function warmPid(): Promise<number> {
  let last = (await dns01(['zones'])).pid;
  for (let i = 0; i < 50; i++) {
    await new Promise((done) => setTimeout(done, 50));
    const { pid } = await dns01(['zones']);
    if (pid === last) {
      warmPids.add(pid);
      return pid;
    }
    last = pid;
  }
  throw new Error('no call was served by a warm process');
}

/** stdout and stderr without the debug lines (whose timings and pid differ). */
const visible = (r: RunResult) => ({ status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/^dns01[^:]*: debug: .*\n/gm, '') });

describe('the warm process', { timeout: 60_000 }, () => {
  test('serves the later calls of a run, with the results a call of its own gives', async () => {
    const pid = await warmPid();
    // Each sequence from an empty challenge name, once in the warm process and once each call on its own.
    const sequences = [
      [['present', 'example.com', 'value-1'], ['cleanup', 'example.com', 'value-1']],
      [['present', 'example.com'], ['--version'], ['cleanup', 'example.com', 'never-created']],
    ];
    for (const calls of sequences) {
      const warm = [];
      for (const args of calls) warm.push(await dns01(args));
      const own = [];
      for (const args of calls) own.push(await dns01(args, { DNS01_WARM: '0' }));
      // --version answers before any log line (no pid to see).
      expect(warm.map((r) => r.pid).filter((p) => !Number.isNaN(p))).toEqual(calls.filter((c) => c[0] !== '--version').map(() => pid));
      expect(own.map((r) => r.pid)).not.toContain(pid);
      expect(warm.map(visible)).toEqual(own.map(visible));
    }
  });

  test('a call never sees the environment of an earlier one', async () => {
    const pid = await warmPid();
    const without = await dns01(['present', '--no-wait', 'example.com', 'v'], { NETCUP_API_PASSWORD: undefined });
    expect(without.pid).toBe(pid);
    expect(without.status).toBe(3);
    expect(without.stderr).toMatch(/NETCUP_API_PASSWORD/);
    expect(world.txt('_acme-challenge.example.com')).toEqual([]);
  });

  test("a call never sees an earlier one's secrets: the warning about a short one comes every time", async () => {
    const pid = await warmPid();
    const env = { DNS01_PROVIDER: 'xsserver', XSSERVER_USERNAME: 'user-name', XSSERVER_PASSWORD: 'short1', XSSERVER_ENDPOINT: 'not-a-url' };
    for (let i = 0; i < 2; i++) {
      const r = await dns01(['zones'], env);
      expect(r.pid).toBe(pid);
      expect(r.stderr).toContain('XSSERVER_PASSWORD is shorter than 8 characters');
    }
  });

  test("paths are the caller's: a relative DNS01_CONFIG is read from the caller's directory", async () => {
    const pid = await warmPid();
    const dir = join(state, 'caller');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config'), `DNS01_PROVIDER=no-such-provider\n`, { mode: 0o600 });
    const r = await dns01(['zones'], { DNS01_CONFIG: './config', DNS01_PROVIDER: undefined }, dir);
    expect(r.pid).toBe(pid);
    expect(r.stderr).toMatch(/configFile=\.\/config\)[^]*DNS01_PROVIDER is malformed/);
  });

  test('a call while the warm process is busy (a wait) runs on its own, and both succeed', async () => {
    const pid = await warmPid();
    world.dns.nameserver('ns1.dns01-test.net').setLag(1500);
    const waiting = dns01(['present', 'example.com', 'slow-value']);
    await new Promise((r) => setTimeout(r, 300));
    const meanwhile = await dns01(['present', '--no-wait', 'example.com', 'quick-value']);
    expect(meanwhile.status).toBe(0);
    expect(meanwhile.pid).not.toBe(pid);
    const waited = await waiting;
    world.dns.nameserver('ns1.dns01-test.net').setLag(0);
    expect(waited.status).toBe(0);
    expect(waited.pid).toBe(pid);
    expect(world.txt('_acme-challenge.example.com').sort()).toEqual(['quick-value', 'slow-value']);
    await dns01(['cleanup', 'example.com', 'slow-value', 'example.com', 'quick-value']);
  });

  test('no secret in its command line or environment', async () => {
    const pid = await warmPid();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(cmdline).toEqual([process.execPath, BUNDLE]);
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((v) => v.split('=')[0]);
    expect(environ.sort()).toEqual(['DNS01_WARM_SERVE', 'PATH']);
  });

  test('Ctrl-C reaches the call in the warm process: the wait stops and cleans up', async () => {
    const pid = await warmPid();
    world.dns.nameserver('ns1.dns01-test.net').setLag(Number.POSITIVE_INFINITY);
    const child = spawn(process.execPath, [BIN, 'present', 'example.com', 'interrupted'], {
      env: { PATH: process.env.PATH, HOME: '/nonexistent', ...world.env, DNS01_STATE_DIR: state, DNS01_LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    for (let i = 0; i < 200 && !stderr.includes('created TXT'); i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGINT');
    const status = await new Promise<number | null>((done) => child.on('close', done));
    world.dns.nameserver('ns1.dns01-test.net').setLag(0);
    expect(stderr).toContain(`pid=${pid}`);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/dns01: error: .*interrupted by SIGINT/);
    expect(world.txt('_acme-challenge.example.com')).toEqual([]);
  });
});

describe('the socket', { timeout: 60_000 }, () => {
  test('is named after the bundle: an upgrade (another size or time) never reaches the old warm process', () => {
    const bundle = join(state, 'bundle.js');
    writeFileSync(bundle, 'a');
    utimesSync(bundle, 1_000, 1_000);
    const first = warmSocket({ DNS01_STATE_DIR: state }, 'dns01', bundle)!.path;
    utimesSync(bundle, 2_000, 2_000);
    const touched = warmSocket({ DNS01_STATE_DIR: state }, 'dns01', bundle)!.path;
    writeFileSync(bundle, 'ab');
    utimesSync(bundle, 1_000, 1_000);
    const grown = warmSocket({ DNS01_STATE_DIR: state }, 'dns01', bundle)!.path;
    expect(new Set([first, touched, grown]).size).toBe(3);
    expect(first.startsWith(join(state, 'warm', 'dns01-'))).toBe(true);
    expect(warmSocket({ DNS01_STATE_DIR: join(state, 'x'.repeat(120)) }, 'dns01', bundle)).toBeUndefined();
  });

  test('in a directory others may enter, a planted socket never gets a call: the call runs on its own', async () => {
    const socket = warmSocket({ DNS01_STATE_DIR: state }, 'dns01', BUNDLE)!;
    mkdirSync(socket.dir, { recursive: true });
    chmodSync(socket.dir, 0o755);
    let connections = 0;
    const planted = createServer((c) => {
      connections++;
      c.destroy();
    });
    await new Promise<void>((done) => planted.listen(socket.path, done));
    try {
      const r = await dns01(['present', '--no-wait', 'example.com', 'planted']);
      expect(r.status).toBe(0);
      expect(connections).toBe(0);
      expect(world.txt('_acme-challenge.example.com')).toEqual(['planted']);
      await dns01(['cleanup', 'example.com', 'planted']);
    } finally {
      planted.close();
    }
  });
});
