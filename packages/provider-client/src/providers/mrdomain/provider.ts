import type { DnsProvider, ProviderDeps, TxtRecord, Zone } from '../../contract.js';
import { ZoneNotFoundError } from '../../errors.js';
import { createProvider, type Wire } from '../../kit/index.js';
import { listedName } from '../../names.js';
import { PROBE_DOMAIN } from '../../readings.js';
import { zoneNames } from '../../zone.js';
import type { MrDomainClient } from './client.js';
import { PROVIDER_LABEL } from './errors.js';
import type { DnsEntry } from './schemas.js';

/**
 * MrDomain on the provider kit. Per challenge it makes the fewest calls the
 * API allows (MrDomain blocks accounts that send many): one service/getinfo
 * to confirm the zone (once per process, the DNS apex hint first), one
 * service/dnslist, then one service/dnscreate or service/dnsdelete per
 * record; a create of unknown outcome is looked for once, never resent.
 *
 * What dnslist's `filter` is matched against is not documented (a substring
 * of the absolute name, the whole name, the relative name, ...), and under a
 * wrong guess a live record looks gone. So the list is narrowed by
 * `filterType=TXT` only, which every reading honours, and the kit matches
 * names exactly: "already gone" is said only by a list no name filter narrowed.
 */
export function createMrDomainProvider(client: MrDomainClient, deps: ProviderDeps): DnsProvider {
  const log = deps.logger;
  const serviceOf = (zone: Zone): string => zone.id ?? zone.name;
  const nameOf = (entry: DnsEntry) => listedName(entry.name, '', 'absolute');

  /**
   * What dnslist's `filter` is matched against: one list filtered by the
   * absolute name of a TXT record the zone holds (a name below the apex
   * where there is one, so the relative reading shows too).
   */
  async function probeFilter(zone: Zone, txt: readonly TxtRecord[], sample: TxtRecord): Promise<void> {
    const filtered = await client.listDns(serviceOf(zone), { type: 'TXT', name: sample.name });
    const names = new Set(filtered.map(nameOf));
    let seen = 'the absolute name, whole or in part';
    if (!names.has(sample.name)) seen = `not the absolute name: a list filtered by ${sample.name} does not show it`;
    else if (filtered.length >= txt.length && new Set(txt.map((r) => r.name)).size > 1) seen = 'nothing: the filter is ignored';
    else if ([...names].some((n) => n !== sample.name)) seen = 'a part of the absolute name';
    // dns01 narrows its lists by type only and matches names itself, so every reading is handled.
    deps.observe?.('filter', seen, true);
  }

  const wire: Wire<DnsEntry> = {
    name: 'mrdomain',
    label: PROVIDER_LABEL,
    actions: { add: 'service/dnscreate', remove: 'service/dnsdelete' },
    // List-then-create and list-then-delete must not interleave for one name: two appends of one value would both create.
    exclusive: { per: 'name' },
    zones: {
      // `_acme-challenge.example.com` and the like are never services; asking only invites 105/2001 replies.
      skipUnderscore: true,
      hint: 'Check that the domain is a service in this MrDomain account (its DNS managed by MrDomain)',
      async confirm(candidate) {
        const service = await client.findService(candidate);
        if (!service.found) return undefined;
        if (service.status !== undefined && service.status.trim().toLowerCase() !== 'active') {
          throw new ZoneNotFoundError(`${PROVIDER_LABEL}: the service ${candidate} is not active (status "${service.status}"); its DNS cannot be changed`, {
            hint: 'Renew or reactivate the domain in the MrDomain control panel, then try again',
          });
        }
        if (service.status === undefined) log.debug(`service/getinfo reported no status for ${candidate}; taking it as active`);
        return { name: candidate, id: service.name };
      },
    },
    list: (zone) => client.listDns(serviceOf(zone), { type: 'TXT' }),
    read: (entry) => ({ name: nameOf(entry), type: entry.type, data: entry.value, id: entry.entityID }),
    // Names are written absolute. A reply without the created entry proves nothing: the kit looks once.
    add: async (zone, [target]) =>
      (await client.createDns(serviceOf(zone), { name: target!.name, type: 'TXT', value: target!.value })) ? undefined : 'unconfirmed',
    async remove(zone, records) {
      const removed: DnsEntry[] = [];
      for (const record of records) if ((await client.deleteDns(serviceOf(zone), record.entityID)) === 'deleted') removed.push(record);
      return { removed };
    },
    async probeReadings(zone, txt) {
      if (!deps.observe) return;
      const sample = txt.find((r) => r.name !== zone.name) ?? txt[0];
      if (sample) await probeFilter(zone, txt, sample);
      // A name no account holds: which error the API gives for a name that is no service.
      await client.findService(PROBE_DOMAIN);
    },
    listZones: async () => zoneNames(await client.listServices(), log, PROVIDER_LABEL),
  };
  return createProvider(wire, deps);
}
