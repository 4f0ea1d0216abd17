import type { DnsProvider, ProviderDeps, Zone } from '../../contract.js';
import { InvalidInputError, ProviderApiError, ZoneNotFoundError } from '../../errors.js';
import { createProvider, type Wire } from '../../kit/index.js';
import { listedName, normalizeFqdn, zoneCandidates } from '../../names.js';
import { PROBE_DOMAIN } from '../../readings.js';
import { zoneNames } from '../../zone.js';
import { Slots } from './aim.js';
import type { XsserverClient } from './client.js';
import { createDeleter } from './deletes.js';
import { PROVIDER } from './errors.js';
import type { DnsRecordReply } from './schemas.js';

const isActive = (status: string) => status.trim().toLowerCase() === 'active';
const sampleIds = (records: readonly DnsRecordReply[]) =>
  `${records
    .slice(0, 5)
    .map((r) => r.id ?? '?')
    .join(', ')}${records.length > 5 ? ', ...' : ''}`;

/**
 * XSServer (HostBill's client API) on the provider kit. The list shows
 * records in slots with ids that may be positions or database ids, and what
 * `DELETE /domain/@id/dns/<number>` takes is not documented: deletes.ts
 * aims every DELETE so that under each reading still possible it hits only
 * dns01's own record or nothing, and learns the reading from what vanished.
 * Every change holds the zone's lock, in process and host-wide, and the kit
 * checks each add and delete against the listings around it.
 */
export function createXsserverProvider(client: XsserverClient, deps: ProviderDeps): DnsProvider {
  const logger = deps.logger;
  const inactive = new Map<string, string>();
  const domainId = (zone: Zone) => {
    if (zone.id) return zone.id;
    throw new InvalidInputError(`${PROVIDER}: zone ${zone.name} has no domain id; get zones from findZone`);
  };
  const read = (r: DnsRecordReply, zone: Zone) => ({
    name: listedName(r.name, zone.name, 'either'),
    type: r.type,
    data: r.content,
    ...(r.id === undefined ? {} : { id: r.id }),
  });

  async function list(zone: Zone): Promise<readonly DnsRecordReply[]> {
    const { shape, records } = await client.listRecords(domainId(zone));
    const slots = new Slots(records);
    deps.observe?.('listShape', shape === 'array' ? 'a JSON array' : `an object keyed by positions, ${slots.gaps ? 'with gaps' : 'without gaps'}`, true);
    if (records.length > 0) {
      const deletable = deleter.canDeleteAfterAdd(records);
      const ids =
        slots.aligned !== undefined
          ? `the positions, from ${slots.aligned}`
          : `${deletable ? 'database ids, not the positions' : 'database ids no larger than the positions'} (ids ${sampleIds(records)})`;
      deps.observe?.('ids', ids, deletable);
    }
    return records;
  }
  const deleter = createDeleter({ client, deps, list, read, domainId });

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
      if (!deleter.canDeleteAfterAdd(listed!)) {
        throw new ProviderApiError(
          PROVIDER,
          'createDnsRecord',
          `the record ids of ${zone.name} are database ids no larger than the positions in the list (ids ${sampleIds(listed!)}): no DELETE could be aimed at a new record alone under every reading of its number, so dns01 adds nothing: TXT ${t!.name} "${t!.value}" was not created`,
          { hint: 'Report this to the dns01 maintainers with the record list (DNS01_LOG_LEVEL=debug)' },
        );
      }
      await client.createRecord(domainId(zone), { name: t!.relative, type: 'TXT', priority: '0', content: t!.value });
      // The reply carries no id: the record must show up in a fresh list.
      return 'unconfirmed';
    },
    remove: (zone, records, { listed }) => deleter.remove(zone, records, listed),
    // A name no account holds: how the API answers a refusal (its error status, or HTTP 200 with an error body).
    probeReadings: async () => void (await client.domainsByName(PROBE_DOMAIN)),
    listZones: async () =>
      zoneNames(
        (await client.listDomains()).filter((d) => isActive(d.status)).map((d) => d.name),
        logger,
        PROVIDER,
      ),
  };
  return createProvider(wire, deps);
}
