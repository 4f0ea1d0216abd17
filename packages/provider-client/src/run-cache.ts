import { createHash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { flag, setting, type Env } from './config.js';
import type { DnsProvider, Zone } from './contract.js';
import { ZoneNotFoundError } from './errors.js';
import { normalizeFqdn, zoneCandidates } from './names.js';
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

/** Zones stay cached this long: far longer than a run, and a zone the API rejects is looked up again. */
export const ZONE_TTL_MS = 3600_000;

/**
 * The provider with its zone lookups shared across the run: a zone found by
 * an earlier process (the longest cached name that holds the record) is used
 * without asking the API. When the API then says the zone is not there, the
 * cached zone is dropped, looked up again and the call made once more.
 */
export function withZoneCache(provider: DnsProvider, cache: RunCache): DnsProvider {
  const fromCache = new WeakSet<Zone>();
  const keyOf = (zone: string) => `zone:${zone}`;

  const cachedZoneFor = (fqdn: string): Zone | undefined => {
    for (const candidate of zoneCandidates(normalizeFqdn(fqdn))) {
      const hit = cache.get(keyOf(candidate));
      if (hit === undefined) continue;
      try {
        const zone = JSON.parse(hit) as Zone;
        if (zone.name === candidate) {
          fromCache.add(zone);
          return zone;
        }
      } catch {
        cache.delete(keyOf(candidate));
      }
    }
    return undefined;
  };

  const findZone = async (fqdn: string): Promise<Zone> => {
    const cached = cachedZoneFor(fqdn);
    if (cached) return cached;
    const zone = await provider.findZone(fqdn);
    cache.set(keyOf(zone.name), JSON.stringify(zone), ZONE_TTL_MS);
    return zone;
  };

  /** Runs `call`; when a cached zone turns out to be gone, once more with a fresh lookup. */
  const onZone = async <T>(zone: Zone, name: string, call: (zone: Zone) => Promise<T>): Promise<T> => {
    try {
      return await call(zone);
    } catch (error) {
      if (!(error instanceof ZoneNotFoundError) || !fromCache.has(zone)) throw error;
      cache.delete(keyOf(zone.name));
      const fresh = await provider.findZone(name);
      cache.set(keyOf(fresh.name), JSON.stringify(fresh), ZONE_TTL_MS);
      return call(fresh);
    }
  };

  return {
    ...provider,
    name: provider.name,
    findZone,
    appendTxt: (zone, name, value) => onZone(zone, name, (z) => provider.appendTxt(z, name, value)),
    deleteTxt: (zone, name, value) => onZone(zone, name, (z) => provider.deleteTxt(z, name, value)),
    listTxt: (zone, name) => onZone(zone, name, (z) => provider.listTxt(z, name)),
    close: () => provider.close(),
  };
}
