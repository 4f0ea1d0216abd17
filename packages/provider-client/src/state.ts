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
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { readSettings, setting, type Env } from './config.js';
import { ConfigError, Dns01Error } from './errors.js';
import { checkStatePath, isPrivateDirStat, stateDirCandidates, type StateDirCandidate } from './state-paths.js';

/**
 * Host-local state that outlives one process (certbot runs, host-wide locks,
 * cached sessions): a private directory of the current user, never a
 * predictable shared path such as /tmp/dns01-<uid>, on a path no other user
 * can swap. Its candidates and the path check: state-paths.ts.
 *
 * Each directory handed out is pinned: opened once and, on Linux, named as
 * /proc/self/fd/<fd>, so that the files made and locked in it land in the
 * directory that was checked, whatever happens to its path afterwards.
 * Without /proc the checked path itself is handed out (checked again on
 * every call).
 */
export type { StateDirCandidate } from './state-paths.js';

export const stateDirSetting = setting<string | undefined>({
  names: ['DNS01_STATE_DIR'],
  schema: z.string(),
  default: undefined,
  description:
    "the private directory for state that outlives one process (certbot runs, host-wide locks, the run cache): mode 0700, files 0600, never a shared predictable path. Made as its last component only (its parent must exist); the defaults make their missing parents inside the home directory. Refused with exit 3 when another user could swap it: a directory on its path (symlinks followed) that belongs to another user or that others may write, except a sticky one such as /tmp holding a directory of this user (OpenSSH's StrictModes rule). A default that is a symlink, foreign or open to others is refused and the next one is used; when none is usable, exit 3 naming the path",
  docs: {
    default: 'root: `/run/dns01`, else `/var/lib/dns01`; others: `$XDG_RUNTIME_DIR/dns01`, else `$XDG_STATE_HOME/dns01`, else `~/.local/state/dns01`',
  },
});

/** Where the private state directory may be, best first (state-paths.ts): DNS01_STATE_DIR, else the defaults. */
export function stateBaseCandidates(env: Env, uid: number | undefined = process.getuid?.()): StateDirCandidate[] {
  return stateDirCandidates(readSettings(env, { dir: stateDirSetting }).dir, env, uid);
}

/** A state directory another user could swap (an ancestor writable by them): refused, never worked around. */
export class UnsafeStateDirError extends ConfigError {}

const HINT = 'Remove it, or set DNS01_STATE_DIR to a directory with mode 700 owned by this user';

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'error';

/** Pinned directories: dev:ino -> the path to work through. */
const pinned = new Map<string, string>();
/** A pinned path -> the directory's path as the user knows it, for messages. */
const knownAs = new Map<string, string>();

/** `path` with a pinned directory's /proc/self/fd/<fd> replaced by its own path, for messages. */
function shown(path: string): string {
  for (const [pin, real] of knownAs) {
    if (path === pin || path.startsWith(`${pin}/`)) return real + path.slice(pin.length);
  }
  return path;
}

/** The directory open on `fd` (checked private) as a path to work through; `fd` is kept or closed. */
function pin(fd: number, path: string): string {
  const st = fstatSync(fd);
  const key = `${st.dev}:${st.ino}`;
  const known = pinned.get(key);
  if (known !== undefined) {
    closeSync(fd);
    return known;
  }
  const viaFd = `/proc/self/fd/${fd}`;
  let usable = false;
  try {
    const seen = statSync(viaFd);
    usable = seen.dev === st.dev && seen.ino === st.ino;
  } catch {
    // no /proc (another system, a chroot without it)
  }
  if (!usable) {
    closeSync(fd);
    return path;
  }
  // Kept open for the life of the process: a caller may hold the path, and a closed fd's number is reused.
  pinned.set(key, viaFd);
  knownAs.set(viaFd, shown(path));
  return viaFd;
}

