// The rules of aim.ts as docs/providers/xsserver.md states them: what a DELETE number hits under each meaning.
import { describe, expect, it } from 'vitest';
import { aim, deletableAfterAdd, describeMeanings, MEANINGS, narrow, Slots, type Meaning, type Ownership } from '../../src/providers/xsserver/aim.js';

interface Row {
  slot: number;
  id?: string;
  who: string;
}
const row = (slot: number, id: string | undefined, who: string): Row => ({ slot, ...(id === undefined ? {} : { id }), who });
const all = new Set<Meaning>(MEANINGS);
const who = (h: ReturnType<Slots<Row>['hit']>) => (typeof h === 'object' ? h.record.who : h);
const ownership =
  (target: string, guards: string[] = []) =>
  (r: Row): Ownership =>
    r.who === target ? 'target' : guards.includes(r.who) ? 'guard' : undefined;

describe('xsserver: what a DELETE number hits', () => {
  // As HostBill lists a zone: keyed by slots with a gap at 1, database ids.
  const keyed = new Slots([row(0, '15257', 'soa'), row(2, '15259', 'ns'), row(3, '406219', 'ours')]);

  it('a slot above the highest holds nothing; a gap at or below it is unknown', () => {
    expect(MEANINGS.map((m) => who(keyed.hit(4, m)))).toEqual(['nothing', 'ours', 'unknown']);
    expect(who(keyed.hit(1, 'slot0'))).toBe('unknown');
    expect(who(keyed.hit(2, 'slot1'))).toBe('unknown');
    expect(who(keyed.hit(0, 'slot1'))).toBe('nothing');
    expect(who(keyed.hit(406219, 'id'))).toBe('ours');
  });

  it('a number no record lists: unknown under database ids with gaps, nothing without gaps or without ids, read through the slots where ids are positions', () => {
    const array = new Slots([row(0, '15257', 'soa'), row(1, '15259', 'ns'), row(2, '406219', 'ours')]);
    expect(who(array.hit(5, 'id'))).toBe('nothing');
    const fromOne = new Slots([row(0, '1', 'soa'), row(2, '3', 'ns')]);
    expect(fromOne.aligned).toBe(1);
    expect([2, 3, 4].map((k) => who(fromOne.hit(k, 'id')))).toEqual(['unknown', 'ns', 'nothing']);
    expect(who(new Slots([row(0, undefined, 'a'), row(2, undefined, 'b')]).hit(1, 'id'))).toBe('nothing');
    expect(who(new Slots([row(0, '7', 'a'), row(1, undefined, 'b')]).hit(9, 'id'))).toBe('unknown');
    expect(who(new Slots([row(0, '7', 'a'), row(1, '7', 'b')]).hit(7, 'id'))).toBe('unknown');
  });

  it('aims at a number safe under every meaning, preferring hits on the record being deleted', () => {
    // The record on top with a database id above every slot: its id, which every position reading misses.
    expect(aim(keyed, all, ownership('ours'))?.k).toBe(406219);
    // Positions from 0 with a foreign record right before ours: slot + 1 (the position from 1), never the slot.
    const zeroBased = new Slots([row(0, '0', 'soa'), row(1, '1', 'foreign'), row(2, '2', 'ours')]);
    const shot = aim(zeroBased, all, ownership('ours'))!;
    expect(shot.k).toBe(3);
    expect(Object.fromEntries([...shot.hits].map(([m, h]) => [m, who(h)]))).toEqual({ slot0: 'nothing', slot1: 'ours', id: 'nothing' });
    // Ours below a foreign record: no number is safe, until a guard lands on top.
    const below = [row(0, '0', 'soa'), row(1, '1', 'ours'), row(2, '2', 'foreign')];
    expect(aim(new Slots(below), all, ownership('ours'))).toBeUndefined();
    const guarded = aim(new Slots([...below, row(3, '3', 'guard')]), all, ownership('ours', ['guard']))!;
    expect(guarded.k).toBe(4);
    // What the outcome tells: the guard gone means the position from 1; nothing gone, the others.
    expect([...narrow(guarded, row(3, '3', 'guard'), (a, b) => a.who === b.who)]).toEqual(['slot1']);
    expect([...narrow(guarded, undefined, (a, b) => a.who === b.who)]).toEqual(['slot0', 'id']);
  });

  it('a remembered meaning orders the choice between safe numbers, never makes an unsafe one safe', () => {
    // 2 hits ours under slot1 only, 406219 under id only; 1 (the slot) would hit the SOA under slot1.
    const array = new Slots([row(0, '15257', 'soa'), row(1, '406219', 'ours')]);
    expect(aim(array, all, ownership('ours'), ['id', 'slot1', 'slot0'])?.k).toBe(406219);
    expect(aim(array, all, ownership('ours'), ['slot1', 'id', 'slot0'])?.k).toBe(2);
    expect(aim(array, all, ownership('ours'), ['slot0'])?.k).not.toBe(1);
  });

  it('a record may be added where the ids are positions, or database ids above the slots', () => {
    expect(deletableAfterAdd(keyed, all)).toBe(true);
    expect(deletableAfterAdd(new Slots([row(0, '4', 'soa'), row(1, '3', 'ns'), row(2, '2', 'a'), row(3, '1', 'b')]), all)).toBe(false);
    expect(
      deletableAfterAdd(new Slots([row(0, '4', 'soa'), row(1, '3', 'ns'), row(2, '2', 'a'), row(3, '1', 'b')]), new Set<Meaning>(['slot0', 'slot1'])),
    ).toBe(true);
    expect(deletableAfterAdd(new Slots([]), all)).toBe(true);
  });

  it('says what is proven in words', () => {
    expect(describeMeanings(new Set(['id']))).toBe('the listed id');
    expect(describeMeanings(new Set(['id', 'slot1']))).toBe("the position counted from 1 or the listed id (they agree on this account's lists)");
    expect(describeMeanings(new Set(['slot0', 'slot1']))).toBe('a position, from 0 or from 1 (not yet told apart)');
  });
});
