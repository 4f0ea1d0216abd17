// A fresh clone's first two commands (README, "Develop"): `pnpm install
// --frozen-lockfile` and `pnpm build` print no warning, since one looks like a
// failure to a newcomer (issue 26: pnpm's "Failed to create bin" for a package
// not built yet, esbuild's import.meta in a CommonJS bundle). The clone is the
// working tree's tracked files, so an uncommitted change is tested too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { explain, REPO_ROOT, run } from '@dns01/testkit/e2e';

const STEP_MS = 300_000;
const dir = mkdtempSync(join(tmpdir(), 'dns01-fresh-clone-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment without what pnpm and vitest add (npm_config_*, the workspace): as a user's shell has it. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|PNPM|pnpm_|VITEST|NODE_OPTIONS)/i.test(k)));
}

/** Lines that warn, in any tool's spelling ("WARN", "▲ [WARNING]", "warning:"). */
const warnings = (output: string) => output.split('\n').filter((l) => /\bwarn(ing)?\b/i.test(l));

test('pnpm install --frozen-lockfile and pnpm build in a fresh clone print no warning', { timeout: 2 * STEP_MS }, async () => {
  execFileSync('sh', ['-c', 'git ls-files -z | tar --null -T - --ignore-failed-read -cf - | tar -C "$1" -xf -', 'sh', dir], { cwd: REPO_ROOT });
  // The store already holds every package (the repository's own install): no registry needed.
  const install = await run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], { cwd: dir, env: userEnv(), timeoutMs: STEP_MS });
  expect(install.code, explain(install)).toBe(0);
  expect(warnings(install.output)).toEqual([]);
  const build = await run('pnpm', ['build'], { cwd: dir, env: userEnv(), timeoutMs: STEP_MS });
  expect(build.code, explain(build)).toBe(0);
  expect(warnings(build.output)).toEqual([]);
});
