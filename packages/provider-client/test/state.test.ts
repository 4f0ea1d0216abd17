import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  ExitCode,
  LockTimeoutError,
  ensurePrivateDir,
  firstPrivateDir,
  privateStateDir,
  readPrivateFile,
  readLockHolder,
  removeStaleLock,
  stateBaseCandidates,
  UnsafeStateDirError,
  withHostLock,
  writePrivateFile,
} from '../src/internal.js';

const made: string[] = [];
afterEach(() => {
  for (const path of made.splice(0)) rmSync(path, { recursive: true, force: true });
});
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'dns01-state-test-'));
  made.push(dir);
  return dir;
};

/** A pid that certainly belongs to no process (above the kernel's pid_max). */
const DEAD_PID = 4_194_305;

/** What an attacker can plant at a path before dns01 first runs. */
const PLANTS: Record<string, (path: string) => void> = {
  'a directory open to everyone': (p) => {
    mkdirSync(p);
    chmodSync(p, 0o777);
  },
  'a file': (p) => writeFileSync(p, 'x'),
  'a dangling symlink': (p) => symlinkSync(join(tmpdir(), 'dns01-state-test-nowhere', 'x'), p),
};

describe('stateBaseCandidates', () => {
  it('root: a root-owned location only, whatever the environment says', () => {
    const env = { XDG_RUNTIME_DIR: '/tmp/evil', XDG_STATE_HOME: '/tmp/evil2', HOME: '/root' };
    expect(stateBaseCandidates(env, 0)).toEqual([{ path: '/run/dns01' }, { path: '/var/lib/dns01' }]);
  });

  it('other users: XDG_RUNTIME_DIR, then XDG_STATE_HOME, then ~/.local/state', () => {
    expect(stateBaseCandidates({ XDG_RUNTIME_DIR: '/run/user/1000', XDG_STATE_HOME: '/h/st', HOME: '/h' }, 1000).map((c) => c.path)).toEqual([
      '/run/user/1000/dns01',
      '/h/st/dns01',
      '/h/.local/state/dns01',
    ]);
    expect(stateBaseCandidates({ HOME: '/h' }, 1000).map((c) => c.path)).toEqual(['/h/.local/state/dns01']);
  });

  it('never the predictable shared /tmp/dns01-<uid> of earlier versions, with or without XDG variables', () => {
    for (const uid of [0, 1000]) {
      for (const env of [{}, { HOME: '/h' }, { XDG_STATE_HOME: '/h/st', HOME: '/h' }]) {
        for (const { path: dir } of stateBaseCandidates(env, uid)) {
          expect(dir.startsWith(tmpdir())).toBe(false);
          expect(dir).not.toMatch(/dns01-\d+/);
        }
      }
    }
  });

  it('DNS01_STATE_DIR overrides every candidate', () => {
    expect(stateBaseCandidates({ DNS01_STATE_DIR: '/srv/x', XDG_RUNTIME_DIR: '/run/user/1' }, 1000)).toEqual([{ path: '/srv/x' }]);
  });
});

