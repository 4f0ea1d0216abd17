// The run cache's account directory across separate processes (issue 25): an
// HMAC under the private key file, never a plain hash of the credentials.
// Runs the built dns01 (pnpm build first) against the netcup emulator.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { runNode, startTestWorld, type TestWorld } from '@dns01/testkit';

const BIN = resolve(import.meta.dirname, '../dist/bin/dns01.js');

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' first`);
});

describe('run cache account key', { timeout: 60_000 }, () => {
  let world: TestWorld<'netcup'> | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  const present = (w: TestWorld, value: string, env: Record<string, string> = {}) =>
    runNode(BIN, ['present', '--no-wait', '--debug', 'example.com', value], {
      env: { PATH: process.env.PATH, HOME: '/nonexistent', ...w.env, ...env },
    });
  const accountDirs = (w: TestWorld) => readdirSync(join(w.stateDir, 'cache')).sort();

  test('the same credentials find the same directory in every process; other credentials, or another key, another one', async () => {
    world = await startTestWorld({ provider: 'netcup' });
    const first = await present(world, 'one');
    const second = await present(world, 'two');
    expect([first.status, second.status]).toEqual([0, 0]);
    const [dir, ...more] = accountDirs(world);
    expect(more).toEqual([]);
    expect(dir).toMatch(/^netcup-[0-9a-f]{32}$/);
    // The second process used the first one's session: one login in all.
    expect(world.emulator.actionCounts().login).toBe(1);

    const keyFile = join(world.stateDir, 'run-cache.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    for (const r of [first, second]) {
      // The key never shows, not even at debug level.
      expect(r.stderr).not.toContain(key);
      expect(r.stderr).toContain('debug');
    }

    const other = await present(world, 'three', { NETCUP_API_PASSWORD: 'another-password-1' });
    expect(other.status).toBe(4);
    expect(accountDirs(world)).toHaveLength(2);
    expect(accountDirs(world)).toContain(dir);

    // Without this very key file the name cannot be made: with another key the same credentials get another directory.
    writeFileSync(keyFile, 'ab'.repeat(32), { mode: 0o600 });
    const rekeyed = await present(world, 'four');
    expect(rekeyed.status).toBe(0);
    expect(accountDirs(world)).toHaveLength(3);
  });
});
