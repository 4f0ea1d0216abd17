import type { DnsProvider, ProviderDeps, Zone } from '../../contract.js';
import { InvalidInputError, isOutcomeUnknown, ProviderApiError, ZoneNotFoundError } from '../../errors.js';
import { createProvider, missingFrom, type Wire } from '../../kit/index.js';
import { listedName, normalizeFqdn, zoneCandidates } from '../../names.js';
import { PROBE_DOMAIN } from '../../readings.js';
import { unquoteTxt } from '../../txt.js';
import { zoneNames } from '../../zone.js';
import type { XsserverClient } from './client.js';
import { PROVIDER } from './errors.js';
import type { DnsRecordReply } from './schemas.js';

/** Tries of one deletion when the API fails transiently or the index went stale (each re-lists first). */
const DELETE_ATTEMPTS = 3;

const isActive = (status: string) => status.trim().toLowerCase() === 'active';
const sampleIds = (records: readonly DnsRecordReply[]) => `${records.slice(0, 5).map((r) => r.id).join(', ')}${records.length > 5 ? ', ...' : ''}`;

/** 0 or 1 when every listed id is exactly its position (0..n-1 or 1..n); undefined otherwise (database ids, gaps, another order). */
export function positionBase(records: readonly Pick<DnsRecordReply, 'id'>[]): 0 | 1 | undefined {
  if (records.length === 0) return 1;
  const first = Number(records[0]!.id);
  if (first !== 0 && first !== 1) return undefined;
  return records.every((r, i) => Number(r.id) === first + i) ? first : undefined;
}

/**
 * XSServer on the provider kit. The document lists records by `id` but
 * deletes by `@index`, which shifts when a record before it goes. So every
 * change holds the zone's lock, in process and host-wide; a delete is sent
 * only where the listed ids are proven to be the positions (else dns01
 * refuses before writing), one record at a time against a listing taken
 * right before it, and the kit checks that the list afterwards lacks
 * exactly that record (else the zone gets no further deletes).
 */