describe('firstPrivateDir with planted paths', () => {
  for (const [what, plant] of Object.entries(PLANTS)) {
    it(`${what} at the old /tmp/dns01-<uid> changes nothing: the state goes to the user's own directory`, () => {
      const uid = 61_000 + Math.floor(Math.random() * 1000);
      const old = join(tmpdir(), `dns01-${uid}`);
      made.push(old);
      plant(old);
      const home = tmp();
      const dir = firstPrivateDir(stateBaseCandidates({ HOME: home }, uid), ['certbot']);
      expect(realpathSync(dir)).toBe(join(home, '.local', 'state', 'dns01', 'certbot'));
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    });

    it(`${what} at the first candidate: the next candidate is used`, () => {
      const runtime = tmp();
      const state = tmp();
      plant(join(runtime, 'dns01'));
      const dir = firstPrivateDir(stateBaseCandidates({ XDG_RUNTIME_DIR: runtime, XDG_STATE_HOME: state, HOME: '/nonexistent' }, 1000), ['locks']);
      expect(realpathSync(dir)).toBe(join(state, 'dns01', 'locks'));
    });

    it(`${what} at every candidate: one ConfigError (exit 3) that names the path and says what to do`, () => {
      const base = tmp();
      plant(join(base, 'dns01'));
      let caught: unknown;
      try {
        firstPrivateDir([{ path: join(base, 'dns01') }], ['certbot']);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      const error = caught as ConfigError;
      expect(error.exitCode).toBe(ExitCode.config);
      expect(error.message).toContain(join(base, 'dns01'));
      expect(error.hint).toMatch(/DNS01_STATE_DIR/);
    });
  }

  it('a symlink to a private directory is refused (it could be swapped)', () => {
    const base = tmp();
    const real = join(base, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(base, 'dns01'));
    expect(() => ensurePrivateDir(join(base, 'dns01'))).toThrow(ConfigError);
  });

  it('a path below a file (ENOTDIR) is a ConfigError with the hint, not a raw error', () => {
    const base = tmp();
    writeFileSync(join(base, 'file'), '');
    expect(() => ensurePrivateDir(join(base, 'file', 'dns01'))).toThrow(/cannot be created \(ENOTDIR\)/);
    try {
      ensurePrivateDir(join(base, 'file', 'dns01'));
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).hint).toMatch(/DNS01_STATE_DIR/);
    }
  });

  it('creates missing directories 0700', () => {
    const base = tmp();
    const dir = firstPrivateDir([{ path: join(base, 'a', 'dns01'), parentsFrom: base }], ['certbot', 'run']);
    expect(statSync(join(base, 'a', 'dns01')).mode & 0o777).toBe(0o700);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});

const isRoot = process.getuid?.() === 0;
/** A uid no account on the machine has: "another user". */
const OTHER_UID = 4242;

describe('the path to DNS01_STATE_DIR (the OpenSSH StrictModes rule)', () => {
  /** A directory any user may write (o+w, not sticky). */
  const openToAll = (path: string) => {
    mkdirSync(path);
    chmodSync(path, 0o777);
    return path;
  };
  const refusal = (env: Record<string, string>) => {
    try {
      privateStateDir(env, 'locks');
    } catch (error) {
      return error as ConfigError;
    }
    throw new Error('not refused');
  };

  it('its parent writable by other users: refused (exit 3) naming the directory, the parent and the fix; nothing is made', () => {
    const shared = openToAll(join(tmp(), 'ci'));
    const error = refusal({ DNS01_STATE_DIR: join(shared, 'dns01') });
    expect(error).toBeInstanceOf(UnsafeStateDirError);
    expect(error.exitCode).toBe(ExitCode.config);
    expect(error.oneLine).not.toContain('\n');
    expect(error.message).toBe(
      `state directory ${join(shared, 'dns01')} refused: ${shared} is writable by other users (mode 0777), so another user could swap it`,
    );
    expect(error.hint).toContain(`chmod go-w ${shared}`);
    expect(error.hint).toContain('DNS01_STATE_DIR');
    expect(readdirSync(shared)).toEqual([]);
  });

  it('an ancestor further up writable by other users: refused, even for a private directory that exists already', () => {
    const shared = openToAll(join(tmp(), 'shared'));
    mkdirSync(join(shared, 'a', 'dns01'), { recursive: true, mode: 0o700 });
    chmodSync(join(shared, 'a'), 0o755);
    const error = refusal({ DNS01_STATE_DIR: join(shared, 'a', 'dns01') });
    expect(error).toBeInstanceOf(UnsafeStateDirError);
    expect(error.message).toContain(`${shared} is writable by other users`);
    expect(readdirSync(join(shared, 'a', 'dns01'))).toEqual([]);
  });

  it.runIf(isRoot)('an ancestor owned by another user: refused, nothing made (as root: chown)', () => {
    const theirs = join(tmp(), 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, OTHER_UID, OTHER_UID);
    const error = refusal({ DNS01_STATE_DIR: join(theirs, 'dns01') });
    expect(error).toBeInstanceOf(UnsafeStateDirError);
    expect(error.message).toContain(`${theirs} belongs to another user (uid ${OTHER_UID})`);
    expect(readdirSync(theirs)).toEqual([]);
  });

  it('a sticky directory (as /tmp) holding a directory of this user: accepted', () => {
    const sticky = join(tmp(), 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    mkdirSync(join(sticky, 'ci'), { mode: 0o755 });
    const dir = privateStateDir({ DNS01_STATE_DIR: join(sticky, 'ci', 'dns01') }, 'locks');
    expect(realpathSync(dir)).toBe(join(sticky, 'ci', 'dns01', 'locks'));
    expect(statSync(join(sticky, 'ci', 'dns01')).mode & 0o777).toBe(0o700);
    // Right inside the sticky directory: made by this user, so this user's.
    expect(realpathSync(privateStateDir({ DNS01_STATE_DIR: join(sticky, 'dns01') }))).toBe(join(sticky, 'dns01'));
  });

  it.runIf(isRoot)('a sticky directory whose child on the way belongs to another user: refused (as root: chown)', () => {
    const sticky = join(tmp(), 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    mkdirSync(join(sticky, 'ci'), { mode: 0o755 });
    chownSync(join(sticky, 'ci'), OTHER_UID, OTHER_UID);
    const error = refusal({ DNS01_STATE_DIR: join(sticky, 'ci', 'dns01') });
    expect(error).toBeInstanceOf(UnsafeStateDirError);
    expect(error.message).toContain(`${join(sticky, 'ci')} belongs to another user (uid ${OTHER_UID})`);
  });

  it('a symlink on the way is followed and checked where it leads', () => {
    const base = tmp();
    const shared = openToAll(join(base, 'shared'));
    mkdirSync(join(shared, 'x'), { mode: 0o755 });
    symlinkSync(join(shared, 'x'), join(base, 'via'));
    expect(refusal({ DNS01_STATE_DIR: join(base, 'via', 'dns01') }).message).toContain(`${shared} is writable by other users`);
    mkdirSync(join(base, 'real'), { mode: 0o755 });
    symlinkSync('real', join(base, 'fine'));
    expect(realpathSync(privateStateDir({ DNS01_STATE_DIR: join(base, 'fine', 'dns01') }))).toBe(join(base, 'real', 'dns01'));
  });

  it('only its last component is made: a missing parent is an error naming it, and nothing is made', () => {
    const base = tmp();
    const error = refusal({ DNS01_STATE_DIR: join(base, 'missing', 'dns01') });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`state directory ${join(base, 'missing', 'dns01')} cannot be created: ${join(base, 'missing')} does not exist`);
    expect(error.hint).toContain('DNS01_STATE_DIR');
    expect(readdirSync(base)).toEqual([]);
    privateStateDir({ DNS01_STATE_DIR: join(base, 'dns01') });
    expect(statSync(join(base, 'dns01')).mode & 0o777).toBe(0o700);
  });

  it("the default under a user's home directory makes its missing parents there, 0700", () => {
    const home = tmp();
    const dir = firstPrivateDir(stateBaseCandidates({ HOME: home }, 1000));
    expect(realpathSync(dir)).toBe(join(home, '.local', 'state', 'dns01'));
    expect(statSync(join(home, '.local')).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, '.local', 'state')).mode & 0o777).toBe(0o700);
  });

  it('with make: false (the compile cache) the state directory is never made, only its subdirectories', () => {
    const base = tmp();
    const candidates = [{ path: join(base, 'dns01') }];
    expect(() => firstPrivateDir(candidates, ['compile-cache'], { make: false })).toThrow(/does not exist/);
    expect(readdirSync(base)).toEqual([]);
    mkdirSync(join(base, 'dns01'), { mode: 0o700 });
    expect(realpathSync(firstPrivateDir(candidates, ['compile-cache'], { make: false }))).toBe(join(base, 'dns01', 'compile-cache'));
  });

  it('pinned: files made and locks taken land in the directory that was checked, even when its path is swapped afterwards', async () => {
    const base = tmp();
    const env = { DNS01_STATE_DIR: join(base, 'state') };
    const dir = privateStateDir(env, 'cache');
    renameSync(join(base, 'state'), join(base, 'checked'));
    mkdirSync(join(base, 'state', 'cache'), { recursive: true, mode: 0o700 });
    writePrivateFile(join(dir, 'value'), 'x');
    expect(readdirSync(join(base, 'checked', 'cache'))).toEqual(['value']);
    expect(readdirSync(join(base, 'state', 'cache'))).toEqual([]);
  });
});

