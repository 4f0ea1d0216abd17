import type { DeleteOutcome, Zone } from '../contract.js';
import { InvalidInputError, ProviderApiError } from '../errors.js';
import { distinct, keyOf, type Kit } from './kit.js';
import type { RemoveResult, Target } from './wire.js';

/** Calls of `remove` in a row that delete nothing before the kit gives up (a backend bounds its own retries first). */
const MAX_IDLE_REMOVES = 10;

/**
 * Deletes every record that matches a target exactly, and nothing else:
 * by the exact value where the API addresses records so, else by records
 * recalled from the append (each checked against its target first), else
 * by a fresh listing. A record already gone is success (`absent`).
 */
export async function deleteAll<R>(kit: Kit<R>, zone: Zone, targets: readonly Target[]): Promise<DeleteOutcome[]> {
  const unique = distinct(targets);
  const deleted = new Set<string>();
  const exact = unique.length === 1 ? kit.wire.removeExact?.(zone, unique[0]!) : undefined;
  if (exact) {
    if ((await removeExactly(kit, zone, unique[0]!, exact)) === 'deleted') deleted.add(keyOf(unique[0]!));
  } else if (!(await removeRecalled(kit, zone, unique, deleted))) {
    await removeListed(kit, zone, unique, deleted);
  }
  for (const t of unique) kit.recall?.forget(zone, t);
  return targets.map((t) => (deleted.has(keyOf(t)) ? 'deleted' : 'absent'));
}

async function removeExactly<R>(kit: Kit<R>, zone: Zone, target: Target, sent: Promise<DeleteOutcome>, resent = false): Promise<DeleteOutcome> {
  try {
    return await sent;
  } catch (error) {
    const policy = kit.wire.unknownOutcome?.remove;
    if (resent || !policy || !kit.unknown(error)) throw error;
    const now = await kit.look(zone, [target], error);
    if (!now.some(kit.matches(zone, target))) return 'deleted';
    if (policy === 'report') throw error;
    return removeExactly(kit, zone, target, kit.wire.removeExact!(zone, target)!, true);
  }
}

/**
 * Deletes by the records the append remembered, without a listing. Every
 * recalled record must match its target exactly; when one does not (stale,
 * garbled or planted), or the API refuses the delete, the memory is dropped
 * and the caller lists the zone. False when the listing must decide.
 */
async function removeRecalled<R>(kit: Kit<R>, zone: Zone, targets: readonly Target[], deleted: Set<string>): Promise<boolean> {
  const { recall, log } = kit;
  if (!recall) return false;
  const known = targets.map((t) => ({ t, records: recall.recall(zone, t) ?? [] }));
  if (known.some((k) => k.records.length === 0)) return false;
  const forget = () => targets.forEach((t) => recall.forget(zone, t));
  const foreign = known.filter((k) => !k.records.every(kit.matches(zone, k.t)));
  if (foreign.length > 0) {
    log.warn(`the run's memory of TXT ${foreign.map((k) => `${k.t.name} "${k.t.value}"`).join(', ')} names another record; not trusted, listing ${zone.name}`);
    forget();
    return false;
  }
  const doomed = byId(
    kit,
    zone,
    known.flatMap((k) => k.records),
  );
  let result: RemoveResult<R>;
  try {
    result = await kit.wire.remove(zone, doomed, { listed: undefined, attempt: 1 });
  } catch (error) {
    if (!(error instanceof InvalidInputError) && !kit.unknown(error)) throw error;
    log.debug(`deleting the records the append listed failed (${(error as Error).message}); listing ${zone.name} instead`);
    forget();
    return false;
  }
  forget();
  targets.forEach((t) => deleted.add(keyOf(t)));
  log.debug(`deleted ${doomed.length} TXT record(s) from ${zone.name} by the records the append listed`);
  // A copy the append did not see (added later) is still listed: the listing deletes it.
  return !result.listed?.some((r) => targets.some((t) => kit.matches(zone, t)(r)));
}

async function removeListed<R>(kit: Kit<R>, zone: Zone, targets: readonly Target[], deleted: Set<string>): Promise<void> {
  const { wire } = kit;
  let listed: readonly R[];
  try {
    listed = await wire.list(zone, kit.nameOf(targets));
  } catch (error) {
    if (!wire.isEmptyZone?.(error)) throw error;
    kit.log.debug(`${zone.name} shows no record at all; nothing to delete`);
    return;
  }
  let attempt = 1;
  let resent = false;
  for (;;) {
    const matched = targets.map((t) => ({ t, records: listed.filter(kit.matches(zone, t)) }));
    const doomed = byId(
      kit,
      zone,
      matched.flatMap((m) => m.records),
    );
    if (doomed.length === 0) return;
    const poisoned = kit.poisoned.get(zone.name);
    if (poisoned) throw poisoned;
    let result: RemoveResult<R>;
    try {
      result = await wire.remove(zone, doomed, { listed, attempt });
    } catch (error) {
      if (resent || !wire.unknownOutcome?.remove || !kit.unknown(error)) throw error;
      resent = true;
      kit.log.debug(`deleting from ${zone.name} failed with an unknown outcome; listing the zone to see what is left`);
      listed = await kit.look(zone, targets, error);
      for (const m of matched) if (m.records.length > 0 && !listed.some(kit.matches(zone, m.t))) deleted.add(keyOf(m.t));
      if (wire.unknownOutcome?.remove === 'report' && targets.some((t) => listed.some(kit.matches(zone, t)))) throw error;
      continue;
    }
    for (const m of matched) if (m.records.some((r) => result.removed.includes(r))) deleted.add(keyOf(m.t));
    if (!result.listed) return;
    // A remove that removed nothing (a stale index: the API found no record there) changed nothing of ours to check.
    if (result.removed.length > 0) kit.checkChange(zone, targets, 'remove', listed, result.listed, result.removed);
    listed = result.listed;
    attempt = result.removed.length > 0 ? 1 : attempt + 1;
    if (attempt > MAX_IDLE_REMOVES) {
      throw new ProviderApiError(kit.label, 'delete', `nothing was deleted in ${MAX_IDLE_REMOVES} tries; the record list keeps changing`, {
        transient: true,
        hint: 'Another client is editing the zone; try again later',
      });
    }
  }
}

/** The records without repeats: one per API id (records without one are kept as they are). */
function byId<R>(kit: Kit<R>, zone: Zone, records: readonly R[]): R[] {
  const seen = new Map<unknown, R>();
  for (const r of records) seen.set(kit.view(r, zone)?.id ?? r, r);
  return [...seen.values()];
}
