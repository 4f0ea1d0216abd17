import type { DeleteOutcome, DnsProvider, ProviderDeps, TxtRecord, Zone } from '../../contract.js';
import { unquoteTxt } from '../../txt.js';
import { observeQuoting, PROBE_DOMAIN } from '../../readings.js';
import { InvalidInputError, isOutcomeUnknown, ProviderApiError, ZoneNotFoundError, type Dns01Error } from '../../errors.js';
import { checkTxtValue, normalizeFqdn, toRelative, tryNormalizeFqdn, zoneCandidates } from '../../names.js';
import { KeyedMutex, locateZone, memoizeZones } from '../../zone.js';
import { CLOUDDNS_HINT, CLOUDDNS_NOTE, NetcupDomainNameRefused, NetcupRateLimitError, NetcupSessionRejectedError, type NetcupClient, type RecordChange } from './client.js';
import type { NetcupRecord } from './schemas.js';

/** How long the ids of the records a run created are kept for its cleanup. */
const PLACED_TTL_MS = 3600_000;

interface Wanted {
  name: string;
  value: string;
}

/** netcup hostnames: relative to the zone, `@` for the apex, or absolute with a trailing dot. */
export function hostnameFor(fqdn: string, zone: string): string {
  const relative = toRelative(fqdn, zone);
  return relative === '' ? '@' : relative;
}

/** The absolute name of a hostname as netcup lists it; undefined for names DNS cannot carry (e.g. `*`). */
export function recordFqdn(hostname: string, zone: string): string | undefined {
  const h = hostname.trim();
  if (h === '' || h === '@') return tryNormalizeFqdn(zone);
  return tryNormalizeFqdn(h.endsWith('.') ? h : `${h}.${zone}`);
}

function isTxtFor(record: NetcupRecord, zone: string, wanted: Wanted): boolean {
  return (
    record.type.toUpperCase() === 'TXT' &&
    record.deleterecord !== true &&
    recordFqdn(record.hostname, zone) === wanted.name &&
    unquoteTxt(record.destination) === wanted.value
  );
}

/** Orders record ids oldest first: numerically where both are numbers (netcup's are), else as text. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** May a failed change be checked and tried once more? Only when its outcome is unknown. */
function outcomeUnknown(error: unknown): boolean {
  return isOutcomeUnknown(error) && !(error instanceof NetcupRateLimitError) && !(error instanceof NetcupSessionRejectedError);
}

/**
 * Collects the calls made for one key within the same tick into one batch,
 * so that many challenges for one zone become one API call.
 */
function coalesce<T, R>(run: (key: string, items: T[]) => Promise<R[]>): (key: string, item: T) => Promise<R> {
  const open = new Map<string, { items: T[]; settle: { resolve: (r: R) => void; reject: (e: unknown) => void }[] }>();
  return (key, item) =>
    new Promise<R>((resolve, reject) => {
      let batch = open.get(key);
      if (!batch) {
        const fresh: { items: T[]; settle: { resolve: (r: R) => void; reject: (e: unknown) => void }[] } = { items: [], settle: [] };
        open.set(key, fresh);
        setImmediate(() => {
          open.delete(key);
          run(key, fresh.items).then(
            (results) => fresh.settle.forEach((s, i) => s.resolve(results[i]!)),
            (error: unknown) => fresh.settle.forEach((s) => s.reject(error)),
          );
        });
        batch = fresh;
      }
      batch.items.push(item);
      batch.settle.push({ resolve, reject });
    });
}

