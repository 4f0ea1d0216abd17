import type { AppendOutcome, DeleteOutcome, DnsProvider, ProviderDeps, TxtRecord, Zone } from '../contract.js';
import { InvalidInputError } from '../errors.js';
import { isInZone, normalizeFqdn } from '../names.js';
import { observeQuoting } from '../readings.js';
import { unquoteTxt } from '../txt.js';
import { KeyedMutex, locateZone, memoize, memoizeZones } from '../zone.js';
import { appendAll } from './append.js';
import { coalesce } from './coalesce.js';
import { deleteAll } from './delete.js';
import { kitFor, targetFor, type Kit } from './kit.js';
import type { Target, Wire } from './wire.js';

/**
 * The DnsProvider a backend's wire makes. Everything the contract promises
 * is kept here, once, for every backend: names and values checked before
 * any call, changes serialised as the backend declares (per zone or per
 * name, host-wide where it must be), batched where it can be, writes of
 * unknown outcome looked for, records matched exactly, deletes exact.
 */
export function createProvider<R>(wire: Wire<R>, deps: ProviderDeps): DnsProvider {
  const kit = kitFor(wire, deps);
  const mutex = new KeyedMutex();
  const lockKey = (zone: Zone, name?: string) => (wire.exclusive?.per === 'name' && name !== undefined ? `${zone.name}|${name}` : zone.name);
  /** In-process order first, then the host-wide lock of this account and zone where the backend needs one. */
  const exclusive = <T>(zone: Zone, name: string | undefined, fn: () => Promise<T>): Promise<T> => {
    const account = wire.exclusive?.hostWide;
    return mutex.run(lockKey(zone, name), () => (account && deps.hostLock ? deps.hostLock(`${wire.name}-${account}-${zone.name}`, fn) : fn()));
  };
  const reading = <T>(zone: Zone, name: string | undefined, fn: () => Promise<T>): Promise<T> =>
    wire.exclusive?.reads ? mutex.run(lockKey(zone, name), fn) : fn();

  const change = <O>(run: (kit: Kit<R>, zone: Zone, targets: readonly Target[]) => Promise<O[]>) => {
    const batched = coalesce((_key, items: { zone: Zone; target: Target }[]) =>
      exclusive(items[0]!.zone, undefined, () =>
        run(
          kit,
          items[0]!.zone,
          items.map((i) => i.target),
        ),
      ),
    );
    return async (zone: Zone, name: string, value: string): Promise<O> => {
      const target = targetFor(wire as Wire<unknown>, zone, name, value);
      if (wire.batches) return batched(zone.name, { zone, target });
      return (await exclusive(zone, target.name, () => run(kit, zone, [target])))[0]!;
    };
  };

  const confirm = memoize((candidate) =>
    wire.zones.skipUnderscore && candidate.split('.').some((label) => label.startsWith('_')) ? Promise.resolve(undefined) : wire.zones.confirm(candidate),
  );
  const locate = (fqdn: string) => locateZone(fqdn, { provider: kit.label, findApex: deps.findApex, confirm, hint: wire.zones.hint });

  const txt = (zone: Zone, records: readonly R[]) =>
    records.flatMap((r) => {
      const v = kit.view(r, zone);
      return v && v.type.toUpperCase() === 'TXT' ? [{ name: v.name, value: unquoteTxt(v.data), raw: v.data, ...(v.id === undefined ? {} : { id: v.id }) }] : [];
    });
  const record = ({ name, value, id }: TxtRecord): TxtRecord => ({ name, value, ...(id === undefined ? {} : { id }) });

  const provider: DnsProvider = {
    name: wire.name,
    findZone: memoizeZones((fqdn) => (wire.zones.find ? wire.zones.find(fqdn, locate) : locate(fqdn))),
    appendTxt: change<AppendOutcome>(appendAll),
    deleteTxt: change<DeleteOutcome>(deleteAll),
    async listTxt(zone, name) {
      const fqdn = normalizeFqdn(name);
      if (!isInZone(fqdn, normalizeFqdn(zone.name))) throw new InvalidInputError(`${fqdn} is not inside the ${kit.label} zone ${zone.name}`);
      const records = await reading(zone, fqdn, () => wire.list(zone, fqdn));
      return txt(zone, records)
        .filter((r) => r.name === fqdn)
        .map(record);
    },
    async listZoneTxt(zone) {
      const records = txt(zone, await reading(zone, undefined, () => wire.list(zone)));
      observeQuoting(deps.observe, records);
      return records.map(record);
    },
    close: async () => wire.close?.(),
  };
  if (wire.probeReadings) provider.probeReadings = (zone, records) => wire.probeReadings!(zone, records);
  if (wire.listZones) provider.listZones = () => wire.listZones!();
  return provider;
}