/** Opens the directory at `path` without following a symlink there; refuses one that is not private. */
function openPrivateDir(path: string, expected?: Stats): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOTDIR' || code === 'ELOOP') throw new ConfigError(`state directory ${shown(path)} is not a private directory of this user`, { hint: HINT });
    throw new ConfigError(`state directory ${shown(path)} cannot be opened (${code})`, { hint: HINT });
  }
  const st = fstatSync(fd);
  if (!isPrivateDirStat(st) || (expected && (st.dev !== expected.dev || st.ino !== expected.ino))) {
    closeSync(fd);
    throw new ConfigError(`state directory ${shown(path)} is not a private directory of this user`, { hint: HINT });
  }
  return fd;
}

/**
 * Makes `dir` (mode 0700) if it is missing, its last component only, and
 * refuses a symlink, a foreign directory or one open to others. For a
 * directory inside one privateStateDir returned (whose path is checked).
 */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw new ConfigError(`state directory ${shown(dir)} cannot be created (${codeOf(error)})`, { hint: HINT });
  }
  let st: Stats;
  try {
    st = lstatSync(dir);
  } catch (error) {
    throw new ConfigError(`state directory ${shown(dir)} cannot be created (${codeOf(error)})`, { hint: HINT });
  }
  if (!isPrivateDirStat(st)) throw new ConfigError(`state directory ${shown(dir)} is not a private directory of this user`, { hint: HINT });
}

/** Rounds of make-one-missing-directory-then-walk-again; a path is not this deep. */
const MAX_MADE = 64;

/**
 * Opens a state directory candidate after checking every directory on its
 * path, making it if it is missing: its last component only, or below
 * `parentsFrom` (the user's home) its missing parents too, each 0700.
 * Nothing is made when the path is unsafe.
 */
function openStateBase({ path, parentsFrom }: StateDirCandidate): string {
  const ownDepth = parentsFrom === undefined ? Infinity : join(parentsFrom).split('/').filter(Boolean).length;
  for (let round = 0; round < MAX_MADE; round++) {
    const found = checkStatePath(path);
    if (found.kind === 'unsafe') {
      throw new UnsafeStateDirError(`state directory ${path} refused: ${found.unsafe.why}, so another user could swap it`, { hint: found.unsafe.fix });
    }
    if (found.kind === 'error') throw new ConfigError(`state directory ${path} cannot be reached (${found.code} at ${found.at})`, { hint: HINT });
    if (found.kind === 'found') return pin(openPrivateDir(found.real, found.st), path);
    const { parent, name, index, last } = found;
    if (!last && (index === undefined || index < ownDepth)) {
      throw new ConfigError(`state directory ${path} cannot be created: ${join(parent, name)} does not exist`, {
        hint: `Create ${join(parent, name)} (writable by this user and root only), or set DNS01_STATE_DIR to a directory whose parent exists`,
      });
    }
    try {
      mkdirSync(join(parent, name), { mode: 0o700 });
    } catch (error) {
      // EEXIST: made meanwhile; the next walk checks whose it is.
      if (codeOf(error) !== 'EEXIST') throw new ConfigError(`state directory ${path} cannot be created (${codeOf(error)} at ${join(parent, name)})`, { hint: HINT });
    }
  }
  throw new ConfigError(`state directory ${path} cannot be created (it keeps changing)`, { hint: HINT });
}

/** `sub` below the pinned directory `base`, each made (0700) if missing, checked and pinned. */
function openSubdirs(base: string, sub: readonly string[]): string {
  let dir = base;
  for (const part of sub) {
    const path = join(dir, part);
    ensurePrivateDir(path);
    dir = pin(openPrivateDir(path), path);
  }
  return dir;
}

/**
 * The first of `candidates` that is (or can be made) a private directory on
 * a safe path, with the private subdirectories `sub` below it. When none
 * can, the error of the first is reported (a ConfigError naming the path).
 */
export function firstPrivateDir(candidates: readonly StateDirCandidate[], sub: readonly string[] = []): string {
  let firstError: unknown;
  for (const candidate of candidates) {
    try {
      return openSubdirs(openStateBase(candidate), sub);
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
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
        hint: 'Wait for it to finish, or remove the lock file if no dns01 process is running: ' + shown(path),
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
