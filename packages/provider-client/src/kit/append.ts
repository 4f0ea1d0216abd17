import type { AppendOutcome, Zone } from '../contract.js';
import { InvalidInputError, ProviderApiError } from '../errors.js';
import { distinct, keyOf, type Kit } from './kit.js';
import type { AddReply, Target } from './wire.js';

/**
 * Adds the targets of one zone (one, or a batch), under the lock the
 * backend declared: list, skip what is there, add the rest once; after a
 * write of unknown outcome look, and send once more where the backend
 * allows it; confirm in the listing the add's reply (or a fresh list)
 * gives. Add-only: nothing is ever edited; copies an unlisted add made of
 * a value that was there are removed again.
 */
export async function appendAll<R>(kit: Kit<R>, zone: Zone, targets: readonly Target[]): Promise<AppendOutcome[]> {
  const { wire, log, recall } = kit;
  const outcomes = new Map<string, AppendOutcome>();
  const settle = async (landed: readonly Target[], listing: readonly R[] | undefined, outcome: AppendOutcome) => {
    for (const t of landed) {
      if (listing) recall?.remember(zone, t, listing.filter(kit.matches(zone, t)));
      if (outcome === 'created') await wire.verifyAdd?.(zone, t, listing);
      outcomes.set(keyOf(t), outcome);
    }
  };
  const found = (among: readonly Target[], listing: readonly R[]) => among.filter((t) => listing.some(kit.matches(zone, t)));

  let missing = distinct(targets);
  // A value this process placed is not added again.
  for (const t of missing.filter((t) => recall?.placed(zone, t))) outcomes.set(keyOf(t), 'present');
  missing = missing.filter((t) => !outcomes.has(keyOf(t)));
  let listed: readonly R[] | undefined;
  if (!wire.addsUnlisted && missing.length > 0) {
    listed = await wire.list(zone, kit.nameOf(missing));
    const there = found(missing, listed);
    if (there.length > 0) log.debug(`TXT ${there.map((t) => t.name).join(', ')} already holds the value; nothing to create`);
    await settle(there, listed, 'present');
    missing = missing.filter((t) => !there.includes(t));
  }
  for (let attempt = 1; missing.length > 0; attempt++) {
    let reply: AddReply<R>;
    try {
      reply = await wire.add(zone, missing, listed);
    } catch (error) {
      // An unlisted add may be refused for a value already there: the listing decides.
      const refused = attempt === 1 && wire.addsUnlisted !== undefined && error instanceof InvalidInputError;
      if (!refused && !kit.unknown(error)) throw error;
      log.debug(
        `${wire.actions.add} for ${zone.name} ${refused ? `was refused (${(error as Error).message})` : 'failed with an unknown outcome'}; listing the zone`,
      );
      // A refusal is certain: a failing look is its own error. After an unknown outcome it is the write's.
      const before = listed;
      listed = refused ? await wire.list(zone, kit.nameOf(missing), { fresh: true }) : await kit.look(zone, missing, error);
      if (before) kit.checkChange(zone, missing, 'add', before, listed, []);
      const there = found(missing, listed);
      for (const t of refused ? [] : there) log.debug(`${wire.actions.add} failed, but the record for ${t.name} is in place`);
      await settle(there, listed, refused ? 'present' : 'created');
      missing = missing.filter((t) => !there.includes(t));
      if (missing.length > 0 && (refused || attempt > 1 || wire.unknownOutcome?.add !== 'resend')) throw error;
      continue;
    }
    let after = reply === 'unconfirmed' ? await kit.look(zone, missing) : (reply ?? undefined);
    if (after && listed) kit.checkChange(zone, missing, 'add', listed, after, []);
    const unlisted = after && missing.find((t) => !after!.some(kit.matches(zone, t)));
    if (unlisted) {
      throw new ProviderApiError(kit.label, wire.actions.add, `reported success but TXT ${unlisted.name} "${unlisted.value}" is not in the record list`, {
        hint: `Check the zone in the ${kit.label} control panel and try again`,
      });
    }
    log.debug(`added ${missing.length} TXT record(s) to ${zone.name}`);
    let earlier: readonly Target[] = [];
    if (after && wire.addsUnlisted) ({ after, earlier } = await dropCopies(kit, zone, missing, after));
    await settle(earlier, after, 'present');
    await settle(
      missing.filter((t) => !earlier.includes(t)),
      after,
      'created',
    );
    break;
  }
  return targets.map((t) => outcomes.get(keyOf(t))!);
}

/**
 * After an unlisted add: where the reply lists a value more than once, the
 * value was there before; the newer copies (the add's) are removed, exactly
 * as listed, so the zone reads as if the value had been found.
 */
async function dropCopies<R>(kit: Kit<R>, zone: Zone, added: readonly Target[], after: readonly R[]): Promise<{ after: readonly R[]; earlier: Target[] }> {
  const extra: R[] = [];
  const earlier: Target[] = [];
  for (const t of added) {
    const copies = after.filter(kit.matches(zone, t)).sort(kit.wire.addsUnlisted!.oldestFirst);
    if (copies.length < 2) continue;
    earlier.push(t);
    extra.push(...copies.slice(1));
  }
  if (extra.length === 0) return { after, earlier };
  kit.log.debug(`${earlier.length} value(s) were in ${zone.name} already; deleting the copies this add made`);
  await kit.wire.remove(zone, extra, { listed: after, attempt: 1 });
  return { after: after.filter((r) => !extra.includes(r)), earlier };
}
