import type { ProviderDeps, Zone } from '../contract.js';
import { InvalidInputError, isOutcomeUnknown, ProviderApiError } from '../errors.js';
import type { Logger } from '../log.js';
import { checkTxtValue, isInZone, normalizeFqdn } from '../names.js';
import { describeError } from '../redact.js';
import { unquoteTxt } from '../txt.js';
import { recallStore } from './recall.js';
import type { RecordView, Target, Wire } from './wire.js';

/** What the kit's algorithms share about one backend: its wire and the rules applied to it. */
export interface Kit<R> {
  readonly wire: Wire<R>;
  readonly label: string;
  readonly log: Logger;
  readonly recall: ReturnType<typeof recallStore<R>> | undefined;
  /** The one exact match: a TXT record at exactly the target's name whose unquoted value is exactly the target's value. */
  matches(zone: Zone, target: Target): (record: R) => boolean;
  view(record: R, zone: Zone): RecordView | undefined;
  /** Whether a write's error leaves its outcome unknown. */
  unknown(error: unknown): boolean;
  /**
   * A fresh listing to confirm a write. When it fails, the write's outcome
   * stays unknown: the write's own error (`cause`), or one saying so.
   */
  look(zone: Zone, targets: readonly Target[], cause?: unknown): Promise<readonly R[]>;
  /** The name to list for these targets: theirs when they share one, else the whole zone. */
  nameOf(targets: readonly Target[]): string | undefined;
  /**
   * Wire.checksChanges: between `before` and `after` exactly `removed`
   * vanished (nothing, for an add). Otherwise throws, naming what vanished,
   * and the zone gets no further deletes (`poisoned`).
   */
  checkChange(zone: Zone, targets: readonly Target[], write: 'add' | 'remove', before: readonly R[], after: readonly R[], removed: readonly R[]): void;
  /** Zones this instance sends no further deletes to, with the error that said why. */
  readonly poisoned: Map<string, ProviderApiError>;
}

export function kitFor<R>(wire: Wire<R>, deps: ProviderDeps): Kit<R> {
  const label = wire.label ?? wire.name;
  const view = (record: R, zone: Zone): RecordView | undefined => {
    try {
      return wire.read(record, zone);
    } catch {
      return undefined;
    }
  };
  const poisoned = new Map<string, ProviderApiError>();
  /** A record as messages name it and as listings are compared: type, name, unquoted value. */
  const keyOf = (zone: Zone) => (record: R) => {
    const v = view(record, zone);
    if (!v) return `unreadable ${JSON.stringify(record)}`;
    const type = v.type.toUpperCase();
    return `${type} ${v.name} "${type === 'TXT' ? unquoteTxt(v.data) : v.data}"`;
  };
  const nameOf = (targets: readonly Target[]) => (new Set(targets.map((t) => t.name)).size === 1 ? targets[0]!.name : undefined);
  return {
    wire,
    label,
    log: deps.logger,
    recall: wire.recall ? recallStore<R>(wire.recall.ttlMs, deps.runCache) : undefined,
    view,
    nameOf,
    poisoned,
    checkChange(zone, targets, write, before, after, removed) {
      const checks = wire.checksChanges;
      if (!checks || (typeof checks === 'function' && !targets.some(checks))) return;
      const vanished = missingFrom(before.map(keyOf(zone)), after.map(keyOf(zone)));
      const meant = removed.map(keyOf(zone));
      const foreign = missingFrom(vanished, meant);
      const kept = missingFrom(meant, vanished);
      if (foreign.length === 0 && kept.length === 0) return;
      const problems = [
        ...(kept.length > 0 ? [`${kept.join(', ')} ${kept.length > 1 ? 'are' : 'is'} still there`] : []),
        ...(foreign.length > 0 ? [`other records vanished: ${foreign.join(', ')}`] : []),
      ];
      const error = new ProviderApiError(
        label,
        wire.actions[write],
        write === 'add'
          ? `the add to ${zone.name} removed other records: ${foreign.join(', ')}`
          : `deleting from ${zone.name} did not remove exactly ${meant.join(', ')}: ${problems.join('; ')}`,
        {
          hint: `The record list changed underneath (another client or the control panel edited ${zone.name} at the same time, or the API did more than asked); check the zone at ${label} and restore anything missing. No further deletes are sent to this zone`,
        },
      );
      poisoned.set(zone.name, error);
      throw error;
    },
    matches: (zone, target) => (record) => {
      const v = view(record, zone);
      return v !== undefined && v.type.toUpperCase() === 'TXT' && v.name === target.name && unquoteTxt(v.data) === target.value;
    },
    unknown: (error) => (wire.isUnknown ? wire.isUnknown(error) : isOutcomeUnknown(error)),
    look: (zone, targets, cause) =>
      wire.list(zone, nameOf(targets), { fresh: true }).catch((error: unknown) => {
        throw (
          cause ??
          new ProviderApiError(label, wire.actions.add, `sent, but the record list to confirm it failed: ${describeError(error)}`, {
            outcomeUnknown: true,
            cause: error,
            hint: `Check the zone in the ${label} control panel`,
          })
        );
      }),
  };
}

/**
 * A name and value checked before any call: the name normalised and inside
 * the zone, the value one every provider carries, then what the backend
 * cannot take (Wire.checkTarget). InvalidInputError otherwise.
 */
export function targetFor(wire: Wire<unknown>, zone: Zone, name: string, value: string): Target {
  const fqdn = normalizeFqdn(name);
  const apex = normalizeFqdn(zone.name);
  if (!isInZone(fqdn, apex)) throw new InvalidInputError(`${fqdn} is not inside the ${wire.label ?? wire.name} zone ${apex}`);
  checkTxtValue(value);
  const target = { name: fqdn, relative: fqdn === apex ? (wire.apex ?? '@') : fqdn.slice(0, -(apex.length + 1)), value };
  wire.checkTarget?.(zone, target);
  return target;
}

/** The targets without repeats (one name and value once). */
export function distinct(targets: readonly Target[]): Target[] {
  return [...new Map(targets.map((t) => [`${t.name}\n${t.value}`, t])).values()];
}

export const keyOf = (t: Target) => `${t.name}\n${t.value}`;

/** The multiset difference of two key lists: the keys of `a` not matched one for one in `b` (records that vanished). */
export function missingFrom(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const k of b) left.set(k, (left.get(k) ?? 0) + 1);
  return a.filter((k) => {
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    return n === 0;
  });
}
