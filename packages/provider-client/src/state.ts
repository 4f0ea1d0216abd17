import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
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
import { z } from 'zod';
import { readSettings, setting, type Env } from './config.js';
import { Dns01Error } from './errors.js';
import { firstPrivateDir, shownPath } from './state-dir.js';
import { stateDirCandidates, type StateDirCandidate } from './state-paths.js';

/**
 * Host-local state that outlives one process (certbot runs, host-wide locks,
 * cached sessions): a private directory of the current user, never a
 * predictable shared path such as /tmp/dns01-<uid>, on a path no other user
 * can swap (state-paths.ts, state-dir.ts); the files and locks in it.
 */
export type { StateDirCandidate } from './state-paths.js';
export { ensurePrivateDir, firstPrivateDir, privateDirAt, UnsafeStateDirError } from './state-dir.js';

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'error';

export const stateDirSetting = setting<string | undefined>({
  names: ['DNS01_STATE_DIR'],
  schema: z.string(),
  default: undefined,
  description:
    "the private directory for state that outlives one process (certbot runs, host-wide locks, the run cache, node's compile cache on Node >= 22.1): mode 0700, files 0600, never a shared predictable path. Made as its last component only (its parent must exist); the defaults make their missing parents inside the home directory. Refused with exit 3 when another user could swap it: a directory on its path (symlinks followed) that belongs to another user or that others may write, except a sticky one such as /tmp holding a directory of this user (OpenSSH's StrictModes rule). A default that is a symlink, foreign or open to others is refused and the next one is used; when none is usable, exit 3 naming the path",
  docs: {
    default: 'root: `/run/dns01`, else `/var/lib/dns01`; others: `$XDG_RUNTIME_DIR/dns01`, else `$XDG_STATE_HOME/dns01`, else `~/.local/state/dns01`',
  },
});

/** Where the private state directory may be, best first (state-paths.ts): DNS01_STATE_DIR, else the defaults. */
export function stateBaseCandidates(env: Env, uid: number | undefined = process.getuid?.()): StateDirCandidate[] {
  return stateDirCandidates(readSettings(env, { dir: stateDirSetting }).dir, env, uid);
}

/** The private state directory (made on first use), optionally a private subdirectory of it. */
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
        hint: 'Wait for it to finish, or remove the lock file if no dns01 process is running: ' + shownPath(path),
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
