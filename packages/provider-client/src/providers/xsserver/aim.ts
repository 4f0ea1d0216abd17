/**
 * Which number to send to `DELETE /domain/@id/dns/<number>`, when nobody
 * knows what the number means. Pure: a listing in, a number (or none) out.
 *
 * The list shows records in slots (the positions of a JSON array, or the
 * keys of an object keyed by positions, with gaps) and gives each an `id`
 * (the slot, the slot + 1, or a database id). What DELETE takes is one of
 * three meanings; for a number k its target is:
 *
 * - `slot0`: the record in slot k;
 * - `slot1`: the record in slot k - 1;
 * - `id`: the record whose listed id is k.
 *
 * A slot above the highest listed one holds nothing (a new record always
 * took the highest listed key + 1: nothing hides above it), and so does a
 * slot below 0. A gap of a keyed list at or below the highest slot may hold
 * an entry the API does not show: its target is unknown. (A JSON array is a
 * PHP list, keys 0..n-1 without holes: it hides nothing.) Under `id`, a
 * number no record lists is read through the slots where every listed id
 * is its slot (+ 1); where the ids are database ids, it hits nothing in a
 * list without gaps and is unknown in one with gaps (a hidden entry may
 * carry it); where no record lists an id, it hits nothing.
 *
 * A number is safe when under every meaning still possible its target is
 * dns01's own (a copy of the record being deleted, or a guard this process
 * placed) or nothing; it is sent only then. So whichever meaning is true,
 * no other record can be hit. The outcome then tells the meanings apart.
 */

/** What `DELETE /domain/@id/dns/<k>` may take `k` to be. */
export type Meaning = 'slot0' | 'slot1' | 'id';
export const MEANINGS: readonly Meaning[] = ['slot0', 'slot1', 'id'];

/** A record as this module needs it: the slot it is listed in and its listed id. */
export interface Slotted {
  readonly slot: number;
  readonly id?: string;
}

/** A number's target under one meaning: a listed record, nothing, or an entry the list does not show. */
export type Hit<R> = { readonly record: R } | 'nothing' | 'unknown';

/** What a listed record is to the delete in progress: the record being deleted (a copy of it), a guard of this process, or foreign. */
export type Ownership = 'target' | 'guard' | undefined;

/** A listing read for aiming: slots, ids, gaps. */
export class Slots<R extends Slotted> {
  readonly top: number;
  /** Every listed id is the slot + this (0 or 1); undefined for database ids (or no record). */
  readonly aligned: 0 | 1 | undefined;
  readonly gaps: boolean;
  private readonly bySlot = new Map<number, R>();
  private readonly byId = new Map<number, R | 'several'>();
  /** Some records have a numeric id and some not: any number may be one of theirs. (With none at all, DELETE cannot take a listed id: it hits nothing.) */
  private readonly idless: boolean;

  constructor(readonly records: readonly R[]) {
    for (const r of records) this.bySlot.set(r.slot, r);
    this.top = Math.max(-1, ...records.map((r) => r.slot));
    this.gaps = this.bySlot.size < this.top + 1;
    const withId = records.filter((r) => idNumber(r) !== undefined).length;
    this.idless = withId > 0 && withId < records.length;
    for (const r of records) {
      const id = idNumber(r);
      if (id !== undefined) this.byId.set(id, this.byId.has(id) ? 'several' : r);
    }
    const offset = (c: number) => records.length > 0 && records.every((r) => idNumber(r) === r.slot + c);
    this.aligned = offset(1) ? 1 : offset(0) ? 0 : undefined;
  }

  /** The target of `k` under `meaning`. */
  hit(k: number, meaning: Meaning): Hit<R> {
    if (meaning === 'slot0') return this.atSlot(k);
    if (meaning === 'slot1') return this.atSlot(k - 1);
    const listed = this.byId.get(k);
    if (listed === 'several') return 'unknown';
    if (listed) return { record: listed };
    if (this.idless) return 'unknown';
    if (this.aligned !== undefined) return this.atSlot(k - this.aligned);
    return this.gaps && this.byId.size > 0 ? 'unknown' : 'nothing';
  }

  private atSlot(slot: number): Hit<R> {
    if (slot < 0 || slot > this.top) return 'nothing';
    const r = this.bySlot.get(slot);
    return r ? { record: r } : 'unknown';
  }
}

