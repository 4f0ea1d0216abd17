import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors.js';
import { checkStatePath, isPrivateDirStat, type StateDirCandidate } from './state-paths.js';

/**
 * Opening the private state directory and its subdirectories, on a checked
 * path (state-paths.ts), without the suite's settings: state.ts reads
 * DNS01_STATE_DIR, the executables' loader (compile-cache.ts) uses this
 * before the suite loads.
 *
 * Each directory handed out is pinned: opened once and, on Linux, named as
 * /proc/self/fd/<fd>, so that the files made and locked in it land in the
 * directory that was checked, whatever happens to its path afterwards.
 * Without /proc the checked path itself is handed out (checked again on
 * every call).
 */

/** A state directory another user could swap (an ancestor writable by them): refused, never worked around. */
export class UnsafeStateDirError extends ConfigError {}

const HINT = 'Remove it, or set DNS01_STATE_DIR to a directory with mode 700 owned by this user';

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'error';

/** Pinned directories: dev:ino -> the path to work through. */
const pinned = new Map<string, string>();
/** A pinned path -> the directory's path as the user knows it, for messages. */
const knownAs = new Map<string, string>();

/** `path` with a pinned directory's /proc/self/fd/<fd> replaced by its own path, for messages. */
export function shownPath(path: string): string {
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
  knownAs.set(viaFd, shownPath(path));
  return viaFd;
}

/** Opens the directory at `path` without following a symlink there; refuses one that is not private. */
function openPrivateDir(path: string, expected?: Stats): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOTDIR' || code === 'ELOOP')
      throw new ConfigError(`state directory ${shownPath(path)} is not a private directory of this user`, { hint: HINT });
    throw new ConfigError(`state directory ${shownPath(path)} cannot be opened (${code})`, { hint: HINT });
  }
  const st = fstatSync(fd);
  if (!isPrivateDirStat(st) || (expected && (st.dev !== expected.dev || st.ino !== expected.ino))) {
    closeSync(fd);
    throw new ConfigError(`state directory ${shownPath(path)} is not a private directory of this user`, { hint: HINT });
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
    if (codeOf(error) !== 'EEXIST') throw new ConfigError(`state directory ${shownPath(dir)} cannot be created (${codeOf(error)})`, { hint: HINT });
  }
  let st: Stats;
  try {
    st = lstatSync(dir);
  } catch (error) {
    throw new ConfigError(`state directory ${shownPath(dir)} cannot be created (${codeOf(error)})`, { hint: HINT });
  }
  if (!isPrivateDirStat(st)) throw new ConfigError(`state directory ${shownPath(dir)} is not a private directory of this user`, { hint: HINT });
}

/** Rounds of make-one-missing-directory-then-walk-again; a path is not this deep. */
const MAX_MADE = 64;

/**
 * Opens a state directory candidate after checking every directory on its
 * path, making it if it is missing: its last component only, or below
 * `parentsFrom` (the user's home) its missing parents too, each 0700.
 * Nothing is made when the path is unsafe.
 */
function openStateBase({ path, parentsFrom }: StateDirCandidate, make: boolean): string {
  const inOwn = parentsFrom !== undefined && join(path).startsWith(join(parentsFrom, '/'));
  const ownDepth = inOwn ? join(parentsFrom).split('/').filter(Boolean).length : Infinity;
  for (let round = 0; round < MAX_MADE; round++) {
    const found = checkStatePath(path);
    if (found.kind === 'unsafe') {
      throw new UnsafeStateDirError(`state directory ${path} refused: ${found.unsafe.why}, so another user could swap it`, { hint: found.unsafe.fix });
    }
    if (found.kind === 'error') throw new ConfigError(`state directory ${path} cannot be reached (${found.code} at ${found.at})`, { hint: HINT });
    if (found.kind === 'found') return pin(openPrivateDir(found.real, found.st), path);
    const { parent, name, index, last } = found;
    if (!make) throw new ConfigError(`state directory ${path} does not exist`, { hint: HINT });
    if (!last && (index === undefined || index < ownDepth)) {
      throw new ConfigError(`state directory ${path} cannot be created: ${join(parent, name)} does not exist`, {
        hint: `Create ${join(parent, name)} (writable by this user and root only), or set DNS01_STATE_DIR to a directory whose parent exists`,
      });
    }
    try {
      mkdirSync(join(parent, name), { mode: 0o700 });
    } catch (error) {
      // EEXIST: made meanwhile; the next walk checks whose it is.
      if (codeOf(error) !== 'EEXIST')
        throw new ConfigError(`state directory ${path} cannot be created (${codeOf(error)} at ${join(parent, name)})`, { hint: HINT });
    }
  }
  throw new ConfigError(`state directory ${path} cannot be created (it keeps changing)`, { hint: HINT });
}

/**
 * A private directory of this user at `path` on a path no other user can
 * swap (the gateway's): made if missing (unless `make` is false), its last
 * component only, or with its missing parents when it lies in the home
 * directory.
 */
export function privateDirAt(path: string, { make = true } = {}): string {
  return firstPrivateDir([{ path, parentsFrom: homedir() }], [], { make });
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
 * The first of `candidates` that is (or, unless `make` is false, can be
 * made) a private directory on a safe path, with the private subdirectories
 * `sub` below it. When none can, the error of the first is reported (a
 * ConfigError naming the path).
 */
export function firstPrivateDir(candidates: readonly StateDirCandidate[], sub: readonly string[] = [], { make = true } = {}): string {
  let firstError: unknown;
  for (const candidate of candidates) {
    try {
      return openSubdirs(openStateBase(candidate, make), sub);
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}
