import type { DnsProvider, ProviderDeps, Zone } from '../../contract.js';
import { isOutcomeUnknown, ProviderApiError } from '../../errors.js';
import { createProvider, missingFrom, type Wire } from '../../kit/index.js';
import { listedName } from '../../names.js';
import { unquoteTxt } from '../../txt.js';
import { zoneNames } from '../../zone.js';
import type { SourcedeskClient, SourcedeskRecord } from './client.js';
import { PROVIDER, SourcedeskNoZoneError } from './errors.js';

/**
 * The TTL dns01 asks for. sourceDESK's PowerDNS driver stores anything under
 * 180 as 3600 and refuses no TTL; 300 is short enough that a stale answer
 * does not outlive a challenge.
 */
export const CHALLENGE_TTL = 300;

/** What dns/delete refuses as "No valid record specified." before looking (PHP's empty() and is_numeric()). */
const undeletable = (id: string) => id === '' || id === '0' || !/^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(id);

/**
 * sourceDESK on the provider kit: dns/show, then dns/add, or dns/delete by
 * the key dns/show gave. That key is a row id under the PowerDNS driver, a
 * position from 0 under drivers such as dbs (a position shifts when a record
 * before it goes, and position 0 cannot be deleted at all). So every change
 * holds the zone's lock, in process and host-wide; each delete removes one
 * record against a listing taken right before it; the kit checks that the
 * list afterwards lacks exactly that record (else the zone gets no further
 * deletes). dns/add returns no id and is never sent twice: after an unknown
 * outcome the kit looks and reports. Names are written relative, "" for the apex.
 */
export function createSourcedeskProvider(client: SourcedeskClient, deps: ProviderDeps): DnsProvider {
  const log = deps.logger;
  const isListed = async (domain: string) => (await client.listZones(domain)).some((z) => listedName(z, domain, 'absolute') === domain);

  /** dns/show; an 804 for a domain dns/list lists means the zone holds no record sourceDESK shows (`explain`: say so). */
  async function show(zone: Zone, explain = true): Promise<SourcedeskRecord[]> {
    let records: SourcedeskRecord[];
    try {
      records = await client.showZone(zone.name);
    } catch (error) {
      if (!explain || !(error instanceof SourcedeskNoZoneError) || !(await isListed(zone.name).catch(() => false))) throw error;
      throw new SourcedeskNoZoneError(
        `sourcedesk dns/show: sourceDESK shows no record of ${zone.name} (code 804: Zone not found.); its API answers so for a zone that holds only SOA and NS records, which it never lists, and adds nothing to such a zone`,
        {
          hint: `Add any record to ${zone.name} in the sourceDESK panel (an A record for the domain, say), then try again; the domain already uses the sourceDESK nameservers (dns/list lists it)`,
          cause: error,
        },
      );
    }
    if (records.length > 0) deps.observe?.('numbering', records[0]!.positions ? 'by position from 0 (a driver such as dbs)' : 'by record id', true);
    return records;
  }
  /** The listing after a delete: a zone left with nothing sourceDESK shows answers 804, which is an empty list here. */
  const showAfter = (zone: Zone) => show(zone, false).catch((error: unknown) => (error instanceof SourcedeskNoZoneError ? [] : Promise.reject(error)));
  const read = (r: SourcedeskRecord, zone: Zone) => ({ name: listedName(r.name, zone.name, 'either'), type: r.type, data: r.content, id: r.id });
  const describe = (r: SourcedeskRecord, zone: Zone) => `TXT ${read(r, zone).name} "${unquoteTxt(r.content)}"`;

  const wire: Wire<SourcedeskRecord> = {
    name: PROVIDER,
    apex: '',
    actions: { add: 'dns/add', remove: 'dns/delete' },
    exclusive: { reads: true, hostWide: client.account },
    checksChanges: true,
    zones: {
      // The filter is an SQL LIKE, in which `_` matches any character: only an exact name confirms, and no `_` name is sent.
      skipUnderscore: true,
      confirm: async (candidate) => ((await isListed(candidate)) ? { name: candidate } : undefined),
      hint: 'Check that the domain is active in this sourceDESK account and uses its nameservers',
    },
    list: (zone) => show(zone),
    isEmptyZone: (error) => error instanceof SourcedeskNoZoneError,
    read,
    async add(zone, [target]) {
      await client.addRecord(zone.name, { name: target!.relative, type: 'TXT', content: target!.value, ttl: CHALLENGE_TTL, priority: 0 });
      // The reply carries no id: the kit lists and looks.
      return 'unconfirmed';
    },
    /** Reports the TTL the zone stored (no driver refuses one; the PowerDNS driver raises one under 180 to 3600). */
    async verifyAdd(zone, target, listed) {
      const mine = listed?.find((r) => read(r, zone).name === target.name && r.type.toUpperCase() === 'TXT' && unquoteTxt(r.content) === target.value);
      if (!mine) return;
      if (mine.ttl !== undefined)
        deps.observe?.(
          'ttl',
          mine.ttl === CHALLENGE_TTL ? `stores the TTL asked for (${CHALLENGE_TTL})` : `stores TTL ${mine.ttl} when asked for ${CHALLENGE_TTL}`,
          true,
        );
    },
    /** One record (the first it can address) at a time, by its key in the listing taken right before. */
    async remove(zone, records, { listed }) {
      const target = records.find((r) => !undeletable(r.id));
      if (!target) {
        const reason = records[0]!.positions
          ? 'this sourceDESK installation numbers records by position from 0 and its API refuses position 0 ("No valid record specified.")'
          : 'its API refuses that record id ("No valid record specified.")';
        throw new ProviderApiError(
          PROVIDER,
          'dns/delete',
          `cannot delete ${records.map((r) => `${describe(r, zone)} (key ${r.id})`).join(', ')}: ${reason}; it is left behind`,
          {
            hint: `Delete that record in the sourceDESK panel`,
          },
        );
      }
      const before = listed ?? (await show(zone));
      let failure: unknown;
      const outcome = await client.deleteRecord(zone.name, target.id).catch((error: unknown) => {
        if (!isOutcomeUnknown(error)) throw error;
        failure = error;
        return 'failed' as const;
      });
      const after = await showAfter(zone);
      const raw = (r: SourcedeskRecord) => `${r.type} ${r.name} ${r.content}`;
      // After a lost reply anything that vanished counts as this delete's doing: the kit checks it was exactly the target.
      if (outcome === 'deleted' || (outcome === 'failed' && missingFrom(before.map(raw), after.map(raw)).length > 0))
        return { removed: [target], listed: after };
      if (failure) throw failure;
      // 806: no record under that key any more (gone, or a position that moved): the fresh listing decides.
      log.debug(`dns/delete: record ${target.id} of ${zone.name} was not found (code 806); listing again`);
      return { removed: [], listed: after };
    },
    listZones: async () => zoneNames(await client.listZones(), log, PROVIDER),
  };
  return createProvider(wire, deps);
}
