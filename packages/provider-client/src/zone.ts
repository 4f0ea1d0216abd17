import type { Zone } from './contract.js';
import { ZoneNotFoundError } from './errors.js';
import type { Logger } from './log.js';
import { normalizeFqdn, zoneCandidates } from './names.js';

export interface LocateZoneOptions {
  provider: string;
  /** The apex the DNS (SOA walk) names, tried first. */
  findApex?: (fqdn: string) => Promise<string | undefined>;
  /** Asks the provider whether the account holds this zone; a Zone when it does. */
  confirm: (candidate: string) => Promise<Zone | undefined>;
  /** Added to the not-found message (e.g. netcup's CloudDNS note). */
  hint?: string;
}

/**
 * Finds the account's zone for a name: the SOA-derived apex first (one API
 * call in the common case), then every parent name from the longest down.
 */
export async function locateZone(fqdn: string, options: LocateZoneOptions): Promise<Zone> {
  const name = normalizeFqdn(fqdn);
  const candidates = zoneCandidates(name);
  const apex = options.findApex ? await options.findApex(name).catch(() => undefined) : undefined;
  const ordered = apex && candidates.includes(apex) ? [apex, ...candidates.filter((c) => c !== apex)] : candidates;
  for (const candidate of ordered) {
    const zone = await options.confirm(candidate);
    if (zone) return zone;
  }
  throw new ZoneNotFoundError(`${options.provider}: no zone in this account holds ${name}`, {
    hint: options.hint ?? `Check that the domain is in this ${options.provider} account and uses its nameservers`,
  });
}

/**
 * Caches a lookup per key for the life of its owner (a provider instance);
 * concurrent calls share one request, and a failed lookup is asked again.
 */
export function memoize<T>(find: (key: string) => Promise<T>, keyOf: (input: string) => string = (input) => input): (input: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (input) => {
    const key = keyOf(input);
    let hit = cache.get(key);
    if (!hit) {
      hit = find(key);
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
    }
    return hit;
  };
}

/** Caches zone lookups per name (normalised) for the life of one provider instance. */
export function memoizeZones(find: (fqdn: string) => Promise<Zone>): (fqdn: string) => Promise<Zone> {
  return memoize(find, normalizeFqdn);
}

/** Runs tasks one at a time per key (a zone), for APIs unsafe under concurrency. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

/**
 * The account's zone names, normalised, sorted, without duplicates. A name
 * DNS cannot carry (an odd entry in the account) is skipped with a warning,
 * so one bad entry does not break `dns01 zones` or `check`.
 */
export function zoneNames(names: readonly string[], logger: Logger, provider: string): string[] {
  const out = new Set<string>();
  for (const name of names) {
    try {
      out.add(normalizeFqdn(name));
    } catch {
      logger.warn(`${provider}: the account lists a zone named "${name}", which is not a valid DNS name; skipped`);
    }
  }
  return [...out].sort();
}
