import type { RunCache, Zone } from '../contract.js';
import type { Target } from './wire.js';

/**
 * The records each append found or made, as the API listed them, kept for
 * the cleanup of the same value (Wire.recall): in this process, and through
 * the run cache for the run's later processes. What comes back is a hint:
 * the kit checks every recalled record against the target before it is
 * handed to a delete.
 */
export function recallStore<R>(ttlMs: number, runCache: RunCache | undefined) {
  const placed = new Map<string, readonly R[]>();
  const keyOf = (zone: Zone, t: Target) => `txt:${zone.name}:${t.name}:${t.value}`;
  return {
    /** Whether this process placed (or found) the value. */
    placed: (zone: Zone, t: Target) => placed.has(keyOf(zone, t)),
    remember(zone: Zone, t: Target, records: readonly R[]): void {
      placed.set(keyOf(zone, t), records);
      runCache?.set(keyOf(zone, t), JSON.stringify(records), ttlMs);
    },
    forget(zone: Zone, t: Target): void {
      placed.delete(keyOf(zone, t));
      runCache?.delete(keyOf(zone, t));
    },
    /** The records remembered for the value, unchecked; undefined when none (or unreadable). */
    recall(zone: Zone, t: Target): readonly R[] | undefined {
      const known = placed.get(keyOf(zone, t));
      if (known) return known;
      try {
        const cached = runCache?.get(keyOf(zone, t));
        const parsed: unknown = cached === undefined ? undefined : JSON.parse(cached);
        return Array.isArray(parsed) ? (parsed as R[]) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