export function createXsserverProvider(client: XsserverClient, deps: ProviderDeps): DnsProvider {
  const logger = deps.logger;
  const inactive = new Map<string, string>();
  const retryDelayMs = deps.http?.minRetryDelayMs ?? 500;
  const domainId = (zone: Zone) => {
    if (zone.id) return zone.id;
    throw new InvalidInputError(`${PROVIDER}: zone ${zone.name} has no domain id; get zones from findZone`);
  };
  const read = (r: DnsRecordReply, zone: Zone) => ({ name: listedName(r.name, zone.name, 'either'), type: r.type, data: r.content, id: r.id });
  async function list(zone: Zone): Promise<readonly DnsRecordReply[]> {
    const records = await client.listRecords(domainId(zone));
    const base = positionBase(records);
    if (records.length > 0) deps.observe?.('ids', base === undefined ? `the ids are not the positions (ids ${sampleIds(records)})` : `the ids are the positions, from ${base}`, base !== undefined);
    return records;
  }

  const idsNotPositions = (zone: Zone, records: readonly DnsRecordReply[], consequence: string) =>
    new ProviderApiError(PROVIDER, 'deleteDnsRecord', `the record ids of ${zone.name} are not their positions in the list (ids ${sampleIds(records)}), but DELETE takes an index; dns01 cannot prove which record an index would hit, so ${consequence}`, {
      hint: 'Report this to the dns01 maintainers with the record list (DNS01_LOG_LEVEL=debug); remove the record by hand in the XSServer client area',
    });

  const wire: Wire<DnsRecordReply> = {
    name: PROVIDER,
    actions: { add: 'createDnsRecord', remove: 'deleteDnsRecord' },
    exclusive: { reads: true, hostWide: client.account },
    checksChanges: true,
    unknownOutcome: { add: 'resend' },
    zones: {
      async confirm(candidate) {
        const entries = (await client.domainsByName(candidate)).filter((d) => listedName(d.name, '', 'absolute') === candidate);
        const active = entries.filter((d) => isActive(d.status));
        if (active.length > 1) logger.warn(`${candidate} has ${active.length} active entries; using domain id ${active[0]!.id}`);
        if (active[0]) return { name: candidate, id: active[0].id };
        if (entries.length > 0) inactive.set(candidate, `${candidate} (${entries.map((d) => d.status).join(', ')})`);
        return undefined;
      },
      async find(fqdn, locate) {
        try {
          return await locate(fqdn);
        } catch (error) {
          const found = zoneCandidates(normalizeFqdn(fqdn)).flatMap((c) => inactive.get(c) ?? []);
          if (!(error instanceof ZoneNotFoundError) || found.length === 0) throw error;
          throw new ZoneNotFoundError(`${PROVIDER}: no active domain holds ${normalizeFqdn(fqdn)}; found only ${found.join(', ')}`, {
            hint: 'Renew or reactivate the domain in the XSServer client area; DNS changes need an Active domain',
          });
        }
      },
    },
    list,
    read,
    async add(zone, [t], listed) {
      if (positionBase(listed!) === undefined) throw idsNotPositions(zone, listed!, `it adds nothing (it could not delete the record afterwards): ${t!.name} TXT "${t!.value}" was not created`);
      await client.createRecord(domainId(zone), { name: t!.relative, type: 'TXT', priority: '0', content: t!.value });
      // The reply carries no id: the record must show up in a fresh list.
      return 'unconfirmed';
    },
    async verifyAdd(zone, target, listed) {
      // Only an empty zone hides the id reading before the first create; say at once what cannot be undone.
      if (listed && positionBase(listed) === undefined) throw idsNotPositions(zone, listed, `it cannot delete what it added: TXT ${target.name} "${target.value}" is left behind`);
    },
    /** One record (the first match) at a time, by its index in the listing taken right before. */
    async remove(zone, [target], { listed, attempt }) {
      const before = listed ?? (await list(zone));
      if (positionBase(before) === undefined) throw idsNotPositions(zone, before, `it deleted nothing: TXT ${read(target!, zone).name} "${unquoteTxt(target!.content)}" is left behind`);
      let failure: unknown;
      const outcome = await client.deleteRecord(domainId(zone), target!.id).catch((error: unknown) => {
        if (!isOutcomeUnknown(error)) throw error;
        failure = error;
        return 'failed' as const;
      });
      const after = await list(zone);
      const raw = (r: DnsRecordReply) => `${r.type} ${r.name} ${r.content}`;
      // 404: no record at that index, so this request deleted nothing; whatever vanished, another client removed.
      // After a failure anything that vanished counts as this delete's doing: the kit checks it was exactly the target.
      if (outcome === 'deleted' || (outcome === 'failed' && missingFrom(before.map(raw), after.map(raw)).length > 0)) return { removed: [target!], listed: after };
      // Nothing deleted by us: the API failed or the index was already stale. Wait, re-list, try again, bounded.
      if (attempt >= DELETE_ATTEMPTS) {
        throw failure ?? new ProviderApiError(PROVIDER, 'deleteDnsRecord', `index ${target!.id} of ${zone.name} kept changing; nothing was deleted`, { transient: true, hint: 'Another client is editing the zone; try again later' });
      }
      logger.debug(`deleteDnsRecord: nothing deleted (${outcome}); re-listing and trying again`);
      await new Promise((r) => setTimeout(r, retryDelayMs * attempt));
      return { removed: [], listed: await list(zone) };
    },
    // A name no account holds: how the API answers a refusal (its error status, or HTTP 200 with an error body).
    probeReadings: async () => void (await client.domainsByName(PROBE_DOMAIN)),
    listZones: async () => zoneNames((await client.listDomains()).filter((d) => isActive(d.status)).map((d) => d.name), logger, PROVIDER),
  };
  return createProvider(wire, deps);
}
