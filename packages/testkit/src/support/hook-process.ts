// Runs the BUILT hook executables as separate processes, the way ACME
// clients run them, and reads the test DNS servers the way a CA would.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { runNode, type RunResult } from '../run.js';
import { startTestWorld, type TestWorld, type TestWorldOptions } from '../world.js';

/** The workspace root: src/support and dist/support lie at the same depth in packages/testkit. */
const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

/** packages/<pkg>/dist/bin/<name>.js; fails with what to run when it is not built. */
export function builtExecutable(pkg: string, name: string): string {
  const path = join(REPO_ROOT, 'packages', pkg, 'dist', 'bin', `${name}.js`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`pnpm build\` first`);
  return path;
}

/** A HOME with no dns01 config file, so only the variables given count. */
let emptyHome: string | undefined;
afterAll(() => {
  if (emptyHome) rmSync(emptyHome, { recursive: true, force: true });
  emptyHome = undefined;
});

/**
 * Runs `node <executable> ...args` with exactly `env` (plus PATH and an empty
 * HOME): hooks get no environment of the user's shell. Killed after timeoutMs.
 */
export function runHook(executable: string, args: string[], env: Record<string, string>, timeoutMs = 15_000): Promise<RunResult> {
  emptyHome ??= mkdtempSync(join(tmpdir(), 'dns01-hook-home-'));
  return runNode(executable, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: emptyHome, XDG_CONFIG_HOME: emptyHome, ...env },
    timeoutMs,
  });
}

/** What each authoritative nameserver of the world serves at `name` now. */
export async function servedByNameservers(world: TestWorld, name: string, addresses: string[]): Promise<string[][]> {
  return Promise.all(
    addresses.map(async (address) => {
      const resolver = new Resolver({ timeout: 1000, tries: 2 });
      resolver.setServers([`${address}:${world.dns.port}`]);
      try {
        return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
        throw error;
      }
    }),
  );
}

/** Asserts in one place that a secret never reached a hook's output. */
export function leakedSecrets(world: TestWorld, ...texts: string[]): string[] {
  return world.secrets.filter((secret) => texts.some((t) => t.includes(secret)));
}

/** The error lines a hook executable printed (`dns01-<hook>: error: ...`); there should be exactly one on failure. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^dns01-[a-z]+: error: /.test(line));
}

/** A TXT value that belongs to someone else and must survive every test. */
export const FOREIGN = 'someone-elses-record';

/**
 * Returns `start(options)`: a test world for `provider` holding FOREIGN at
 * `challenge`, closed after each test.
 */
export function worldPerTest(provider: TestWorldOptions['provider'], challenge: string): (options?: Partial<TestWorldOptions>) => Promise<TestWorld> {
  let world: TestWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });
  return async (options = {}) => {
    world = await startTestWorld({ provider, records: [{ name: challenge, type: 'TXT', data: FOREIGN }], ...options });
    return world;
  };
}
