import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Env } from './config.js';
import { ConfigError, Dns01Error } from './errors.js';
import { isPrivateDir, stateBaseCandidates } from './state-paths.js';

/**
 * Host-local state that outlives one process (certbot runs, host-wide locks,
 * cached sessions): a private directory of the current user, never a
 * predictable shared path such as /tmp/dns01-<uid>. Its candidates:
 * state-paths.ts.
 */
export { stateBaseCandidates } from './state-paths.js';

const HINT = 'Remove it, or set DNS01_STATE_DIR to a directory with mode 700 owned by this user';

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'error';

/** Creates `dir` (mode 0700) if needed and refuses a symlink, a foreign directory or one open to others. */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError(`state directory ${dir} cannot be created (${codeOf(error)})`, { hint: HINT });
  }
  if (!isPrivateDir(dir)) {
    throw new ConfigError(`state directory ${dir} is not a private directory of this user`, { hint: HINT });
  }
}

/**
 * The first of `candidates` that is (or can be made) a private directory,
 * with the private subdirectories `sub` below it. When none can, the error of
 * the first is reported (a ConfigError naming the path).
 */
export function firstPrivateDir(candidates: readonly string[], sub: readonly string[] = []): string {
  let firstError: unknown;
  for (const base of candidates) {
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

/** The private state directory (created on first use), optionally a private subdirectory of it. */
export function privateStateDir(env: Env, ...sub: string[]): string {
  return firstPrivateDir(stateBaseCandidates(env), sub);
}

/** Writes a 0600 file atomically (fresh temporary file + rename), never following a planted symlink. */
export function writePrivateFile(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
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

/** A lock file as read once: the pid it names and the file it was (inode). */
export interface LockHolder {
  pid: number | undefined;
  ino: number;
}

/** Who holds the lock at `path`, or undefined when there is none. */
export function readLockHolder(path: string): LockHolder | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { ino } = fstatSync(fd);
    const text = readFileSync(fd, 'utf8').trim();
    return { pid: /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined, ino };
  } finally {
    closeSync(fd);
  }
}

/** A takeover guard is held for a few synchronous system calls; one this old was left by a process killed inside. */
const GUARD_STALE_MS = 10_000;

/**
 * Removes the lock at `path` only if it is still the file `seen` (same inode,
 * same dead pid). Removals are serialised by a guard file, and each re-reads
 * the lock under the guard: two waiters that both saw the same dead holder
 * cannot remove each other's fresh lock. True when it removed it.
 */
export function removeStaleLock(path: string, seen: LockHolder): boolean {
  const guard = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw error;
    try {
      if (Date.now() - lstatSync(guard).mtimeMs > GUARD_STALE_MS) unlinkSync(guard);
    } catch {
      // gone meanwhile
    }
    return false;
  }
  try {
    const now = readLockHolder(path);
    if (!now || now.ino !== seen.ino || now.pid !== seen.pid) return false;
    unlinkSync(path);
    return true;
  } finally {
    closeSync(fd);
    unlinkSync(guard);
  }
}

/** Creates the lock file holding our pid, complete or not at all (link() of a finished file). */
function tryCreateLock(path: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, String(process.pid), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Runs `fn` while holding a host-wide lock named `key` (a lock file in the
 * private state directory, holding our pid). A lock left by a process that
 * died is taken over (see removeStaleLock). Only processes of the same user
 * share the directory, so only they contend; pids must be of one pid namespace.
 */
export async function withHostLock<T>(env: Env, key: string, fn: () => Promise<T>, options: HostLockOptions = {}): Promise<T> {
  const dir = privateStateDir(env, 'locks');
  const path = join(dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  let told = false;
  for (;;) {
    options.signal?.throwIfAborted();
    if (tryCreateLock(path)) break;
    const holder = readLockHolder(path);
    if (!holder) continue;
    if (holder.pid !== undefined && !pidAlive(holder.pid) && removeStaleLock(path, holder)) continue;
    if (!told) {
      options.onWait?.(holder.pid);
      told = true;
    }
    if (Date.now() >= deadline) {
      throw new LockTimeoutError(`another dns01 process (pid ${holder.pid ?? '?'}) holds the lock ${key}`, {
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
