import type { DnsProvider, RunCache, Zone } from './contract.js';
import { ZoneNotFoundError } from './errors.js';
import { normalizeFqdn, zoneCandidates } from './names.js';

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