describe('writePrivateFile', () => {
  it('writes 0600, replaces a planted symlink instead of following it', () => {
    const dir = tmp();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(dir, 'state.json'));
    writePrivateFile(join(dir, 'state.json'), '{"a":1}');
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(lstatSync(join(dir, 'state.json')).isFile()).toBe(true);
    expect(statSync(join(dir, 'state.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('{"a":1}');
  });

  it('a temporary file left by a crashed writer with the same pid does not break the next write', () => {
    const dir = tmp();
    const path = join(dir, 'state.json');
    writeFileSync(`${path}.${process.pid}.tmp`, 'left over');
    writePrivateFile(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
  });
});

describe('withHostLock', () => {
  it('excludes concurrent holders in one process', async () => {
    const env = { DNS01_STATE_DIR: tmp() };
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        withHostLock(env, 'zone example.com', async () => {
          inside += 1;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 20));
          inside -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(existsSync(join(env.DNS01_STATE_DIR, 'locks', 'zone_example.com.lock'))).toBe(false);
  });

  it('takes over a lock whose holder died, and says nothing about waiting', async () => {
    const env = { DNS01_STATE_DIR: tmp() };
    mkdirSync(join(env.DNS01_STATE_DIR, 'locks'), { mode: 0o700 });
    chmodSync(env.DNS01_STATE_DIR, 0o700);
    writeFileSync(join(env.DNS01_STATE_DIR, 'locks', 'k.lock'), String(DEAD_PID));
    const waits: unknown[] = [];
    const got = await withHostLock(env, 'k', async () => 'ran', { onWait: (pid) => waits.push(pid), waitMs: 2000 });
    expect(got).toBe('ran');
    expect(waits).toEqual([]);
  });

  it('waits for a live holder and gives up with the holder and the lock path named', async () => {
    const env = { DNS01_STATE_DIR: tmp() };
    const waits: unknown[] = [];
    await withHostLock(env, 'k', async () => {
      await expect(withHostLock(env, 'k', async () => 'never', { waitMs: 150, onWait: (pid) => waits.push(pid) })).rejects.toThrow(
        new RegExp(`pid ${process.pid}\\) holds the lock k`),
      );
    });
    expect(waits).toEqual([process.pid]);
  });

  it('a stale-lock takeover never removes a fresh lock that replaced the stale one', () => {
    const dir = tmp();
    const path = join(dir, 'k.lock');
    writeFileSync(path, String(DEAD_PID));
    const seen = readLockHolder(path)!;
    expect(seen.pid).toBe(DEAD_PID);
    // Meanwhile another waiter took the stale lock over and holds a fresh one.
    unlinkSync(path);
    writeFileSync(path, String(process.pid));
    expect(removeStaleLock(path, seen)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    // The stale one itself is removed.
    writeFileSync(path, String(DEAD_PID));
    expect(removeStaleLock(path, readLockHolder(path)!)).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  it('processes racing for a stale lock never hold it at the same time', async () => {
    const stateDir = tmp();
    mkdirSync(join(stateDir, 'locks'), { mode: 0o700 });
    chmodSync(stateDir, 0o700);
    writeFileSync(join(stateDir, 'locks', 'race.lock'), String(DEAD_PID));
    const journal = join(stateDir, 'journal');
    writeFileSync(journal, '');
    const built = resolve(import.meta.dirname, '../dist/internal.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: run 'pnpm build' first`);
    const script = `
      import { appendFileSync } from 'node:fs';
      import { withHostLock } from ${JSON.stringify(built)};
      for (let i = 0; i < 3; i++) {
        await withHostLock({ DNS01_STATE_DIR: ${JSON.stringify(stateDir)} }, 'race', async () => {
          appendFileSync(${JSON.stringify(journal)}, 'in ' + process.pid + '\\n');
          await new Promise((r) => setTimeout(r, 15));
          appendFileSync(${JSON.stringify(journal)}, 'out ' + process.pid + '\\n');
        }, { waitMs: 20000 });
      }`;
    const run = () =>
      new Promise<number | null>((done) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
          stdio: 'inherit',
        });
        child.on('close', done);
      });
    expect(await Promise.all(Array.from({ length: 4 }, run))).toEqual([0, 0, 0, 0]);
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(24);
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]!.startsWith('in ')).toBe(true);
      expect(lines[i + 1]).toBe(lines[i]!.replace('in ', 'out '));
    }
  });
});

describe('state: the private per-user directory', () => {
  let work: string;
  beforeEach(() => {
    work = tmp();
  });

  it('DNS01_STATE_DIR wins; otherwise XDG runtime, XDG state, then ~/.local/state (non-root)', () => {
    expect(stateBaseCandidates({ DNS01_STATE_DIR: '/x' })).toEqual([{ path: '/x' }]);
    if (process.getuid?.() === 0) return;
    expect(stateBaseCandidates({ XDG_RUNTIME_DIR: '/run/user/1', XDG_STATE_HOME: '/s', HOME: '/h' }).map((c) => c.path)).toEqual([
      '/run/user/1/dns01',
      '/s/dns01',
      '/h/.local/state/dns01',
    ]);
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