/**
 * Whether a record added now could be deleted again, as far as a listing
 * before the add can tell. It lands above the highest slot, and so do the
 * guards placed after it. Where DELETE may take a database id, the number
 * that is safe under every meaning is the record's own id, and that only
 * while the id (and the id - 1, for `slot1`) lies above every slot listed
 * before the add: new ids count up from the listed ones, so the listed ids
 * must already lie above the slots. Otherwise dns01 adds nothing.
 */
export function deletableAfterAdd(slots: Slots<Slotted>, meanings: ReadonlySet<Meaning>): boolean {
  if (!meanings.has('id') || slots.aligned !== undefined) return true;
  const ids = slots.records.map(idNumber);
  if (ids.every((i) => i === undefined)) return true;
  if (ids.some((i) => i === undefined)) return false;
  return Math.max(...(ids as number[])) > slots.top + 1;
}

export function idNumber(r: Slotted): number | undefined {
  return r.id !== undefined && /^\d{1,15}$/.test(r.id) ? Number(r.id) : undefined;
}

/** A number to send, with what it hits under each meaning still possible. */
export interface Shot<R> {
  readonly k: number;
  readonly hits: ReadonlyMap<Meaning, Hit<R>>;
}

/**
 * The number to send next, or undefined when no number is safe and hits
 * something of dns01's under some meaning. Among the safe ones: the one that
 * hits the record being deleted under most meanings, then the one whose
 * hit on it comes under the meaning earliest in `preferred` (what an earlier
 * run proved, then what the evidence favours: an order, never a proof),
 * then the one that hits dns01's records under most meanings, then the smallest.
 */
export function aim<R extends Slotted>(
  slots: Slots<R>,
  meanings: ReadonlySet<Meaning>,
  own: (r: R) => Ownership,
  preferred: readonly Meaning[] = [],
): Shot<R> | undefined {
  const candidates = new Set<number>();
  for (const r of slots.records) {
    if (!own(r)) continue;
    candidates.add(r.slot);
    candidates.add(r.slot + 1);
    const id = idNumber(r);
    if (id !== undefined) candidates.add(id);
  }
  let best: { shot: Shot<R>; score: number[] } | undefined;
  for (const k of [...candidates].sort((a, b) => a - b)) {
    const hits = new Map([...meanings].map((m) => [m, slots.hit(k, m)] as const));
    const owned = [...hits.values()].map((h) => (typeof h === 'object' ? own(h.record) : h));
    if (owned.some((o) => o === undefined || o === 'unknown')) continue;
    const onTarget = [...hits].filter(([, h]) => typeof h === 'object' && own(h.record) === 'target').map(([m]) => m);
    const onOwn = owned.filter((o) => o === 'target' || o === 'guard').length;
    if (onOwn === 0) continue;
    const rank = preferred.findIndex((m) => onTarget.includes(m));
    const score = [onTarget.length, rank < 0 ? 0 : preferred.length - rank, onOwn];
    if (!best || compare(score, best.score) > 0) best = { shot: { k, hits }, score };
  }
  return best?.shot;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * The meanings a DELETE's outcome leaves possible: those that predicted the
 * record that vanished (`vanished`, compared by `same`), or, when nothing
 * vanished, those that predicted nothing. Empty when no meaning predicted it.
 */
export function narrow<R>(shot: Shot<R>, vanished: R | undefined, same: (a: R, b: R) => boolean): Set<Meaning> {
  return new Set(
    [...shot.hits].filter(([, hit]) => (vanished === undefined ? hit === 'nothing' : typeof hit === 'object' && same(hit.record, vanished))).map(([m]) => m),
  );
}

/** The meanings in words, for the report of `dns01 check --write`. */
export function describeMeanings(meanings: ReadonlySet<Meaning>): string {
  const words: Record<Meaning, string> = { slot0: 'the position counted from 0', slot1: 'the position counted from 1', id: 'the listed id' };
  const list = MEANINGS.filter((m) => meanings.has(m)).map((m) => words[m]);
  if (list.length === 1) return list[0]!;
  if (list.length === 3) return 'not yet known (the position from 0, from 1, or the listed id)';
  if (meanings.has('id')) return `${list.join(' or ')} (they agree on this account's lists)`;
  return 'a position, from 0 or from 1 (not yet told apart)';
}
