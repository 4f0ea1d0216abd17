import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the private state directory may be, and whether the path to it is
 * safe: node's own modules only (no settings, no zod), so that the
 * executables' loader (compile-cache.ts) can use it before the suite loads.
 *
 * root: /run/dns01, else /var/lib/dns01 (both root-owned parents).
 * others: $XDG_RUNTIME_DIR/dns01, else $XDG_STATE_HOME/dns01, else ~/.local/state/dns01.
 * DNS01_STATE_DIR (`explicit`, read by state.ts) overrides all of them.
 */
export interface StateDirCandidate {
  path: string;
  /**
   * A directory of the user's own (the home directory) below which missing
   * parents of `path` may be made; without it only `path` itself is made.
   */
  parentsFrom?: string;
}

export function stateDirCandidates(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
  uid: number | undefined = process.getuid?.(),
): StateDirCandidate[] {
  if (explicit !== undefined) return [{ path: explicit }];
  if (uid === 0) return [{ path: '/run/dns01' }, { path: '/var/lib/dns01' }];
  const home = env.HOME || homedir();
  const out: StateDirCandidate[] = [];
  if (env.XDG_RUNTIME_DIR) out.push({ path: join(env.XDG_RUNTIME_DIR, 'dns01') });
  if (env.XDG_STATE_HOME) {
    const inHome = join(env.XDG_STATE_HOME).startsWith(join(home, '/'));
    out.push({ path: join(env.XDG_STATE_HOME, 'dns01'), ...(inHome ? { parentsFrom: home } : {}) });
  }
  out.push({ path: join(home, '.local', 'state', 'dns01'), parentsFrom: home });
  return out;
}

/** A directory of this user (not a symlink) that nobody else may enter. */
export function isPrivateDirStat(st: Stats, uid: number | undefined = process.getuid?.()): boolean {
  return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o077) === 0;
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/** Why another user could swap a directory on the way, and what would make it safe. */
export interface UnsafeDir {
  dir: string;
  why: string;
  fix: string;
}

/**
 * Whether another user could swap what `dir` holds at `child` (the OpenSSH
 * StrictModes rule): `dir` belongs to someone other than this user and
 * root, or others may write it, unless it is sticky (as /tmp) and `child`
 * is this user's (or not there yet: this user makes it).
 */
function unsafeParent(dir: string, st: Stats, child: string, childSt: Stats | undefined, uid: number): UnsafeDir | undefined {
  const elsewhere = 'or set DNS01_STATE_DIR to a directory whose every parent only this user and root can write';
  if (st.uid !== 0 && st.uid !== uid)
    return { dir, why: `${dir} belongs to another user (uid ${st.uid})`, fix: `Use another directory: unset DNS01_STATE_DIR, ${elsewhere}` };
  if ((st.mode & 0o022) === 0) return undefined;
  if ((st.mode & 0o1000) === 0) return { dir, why: `${dir} is writable by other users (mode ${octal(st.mode)})`, fix: `Run 'chmod go-w ${dir}', ${elsewhere}` };
  if (childSt === undefined || childSt.uid === uid) return undefined;
  return {
    dir,
    why: `${dir} is shared (mode ${octal(st.mode)}) and ${child} belongs to another user (uid ${childSt.uid})`,
    fix: `Use another name there, ${elsewhere}`,
  };
}

/** What walking a path found; `real` and `parent` are resolved (no symlink left). */
export type StatePathCheck =
  /** Every directory on the way is safe; the last component exists (lstat: a symlink there is not followed). */
  | { kind: 'found'; real: string; st: Stats }
  /**
   * Every directory up to `parent` is safe and `name` is missing there.
   * `index` is its position among the components of the path as given
   * (undefined for a component that came from a symlink's target); `last`
   * when it is the path's final component.
   */
  | { kind: 'missing'; parent: string; name: string; index: number | undefined; last: boolean }
  /** Another user could swap a directory on the way (see unsafeParent). */
  | { kind: 'unsafe'; unsafe: UnsafeDir }
  /** The path cannot be walked (ENOTDIR, ELOOP, EACCES, ...) at `at`. */
  | { kind: 'error'; code: string; at: string };

const MAX_SYMLINKS = 40;

/**
 * Walks `path` from `/` as the kernel would, following symlinks on the way
 * (not at the last component), and checks every directory it passes
 * through: a path is only as safe as the least safe directory on it.
 */
export function checkStatePath(path: string, uid: number | undefined = process.getuid?.()): StatePathCheck {
  const absolute = path.startsWith('/') ? path : `${process.cwd()}/${path}`;
  // No normalisation: `..` goes up from where a symlink led, as in the kernel.
  let todo = absolute
    .split('/')
    .filter((name) => name !== '' && name !== '.')
    .map((name, index): { name: string; index: number | undefined } => ({ name, index }));
  const stack: { path: string; st: Stats }[] = [];
  let links = 0;
  try {
    stack.push({ path: '/', st: lstatSync('/') });
    while (todo.length > 0) {
      const { name, index } = todo.shift()!;
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const dir = stack.at(-1)!;
      const next = dir.path === '/' ? `/${name}` : `${dir.path}/${name}`;
      let st: Stats | undefined;
      try {
        st = lstatSync(next);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const unsafe = uid === undefined ? undefined : unsafeParent(dir.path, dir.st, next, st, uid);
      if (unsafe) return { kind: 'unsafe', unsafe };
      const last = todo.length === 0;
      if (st === undefined) return { kind: 'missing', parent: dir.path, name, index, last };
      if (last) return { kind: 'found', real: next, st };
      if (st.isSymbolicLink()) {
        if (++links > MAX_SYMLINKS) return { kind: 'error', code: 'ELOOP', at: next };
        const target = readlinkSync(next);
        if (target.startsWith('/')) stack.length = 1;
        todo = [
          ...target
            .split('/')
            .filter((n) => n !== '' && n !== '.')
            .map((n) => ({ name: n, index: undefined })),
          ...todo,
        ];
        continue;
      }
      if (!st.isDirectory()) return { kind: 'error', code: 'ENOTDIR', at: next };
      stack.push({ path: next, st });
    }
  } catch (error) {
    return { kind: 'error', code: (error as NodeJS.ErrnoException).code ?? 'error', at: stack.at(-1)?.path ?? '/' };
  }
  const top = stack.at(-1)!;
  return { kind: 'found', real: top.path, st: top.st };
}
