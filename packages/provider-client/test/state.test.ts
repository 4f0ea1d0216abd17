import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, LockTimeoutError, privateStateDir, readPrivateFile, stateBaseCandidates, withHostLock, writePrivateFile } from '../src/index.js';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'dns01-state-test-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('state: the private per-user directory', () => {
  it('DNS01_STATE_DIR wins; otherwise XDG runtime, XDG state, then ~/.local/state (non-root)', () => {
    expect(stateBaseCandidates({ DNS01_STATE_DIR: '/x' })).toEqual(['/x']);
    if (process.getuid?.() === 0) return;
    expect(stateBaseCandidates({ XDG_RUNTIME_DIR: '/run/user/1', XDG_STATE_HOME: '/s', HOME: '/h' })).toEqual(['/run/user/1/dns01', '/s/dns01', '/h/.local/state/dns01']);
  });

  it('creates the directory and its subdirectories with mode 0700; files are 0600', () => {
    const dir = privateStateDir({ DNS01_STATE_DIR: join(work, 'state') }, 'runs');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(work, 'state')).mode & 0o777).toBe(0o700);
    writePrivateFile(join(dir, 'f'), 'content');
    expect(statSync(join(dir, 'f')).mode & 0o777).toBe(0o600);
    expect(readPrivateFile(join(dir, 'f'))).toBe('content');
    expect(readPrivateFile(join(dir, 'missing'))).toBeUndefined();
  });

  it('refuses a directory open to others, and a symlink', () => {
    const open = join(work, 'open');
    mkdirSync(open);
    chmodSync(open, 0o755);
    expect(() => privateStateDir({ DNS01_STATE_DIR: open })).toThrow(ConfigError);
    const target = join(work, 'target');
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, join(work, 'link'));
    expect(() => privateStateDir({ DNS01_STATE_DIR: join(work, 'link') })).toThrow(ConfigError);
  });

  it('withHostLock runs one holder at a time and takes over a lock whose process is gone', async () => {
    const env = { DNS01_STATE_DIR: join(work, 'state') };
    const order: string[] = [];
    const slow = withHostLock(env, 'zone', async () => {
      order.push('a-start');
      await new Promise((r) => setTimeout(r, 150));
      order.push('a-end');
    });
    await new Promise((r) => setTimeout(r, 20));
    await withHostLock(env, 'zone', async () => void order.push('b'), { waitMs: 5000 });
    await slow;
    expect(order).toEqual(['a-start', 'a-end', 'b']);

    writeFileSync(join(privateStateDir(env, 'locks'), 'stale.lock'), '999999999', { mode: 0o600 });
    await expect(withHostLock(env, 'stale', async () => 'taken over', { waitMs: 2000 })).resolves.toBe('taken over');
  });

  it('a lock held by a live process for longer than waitMs is a LockTimeoutError', async () => {
    const env = { DNS01_STATE_DIR: join(work, 'state') };
    writeFileSync(join(privateStateDir(env, 'locks'), 'busy.lock'), String(process.pid), { mode: 0o600 });
    await expect(withHostLock(env, 'busy', async () => 'never', { waitMs: 200 })).rejects.toBeInstanceOf(LockTimeoutError);
  });
});
