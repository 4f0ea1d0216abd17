import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Env } from './config.js';
import { ConfigError, Dns01Error } from './errors.js';

/**
 * Host-local state that outlives one process (certbot runs, host-wide locks,
 * cached sessions): a private directory of the current user, never a
 * predictable shared path such as /tmp/dns01-<uid>.
 *
 * root: /run/dns01, else /var/lib/dns01 (both root-owned parents).
 * others: $XDG_RUNTIME_DIR/dns01, else $XDG_STATE_HOME/dns01, else ~/.local/state/dns01.
 * DNS01_STATE_DIR overrides all of them (tests, unusual set-ups).
 */
export function stateBaseCandidates(env: Env): string[] {
  if (env.DNS01_STATE_DIR) return [env.DNS01_STATE_DIR];
  if (process.getuid?.() === 0) return ['/run/dns01', '/var/lib/dns01'];
  const out: string[] = [];
  if (env.XDG_RUNTIME_DIR) out.push(join(env.XDG_RUNTIME_DIR, 'dns01'));
  if (env.XDG_STATE_HOME) out.push(join(env.XDG_STATE_HOME, 'dns01'));
  out.push(join(env.HOME || homedir(), '.local', 'state', 'dns01'));
  return out;
}

const HINT = 'Remove it, or set DNS01_STATE_DIR to a directory with mode 700 owned by this user';

/** Creates `dir` (mode 0700) if needed and refuses a symlink, a foreign directory or one open to others. */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`state directory ${dir} cannot be created (${code})`, { hint: HINT });
  }
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new ConfigError(`state directory ${dir} is not a private directory of this user`, { hint: HINT });
  }
}

/**
 * The private state directory (created on first use), optionally a private
 * subdirectory of it. The first candidate that can be made private wins; when
 * none can, the error of the first is reported.
 */
export function privateStateDir(env: Env, ...sub: string[]): string {
  let firstError: unknown;
  for (const base of stateBaseCandidates(env)) {
    try {
      ensurePrivateDir(base);
      let dir = base;
      for (const part of sub) {
        dir = join(dir, part);
        ensurePrivateDir(dir);
      }
      return dir;
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}

/** Writes a 0600 file atomically (temporary file + rename), refusing to follow a planted symlink. */
export function writePrivateFile(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The file's content, or undefined when it does not exist. */
export function readPrivateFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export class LockTimeoutError extends Dns01Error {}

export interface HostLockOptions {
  /** How long to wait for another process to release the lock (default 120 s). */
  waitMs?: number;
  /** Called once when the lock is held by another process and we start waiting. */
  onWait?: (holderPid: number | undefined) => void;
  signal?: AbortSignal;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` while holding a host-wide lock named `key` (a lock file in the
 * private state directory, created with O_EXCL and holding our pid). A lock
 * left by a process that died is taken over. Only processes of the same user
 * share the directory, so only they contend.
 */
export async function withHostLock<T>(env: Env, key: string, fn: () => Promise<T>, options: HostLockOptions = {}): Promise<T> {
  const dir = privateStateDir(env, 'locks');
  const path = join(dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  let told = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(readPrivateFile(path) ?? '', 10);
    if (Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) {
      try {
        unlinkSync(path);
      } catch {
        // another waiter removed it first
      }
      continue;
    }
    if (!told) {
      options.onWait?.(Number.isInteger(holder) ? holder : undefined);
      told = true;
    }
    if (Date.now() >= deadline) {
      throw new LockTimeoutError(`another dns01 process (pid ${Number.isInteger(holder) ? holder : '?'}) holds the lock ${key}`, {
        hint: 'Wait for it to finish, or remove the lock file if no dns01 process is running: ' + path,
      });
    }
    await sleep(25 + Math.random() * 50);
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
}
