import { createHash, createHmac, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, linkSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flag, setting, type Env } from './config.js';
import type { RunCache } from './contract.js';
import { ConfigError } from './errors.js';
import { privateStateDir, readPrivateFile, writePrivateFile } from './state.js';

interface Stored {
  value: string;
  expires: number;
}

/** A value's file: its key made safe, and a short hash of the key so that two keys made alike stay apart (keys hold no secrets). */
const fileName = (key: string) => key.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) + '-' + createHash('sha256').update(key).digest('hex').slice(0, 8);

/** DNS01_RUN_CACHE=0: every hook process works on its own (logs in, looks zones up, logs out). */
export const runCacheSetting = setting({
  names: ['DNS01_RUN_CACHE'],
  schema: flag,
  default: true,
  description:
    '0 to keep no provider state between the hook processes of a run; by default they share the netcup session, the zones found and the ids of the records created (0600 files in DNS01_STATE_DIR)',
});

export interface RunCacheScope {
  provider: string;
  /** What tells the account and its credentials apart (only an HMAC of it is used, as a directory name). */
  account: string;
}

/** The run-cache key of this user: 32 random bytes, hex, in `run-cache.key` of the private state directory. */
const KEY_FILE = 'run-cache.key';
const KEY_BYTES = 32;
const KEY_HINT = 'Remove the file: a new key is made on the next run (the run cache starts empty)';

/**
 * The key file's bytes, read through one descriptor that refuses a symlink,
 * and checked on it as the state directory's private files must be: a regular
 * file of this user that nobody else may read or write. Undefined when absent.
 */
function readKeyFile(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigError(`the run-cache key ${path} cannot be read (${code ?? 'error'})`, { hint: KEY_HINT });
  }
  try {
    const st = fstatSync(fd);
    const uid = process.getuid?.();
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
      throw new ConfigError(`the run-cache key ${path} is not a private file of this user`, { hint: KEY_HINT });
    }
    const hex = readFileSync(fd, 'utf8');
    if (!new RegExp(`^[0-9a-f]{${KEY_BYTES * 2}}$`).test(hex)) throw new ConfigError(`the run-cache key ${path} is malformed`, { hint: KEY_HINT });
    return Buffer.from(hex, 'hex');
  } finally {
    closeSync(fd);
  }
}

/**
 * The run-cache key of this user's state directory, made on first use. A new
 * key is written completely before it appears (link() of a finished file), so
 * processes that start together all end up with the one that appeared first.
 */
export function runCacheKey(env: Env): Buffer {
  const path = join(privateStateDir(env), KEY_FILE);
  const existing = readKeyFile(path);
  if (existing) return existing;
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, randomBytes(KEY_BYTES).toString('hex'), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(tmp);
  }
  const made = readKeyFile(path);
  if (!made) throw new ConfigError(`the run-cache key ${path} vanished while it was made`, { hint: 'Run again' });
  return made;
}

/**
 * The directory of one account: the provider and an HMAC-SHA256 of the
 * account under the run-cache key. Credentials are in the account, and the
 * name reaches debug logs: without the key (0600, never logged) nobody can
 * test a guessed password against it.
 */
export function runCacheDirName(key: Buffer, scope: RunCacheScope): string {
  const mac = createHmac('sha256', key).update(`${scope.provider}\n${scope.account}`).digest('hex').slice(0, 32);
  return `${scope.provider.replace(/[^a-z0-9-]/g, '_')}-${mac}`;
}

/**
 * The run cache of one provider account. Creates the private directory on
 * first use; errors while reading or writing a value are treated as a miss
 * (the cache only saves calls, it never decides anything).
 */
export function openRunCache(env: Env, scope: RunCacheScope, options: { now?: () => number } = {}): RunCache {
  const now = options.now ?? Date.now;
  const dir = privateStateDir(env, 'cache', runCacheDirName(runCacheKey(env), scope));
  const pathOf = (key: string) => join(dir, fileName(key));
  const remove = (key: string) => {
    try {
      unlinkSync(pathOf(key));
    } catch {
      // already gone
    }
  };
  return {
    get(key) {
      let stored: Stored;
      try {
        const text = readPrivateFile(pathOf(key));
        if (text === undefined) return undefined;
        stored = JSON.parse(text) as Stored;
      } catch {
        return undefined;
      }
      if (typeof stored.value !== 'string' || typeof stored.expires !== 'number' || stored.expires <= now()) {
        remove(key);
        return undefined;
      }
      return stored.value;
    },
    set(key, value, ttlMs) {
      try {
        writePrivateFile(pathOf(key), JSON.stringify({ value, expires: now() + ttlMs } satisfies Stored));
      } catch {
        // a value not cached costs one call in the next process, nothing more
      }
    },
    delete: remove,
  };
}
