/**
 * The provider contract, as tests. Every provider's test file runs this suite
 * against its emulator (served over loopback HTTP, backed by a ZoneStore):
 *
 *   describeProviderConformance('netcup', async () => ({ provider, store, zone, close }));
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ZoneStore } from '@dns01/testkit';
import { ZoneNotFoundError, type DnsProvider } from '../src/internal.js';

export interface ConformanceHarness {
  provider: DnsProvider;
  /** The store the emulator writes to: the ground truth for assertions. */
  store: ZoneStore;
  /** A zone the account holds, present in the store. */
  zone: string;
  /**
   * The TXT value to use for a label; identity by default. An API that takes
   * only ACME values (netcup's REST challenge endpoints) maps each label to
   * 43 characters of base64url.
   */
  value?: (label: string) => string;
  close(): Promise<void>;
}

/** A stable 43-character base64url value for a label (an ACME dns-01 value's shape). */
export function acmeValue(label: string): string {
  return Buffer.from(label.padEnd(32, '.').slice(0, 32)).toString('base64url').slice(0, 43);
}

export function describeProviderConformance(label: string, setup: () => Promise<ConformanceHarness>): void {
  describe(`${label}: provider contract`, () => {
    let h: ConformanceHarness;
    let zone: string;
    let name: string;
    const txt = (n: string) =>
      h.store
        .records(zone, { name: n, type: 'TXT' })
        .map((r) => r.data)
        .sort();
    const v = (label: string) => (h.value ? h.value(label) : label);
    const everything = () => h.store.records(zone).map(({ id, name: n, type, data }) => ({ id, name: n, type, data }));

    beforeEach(async () => {
      h = await setup();
      zone = h.zone;
      name = `_acme-challenge.${zone}`;
      h.store.add(zone, { name, type: 'TXT', data: 'foreign-value-kept' });
      h.store.add(zone, { name: `www.${zone}`, type: 'TXT', data: 'v=spf1 -all' });
      h.store.add(zone, { name: `www.${zone}`, type: 'A', data: '192.0.2.10' });
    });
    afterEach(async () => {
      await h.provider.close();
      await h.close();
    });

    it('finds the zone of a challenge name, also for deeper names', async () => {
      expect((await h.provider.findZone(name)).name).toBe(zone);
      expect((await h.provider.findZone(`_acme-challenge.a.b.${zone}`)).name).toBe(zone);
    });

    it('reports a zone the account does not hold as ZoneNotFoundError', async () => {
      await expect(h.provider.findZone('_acme-challenge.not-in-this-account.example')).rejects.toBeInstanceOf(ZoneNotFoundError);
    });

    it('appending the same value twice leaves one record', async () => {
      const z = await h.provider.findZone(name);
      expect(await h.provider.appendTxt(z, name, v('token-one'))).toBe('created');
      expect(await h.provider.appendTxt(z, name, v('token-one'))).toBe('present');
      expect(txt(name)).toEqual(['foreign-value-kept', v('token-one')].sort());
    });

    it('appending a value the zone already holds reports it present and creates nothing', async () => {
      h.store.add(zone, { name, type: 'TXT', data: v('made-elsewhere') });
      const before = everything();
      const z = await h.provider.findZone(name);
      expect(await h.provider.appendTxt(z, name, v('made-elsewhere'))).toBe('present');
      expect(everything()).toEqual(before);
    });

    it('two values on one name coexist (apex + wildcard)', async () => {
      const z = await h.provider.findZone(name);
      await h.provider.appendTxt(z, name, v('apex-value'));
      await h.provider.appendTxt(z, name, v('wildcard-value'));
      expect(txt(name)).toEqual(['foreign-value-kept', v('apex-value'), v('wildcard-value')].sort());
      const listed = (await h.provider.listTxt(z, name)).map((r) => r.value).sort();
      expect(listed).toEqual(['foreign-value-kept', v('apex-value'), v('wildcard-value')].sort());
      expect((await h.provider.listTxt(z, name)).every((r) => r.name === name)).toBe(true);
    });

    it('delete removes exactly the matching value and nothing else', async () => {
      const before = everything();
      const z = await h.provider.findZone(name);
      await h.provider.appendTxt(z, name, v('apex-value'));
      await h.provider.appendTxt(z, name, v('wildcard-value'));
      expect(await h.provider.deleteTxt(z, name, v('apex-value'))).toBe('deleted');
      expect(txt(name)).toEqual(['foreign-value-kept', v('wildcard-value')].sort());
      expect(await h.provider.deleteTxt(z, name, v('wildcard-value'))).toBe('deleted');
      expect(everything()).toEqual(before);
    });

    it('deleting a record that is not there succeeds and touches nothing', async () => {
      const before = everything();
      const z = await h.provider.findZone(name);
      expect(await h.provider.deleteTxt(z, name, v('never-created'))).toBe('absent');
      expect(await h.provider.deleteTxt(z, `_acme-challenge.nothing.${zone}`, v('never-created'))).toBe('absent');
      expect(everything()).toEqual(before);
    });

    it('works below the apex and at the apex of a sub-name', async () => {
      const deep = `_acme-challenge.a.b.${zone}`;
      const z = await h.provider.findZone(deep);
      await h.provider.appendTxt(z, deep, v('deep-value'));
      expect(txt(deep)).toEqual([v('deep-value')]);
      expect(txt(name)).toEqual(['foreign-value-kept']);
      expect(await h.provider.deleteTxt(z, deep, v('deep-value'))).toBe('deleted');
      expect(txt(deep)).toEqual([]);
    });

    it('20 concurrent appends then 20 concurrent deletes leave exactly the right records', async () => {
      const before = everything();
      const z = await h.provider.findZone(name);
      const values = Array.from({ length: 20 }, (_, i) => v(`concurrent-${String(i).padStart(2, '0')}`));
      await Promise.all(values.map((v) => h.provider.appendTxt(z, name, v)));
      expect(txt(name)).toEqual(['foreign-value-kept', ...values].sort());
      const outcomes = await Promise.all(values.map((v) => h.provider.deleteTxt(z, name, v)));
      expect(outcomes.every((o) => o === 'deleted')).toBe(true);
      expect(everything()).toEqual(before);
    });
  });
}