/** The CCP API backend. `restConfigured`: the REST API was asked first and did not know the domain either. */
export function createCcpBackend(client: NetcupClient, deps: ProviderDeps, options: { restConfigured?: boolean } = {}): DnsProvider {
  const log = deps.logger;
  // netcup ids are stable, but "is it there yet?" followed by a change is a
  // read-modify-write: changes to one zone run one batch at a time.
  const mutex = new KeyedMutex();
  const confirmed = new Map<string, Promise<Zone | undefined>>();

  const confirm = (candidate: string): Promise<Zone | undefined> => {
    // `_acme-challenge.example.com` and the like can never be a domain of the account.
    if (candidate.startsWith('_')) return Promise.resolve(undefined);
    let hit = confirmed.get(candidate);
    if (!hit) {
      hit = client.infoDnsZone(candidate).then(
        (info) => (info ? { name: candidate } : undefined),
        (error: unknown) => {
          // Only the validation error on domainname means "not this zone"; any other 4013 may be the
          // rate limit, and the walk must not go on sending during a lockout.
          if (error instanceof NetcupDomainNameRefused) {
            deps.observe?.('unknownDomain', 'error 4013 on domainname', true);
            return undefined;
          }
          throw error;
        },
      );
      confirmed.set(candidate, hit);
      hit.catch(() => confirmed.delete(candidate));
    }
    return hit;
  };

  // The hook processes of a run (a run cache) take the apex the DNS names
  // without asking infoDnsZone: their first write there proves it, since
  // netcup refuses a change to a domain the account does not hold (5028).
  const unconfirmed = new Set<string>();
  const dnsApex = async (fqdn: string): Promise<Zone | undefined> => {
    if (!deps.runCache || !deps.findApex) return undefined;
    const name = normalizeFqdn(fqdn);
    const apex = await deps.findApex(name).catch(() => undefined);
    if (apex === undefined || apex.startsWith('_') || !zoneCandidates(name).includes(apex)) return undefined;
    unconfirmed.add(apex);
    return { name: apex };
  };
  const notHeld = (zone: string, name: string, error: Dns01Error): ZoneNotFoundError =>
    new ZoneNotFoundError(`netcup: the DNS names ${zone} as the zone of ${name}, but this account does not hold it (${error.message}; ${CLOUDDNS_NOTE})`, {
      hint: options.restConfigured
        ? 'Check that the domain is in this netcup account (the customer number and the REST key must belong to the same account)'
        : CLOUDDNS_HINT,
    });

  const findZone = memoizeZones(async (fqdn) => {
    const fromDns = await dnsApex(fqdn);
    if (fromDns) return fromDns;
    try {
      return await locateZone(fqdn, { provider: 'netcup', findApex: deps.findApex, confirm });
    } catch (error) {
      if (!(error instanceof ZoneNotFoundError)) throw error;
      if (options.restConfigured) {
        throw new ZoneNotFoundError(`${error.message} (neither the REST API nor the CCP API knows it)`, {
          hint: 'Check that the domain is in this netcup account (the customer number and the REST key must belong to the same account)',
        });
      }
      throw new ZoneNotFoundError(`${error.message} (${CLOUDDNS_NOTE})`, { hint: CLOUDDNS_HINT });
    }
  });

  // The records each append found or created, as netcup listed them (ids
  // included): cleanup deletes exactly those without listing the zone again.
  // Shared with the run's later processes through the run cache.
  const placedKey = (zone: string, w: Wanted) => `txt:${zone}:${w.name}:${w.value}`;
  const remember = (zone: string, w: Wanted, listed: NetcupRecord[]) => {
    const ours = listed.filter((r) => isTxtFor(r, zone, w)).map(({ id, hostname, type, destination }) => ({ id, hostname, type, destination }));
    placed.set(placedKey(zone, w), ours);
    deps.runCache?.set(placedKey(zone, w), JSON.stringify(ours), PLACED_TTL_MS);
  };
  const forget = (zone: string, w: Wanted) => {
    placed.delete(placedKey(zone, w));
    deps.runCache?.delete(placedKey(zone, w));
  };
  const recalled = (zone: string, w: Wanted): Pick<NetcupRecord, 'id' | 'hostname' | 'type' | 'destination'>[] | undefined => {
    const known = placed.get(placedKey(zone, w));
    if (known) return known;
    try {
      const cached = deps.runCache?.get(placedKey(zone, w));
      return cached === undefined ? undefined : (JSON.parse(cached) as NetcupRecord[]);
    } catch {
      return undefined;
    }
  };
  const placed = new Map<string, Pick<NetcupRecord, 'id' | 'hostname' | 'type' | 'destination'>[]>();

  /**
   * Adds the values in one updateDnsRecords call without listing the zone
   * first: the reply lists the zone's records, which confirms the add and
   * shows a copy that was there before (an earlier run's record with the
   * same value). Two equal copies are never left: the extra one the add made
   * is deleted again at once, so the zone reads as if the value had been
   * found. The zone is listed only when netcup refuses the add (it may refuse
   * a value already there) or its outcome is unknown.
   */
  async function appendBatch(zone: string, items: Wanted[]): Promise<void[]> {
    const done = items.map(() => undefined);
    const wanted = [...new Map(items.map((w) => [`${w.name}\n${w.value}`, w])).values()].filter((w) => !placed.has(placedKey(zone, w)));
    let missing = wanted;
    let refused: unknown;
    let unknown: unknown;
    for (let round = 1; ; round++) {
      if (round > 1) {
        // After a change of unknown outcome, a failed look leaves the outcome unknown: report that, not the look.
        const listed = await client.infoDnsRecords(zone).catch((error: unknown) => {
          throw unknown ?? error;
        });
        missing = wanted.filter((w) => !listed.some((r) => isTxtFor(r, zone, w)));
        for (const w of wanted) if (!missing.includes(w)) remember(zone, w, listed);
        if (refused !== undefined && missing.length > 0) throw refused;
      }
      if (missing.length === 0) return done;
      const changes: RecordChange[] = missing.map((w) => ({ hostname: hostnameFor(w.name, zone), type: 'TXT', destination: w.value }));
      let after: NetcupRecord[];
      try {
        // A success reply without the records proves nothing about them: read the zone.
        after = (await client.updateDnsRecords(zone, changes)) ?? (await client.infoDnsRecords(zone));
      } catch (error) {
        if (round > 1) throw error;
        if (error instanceof InvalidInputError) {
          refused = error;
          log.debug(`netcup refused the add to ${zone} (${error.message}); listing the zone to see whether the values are there`);
        } else if (outcomeUnknown(error)) {
          unknown = error;
          log.debug(`updateDnsRecords for ${zone} failed with an unknown outcome; checking the zone before trying once more`);
        } else {
          throw error;
        }
        continue;
      }
      const unlisted = missing.find((w) => !after.some((r) => isTxtFor(r, zone, w)));
      if (unlisted) {
        throw new ProviderApiError('netcup', 'updateDnsRecords', `accepted the change but does not list TXT ${unlisted.name} afterwards`, {
          hint: 'Check the zone in the CCP and try again',
        });
      }
      log.debug(`added ${missing.length} TXT record(s) to ${zone} in one updateDnsRecords call`);
      await dropCopies(zone, missing, after);
      return done;
    }
  }

  /**
   * After an add without a listing: where the reply lists a value more than
   * once, the value was there before; the newest copy (the highest id, the
   * one the add made) is deleted, exactly as listed. Remembers the records
   * that stay, for cleanup.
   */
  async function dropCopies(zone: string, added: Wanted[], after: NetcupRecord[]): Promise<void> {
    const extra: NetcupRecord[] = [];
    for (const w of added) {
      const copies = after.filter((r) => isTxtFor(r, zone, w)).sort((a, b) => compareIds(a.id, b.id));
      extra.push(...copies.slice(1));
      remember(zone, w, copies.slice(0, 1));
    }
    if (extra.length === 0) return;
    log.debug(`${extra.length} value(s) were in ${zone} already; deleting the copies this add made`);
    await client.updateDnsRecords(
      zone,
      extra.map((r) => ({ id: r.id, hostname: r.hostname, type: r.type, destination: r.destination, deleterecord: true })),
    );
  }

  /**
   * Deletes the records the append reported for these values (ids and data
   * as netcup listed them) without listing the zone first. Returns false when
   * that is not possible or netcup refuses (a record gone or changed since):
   * the caller then lists the zone and decides from that, once.
   */
  async function deleteRecalled(zone: string, items: Wanted[]): Promise<DeleteOutcome[] | undefined> {
    const known = items.map((w) => recalled(zone, w));
    if (known.some((k) => k === undefined || k.length === 0)) return undefined;
    const doomed = [...new Map(known.flat().map((r) => [r!.id, r!])).values()];
    const changes: RecordChange[] = doomed.map((r) => ({ id: r.id, hostname: r.hostname, type: r.type, destination: r.destination, deleterecord: true }));
    let after: NetcupRecord[];
    try {
      after = (await client.updateDnsRecords(zone, changes)) ?? (await client.infoDnsRecords(zone));
    } catch (error) {
      if (error instanceof InvalidInputError) {
        log.debug(`netcup refused to delete the records the append reported (${error.message}); listing ${zone} instead`);
      } else if (outcomeUnknown(error)) {
        log.debug(`updateDnsRecords for ${zone} failed with an unknown outcome; listing the zone to see what is left`);
      } else {
        throw error;
      }
      items.forEach((w) => forget(zone, w));
      return undefined;
    }
    items.forEach((w) => forget(zone, w));
    // A copy the append did not see (added later) is still listed: the listing round deletes it.
    if (items.some((w) => after.some((r) => isTxtFor(r, zone, w)))) return undefined;
    log.debug(`deleted ${doomed.length} TXT record(s) from ${zone} in one updateDnsRecords call, by the ids the append reported`);
    return items.map(() => 'deleted');
  }

  async function deleteBatch(zone: string, items: Wanted[]): Promise<DeleteOutcome[]> {
    const byIds = await deleteRecalled(zone, items);
    if (byIds) return byIds;
    const deleted = new Set<number>();
    for (let round = 1; ; round++) {
      const listed = await client.infoDnsRecords(zone);
      const matches = items.map((w) => listed.filter((r) => isTxtFor(r, zone, w)));
      const doomed = [...new Map(matches.flat().map((r) => [r.id, r])).values()];
      if (doomed.length === 0) return items.map((_, i) => (deleted.has(i) ? 'deleted' : 'absent'));
      const changes: RecordChange[] = doomed.map((r) => ({
        id: r.id,
        hostname: hostnameFor(recordFqdn(r.hostname, zone)!, zone),
        type: 'TXT',
        destination: r.destination,
        deleterecord: true,
      }));
      matches.forEach((m, i) => m.length > 0 && deleted.add(i));
      try {
        const after = (await client.updateDnsRecords(zone, changes)) ?? (await client.infoDnsRecords(zone));
        const kept = doomed.filter((d) => after.some((r) => r.id === d.id && r.deleterecord !== true));
        if (kept.length > 0) {
          throw new ProviderApiError('netcup', 'updateDnsRecords', `accepted the deletion but still lists ${kept.length} of the TXT record(s) in ${zone}`, {
            hint: 'Check the zone in the CCP and remove the challenge record there if it stays',
          });
        }
        items.forEach((w) => forget(zone, w));
        log.debug(`deleted ${doomed.length} TXT record(s) from ${zone} in one updateDnsRecords call`);
        return items.map((_, i) => (deleted.has(i) ? 'deleted' : 'absent'));
      } catch (error) {
        if (round > 1 || !outcomeUnknown(error)) throw error;
        log.debug(`updateDnsRecords for ${zone} failed with an unknown outcome; checking the zone before trying once more`);
      }
    }
  }

  const queueAppend = coalesce((zone, items: Wanted[]) => mutex.run(zone, () => appendBatch(zone, items)));
  const queueDelete = coalesce((zone, items: Wanted[]) => mutex.run(zone, () => deleteBatch(zone, items)));

  const wantedIn = (zone: Zone, name: string, value: string): Wanted => {
    const fqdn = normalizeFqdn(name);
    toRelative(fqdn, zone.name);
    checkTxtValue(value);
    return { name: fqdn, value };
  };

  return {
    name: 'netcup',
    findZone,
    async appendTxt(zone, name, value) {
      try {
        await queueAppend(zone.name, wantedIn(zone, name, value));
      } catch (error) {
        const refused = error instanceof ZoneNotFoundError || error instanceof NetcupDomainNameRefused;
        if (refused && unconfirmed.has(zone.name)) throw notHeld(zone.name, normalizeFqdn(name), error);
        throw error;
      }
      unconfirmed.delete(zone.name);
    },
    deleteTxt(zone, name, value) {
      return queueDelete(zone.name, wantedIn(zone, name, value));
    },
    async listTxt(zone, name): Promise<TxtRecord[]> {
      const fqdn = normalizeFqdn(name);
      const listed = await client.infoDnsRecords(zone.name);
      return listed
        .filter((r) => r.type.toUpperCase() === 'TXT' && recordFqdn(r.hostname, zone.name) === fqdn)
        .map((r) => ({ name: fqdn, value: unquoteTxt(r.destination), id: r.id }));
    },
    async probeReadings() {
      // A name no account holds: how the zone walk hears "not this zone" (5028, or 4013 on domainname).
      await confirm(PROBE_DOMAIN);
    },
    async listZoneTxt(zone): Promise<TxtRecord[]> {
      const txt = (await client.infoDnsRecords(zone.name)).filter((r) => r.type.toUpperCase() === 'TXT' && r.deleterecord !== true);
      observeQuoting(deps.observe, txt.map((r) => ({ raw: r.destination, value: unquoteTxt(r.destination) })));
      return txt.map((r) => ({ name: recordFqdn(r.hostname, zone.name) ?? r.hostname.toLowerCase(), value: unquoteTxt(r.destination), id: r.id }));
    },
    close: () => client.logout(),
  };
}
