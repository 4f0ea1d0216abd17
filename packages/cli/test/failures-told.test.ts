// A failure reports only what happened (issue 26): a record never created is
// never named; every record left behind comes with the command that removes
// it, and that command, run as printed by a shell, removes it; a dead API is
// retried with one progress line per round; a zone-not-found line stays short.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OWN_API_PROVIDERS, runNode, startTestWorld, type RunResult, type TestWorld } from '@dns01/testkit';

const BIN = resolve(import.meta.dirname, '../dist/bin/dns01.js');
const CHALLENGE = '_acme-challenge.example.com';
const work = mkdtempSync(join(tmpdir(), 'dns01-failures-told-'));
/** A `dns01` on PATH, as an installed one would be, for commands run as printed. */
const binDir = join(work, 'bin');

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' first`);
  mkdirSync(binDir);
  writeFileSync(join(binDir, 'dns01'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, { mode: 0o755 });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function dns01(args: string[], env: Record<string, string | undefined>, timeoutMs?: number): Promise<RunResult> {
  return runNode(BIN, args, { env: { PATH: process.env.PATH, HOME: work, XDG_CONFIG_HOME: work, ...env }, timeoutMs });
}

const errorLines = (r: RunResult) => r.stderr.split('\n').filter((l) => l.startsWith('dns01: error: '));

/** A loopback port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** Runs a command line the way a user pasting it would: through sh, with dns01 on PATH. */
async function runAsPrinted(command: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('/bin/sh', ['-c', command], {
      env: { ...env, PATH: `${binDir}:${process.env.PATH}`, HOME: work, XDG_CONFIG_HOME: work },
      timeout: 30_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The command a leftover message ends with. */
function commandIn(line: string): string {
  const command = /: (dns01 cleanup .*)$/.exec(line)?.[1];
  expect(command, line).toBeDefined();
  return command!;
}

const ENDPOINT_VARIABLE: Record<string, string> = {
  netcup: 'NETCUP_ENDPOINT',
  xsserver: 'XSSERVER_ENDPOINT',
  mrdomain: 'MRDOMAIN_ENDPOINT',
  sourcedesk: 'SOURCEDESK_ENDPOINT',
};

describe.concurrent.each(OWN_API_PROVIDERS)('%s', { timeout: 90_000 }, (provider) => {
  test('an API that refuses connections: one progress line per retry round, one error line naming no record, exit 6; the cleanup that follows exits 0', async () => {
    const world = await startTestWorld({ provider, foreignZones: ['other.test'] });
    try {
      const dead = { ...world.env, [ENDPOINT_VARIABLE[provider]!]: `http://127.0.0.1:${await closedPort()}/api` };
      const r = await dns01(['present', 'example.com', 'never-created-1'], dead, 60_000);
      expect(r.status, r.stderr).toBe(6);
      expect(errorLines(r)).toHaveLength(1);
      expect(r.stderr).not.toContain('never-created-1');
      const rounds = r.stderr.split('\n').filter((l) => /unreachable \(ECONNREFUSED\), retrying for up to \d+ s$/.test(l));
      // p-retry's 4 retries: one line each, however many requests failed together.
      expect(rounds.length).toBeGreaterThanOrEqual(1);
      expect(rounds.length).toBeLessThanOrEqual(4);
      expect(world.txt(CHALLENGE)).toEqual([]);

      // The client's cleanup (lego and acme.sh run one after a failed present) finds nothing to do.
      const after = await dns01(['cleanup', 'example.com', 'never-created-1'], dead, 60_000);
      expect(after.status, after.stderr).toBe(0);
      expect(after.stderr).toMatch(/nothing to delete for TXT _acme-challenge\.example\.com "never-created-1": its present failed and left nothing behind/);
    } finally {
      await world.close();
    }
  });

  test('a zone the account does not hold: one error line under 200 characters, and its cleanup exits 0 with a note', async () => {
    const world = await startTestWorld({ provider, foreignZones: ['other.test'] });
    try {
      const env = { ...world.env, DNS01_RUN_CACHE: '0' };
      const r = await dns01(['present', 'other.test', 'v1'], env);
      expect(r.status).toBe(5);
      const [line] = errorLines(r);
      expect(errorLines(r)).toHaveLength(1);
      expect(line!.length, line).toBeLessThan(200);
      expect(line).toContain('other.test');
      const cleanup = await dns01(['cleanup', 'other.test', 'v1'], env);
      expect(cleanup.status, cleanup.stderr).toBe(0);
      expect(cleanup.stderr).toMatch(/^dns01: nothing to delete: .*other\.test/m);
    } finally {
      await world.close();
    }
  });

  test('a cleanup during an outage names the record and ends with a command that, run as printed, removes it', async () => {
    const world = await startTestWorld({ provider });
    try {
      // A value a shell must quote, starting with "-" (the command needs "--").
      const value = `-left behind's`;
      expect((await dns01(['present', '--', 'example.com', value], world.env)).status).toBe(0);
      world.emulator.server.inject({ fault: { kind: 'status', status: 503 }, times: 10_000 });
      let failed: RunResult;
      try {
        failed = await dns01(['cleanup', '--', 'example.com', value], world.env, 60_000);
      } finally {
        world.emulator.server.clearFaults();
      }
      expect(failed.status).toBe(6);
      const [line] = errorLines(failed);
      expect(line).toContain(`TXT ${CHALLENGE} "${value}"`);
      const command = commandIn(line!);
      expect(command).toBe(`dns01 cleanup -- example.com '-left behind'\\''s'`);
      expect(world.txt(CHALLENGE)).toEqual([value]);

      const run = await runAsPrinted(command, world.env);
      expect(run.code, run.output).toBe(0);
      expect(world.txt(CHALLENGE)).toEqual([]);
    } finally {
      await world.close();
    }
  });
});

describe('names and settings as a new user types them', { timeout: 60_000 }, () => {
  let world: TestWorld<'netcup'>;
  beforeAll(async () => {
    world = await startTestWorld({ provider: 'netcup' });
  });
  afterAll(async () => world?.close());

  test('a domain given as its challenge name is taken as the domain it names, said in one info line', async () => {
    const r = await dns01(['present', '_acme-challenge.example.com', 'pasted'], world.env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('is already the challenge name of example.com'))).toHaveLength(1);
    expect(world.txt(CHALLENGE)).toEqual(['pasted']);
    expect(world.txt(`_acme-challenge.${CHALLENGE}`)).toEqual([]);
    const cleanup = await dns01(['cleanup', '_acme-challenge.example.com', 'pasted'], world.env);
    expect(cleanup.status).toBe(0);
    expect(world.txt(CHALLENGE)).toEqual([]);
  });

  test('no provider set and no config file: the files searched are named', async () => {
    const r = await dns01(['check', 'example.com'], {});
    expect(r.status).toBe(3);
    expect(errorLines(r)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^dns01: error: DNS01_PROVIDER is not set .* in a config file \\(none found; searched ${join(work, 'dns01', 'config')}, /etc/dns01/config\\)`,
        ),
      ),
    ]);
  });

  test('a DNS01_PROVIDER typo is echoed with a "did you mean"', async () => {
    const r = await dns01(['check', 'example.com'], { ...world.env, DNS01_PROVIDER: 'netcp' });
    expect(r.status).toBe(3);
    expect(errorLines(r)[0]).toMatch(/DNS01_PROVIDER is malformed: must be one of .*; did you mean netcup\? \(read "netcp"\)/);
  });

  test('check of a name that does not exist in DNS: zone not found, no word about the resolver', async () => {
    const r = await dns01(['check', 'nowhere.test'], world.env);
    expect(r.status).toBe(5);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/resolver/i);
  });
});
