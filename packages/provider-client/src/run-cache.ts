import { createHash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { flag, setting, type Env } from './config.js';
import { privateStateDir, readPrivateFile, writePrivateFile } from './state.js';

/**
 * Values that the hook processes of one run share (a session id, the zones
 * already looked up, the ids of records just created), per provider account.
 * Clients such as acme.sh, lego and uacme start one process per challenge;
 * without this each would log in and look the zone up again.
 *
 * Each value is one 0600 file in the private state directory
 * (`cache/<provider>-<account hash>/<key>`) holding the value and its expiry;
 * an expired value is never returned. A value may be a secret: whoever reads
 * it registers it with redact.ts.
 */
export interface RunCache {
  get(key: string): string | undefined;
  /** Stores `value` for at most `ttlMs` from now. */
  set(key: string, value: string, ttlMs: number): void;
  delete(key: string): void;
}

interface Stored {
  value: string;
  expires: number;
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
const fileName = (key: string) => key.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) + '-' + hash(key).slice(0, 8);

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
  /** What tells the account and its credentials apart (only a hash of it is used, as a directory name). */
  account: string;
}

/**
 * The run cache of one provider account. Creates the private directory on
 * first use; errors while reading or writing a value are treated as a miss
 * (the cache only saves calls, it never decides anything).
 */
export function openRunCache(env: Env, scope: RunCacheScope, options: { now?: () => number } = {}): RunCache {
  const now = options.now ?? Date.now;
  const dir = privateStateDir(env, 'cache', `${scope.provider.replace(/[^a-z0-9-]/g, '_')}-${hash(`${scope.provider}\n${scope.account}`)}`);
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
