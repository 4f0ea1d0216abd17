import type { DeleteOutcome, DnsProvider, ProviderDeps, TxtRecord, Zone } from '../../contract.js';
import { InvalidInputError, ProviderApiError } from '../../errors.js';
import { isInZone, normalizeFqdn, tryNormalizeFqdn } from '../../names.js';
import { KeyedMutex, locateZone, memoizeZones } from '../../zone.js';
import type { MrDomainClient } from './client.js';
import { PROVIDER_LABEL } from './errors.js';
import { unquoteTxt } from '../../txt.js';

/**
 * The MrDomain DnsProvider. Per challenge it makes the fewest calls the API
 * allows (MrDomain blocks accounts that send many): one service/getinfo to
 * confirm the zone (once per process, the DNS apex hint first), one filtered
 * service/dnslist, then one service/dnscreate or service/dnsdelete per record.
 */
export function createMrDomainProvider(client: MrDomainClient, deps: ProviderDeps): DnsProvider {
  const log = deps.logger;
  // List-then-create and list-then-delete must not interleave for one name:
  // two appends of one value would both create, two deletes would race.
  const mutex = new KeyedMutex();

  const serviceOf = (zone: Zone): string => zone.id ?? zone.name;

  const findZone = memoizeZones((fqdn) =>
    locateZone(fqdn, {
      provider: PROVIDER_LABEL,
      findApex: deps.findApex,
      confirm: async (candidate) => {
        const service = await client.findService(candidate);
        return service === undefined ? undefined : { name: candidate, id: service };
      },
      hint: 'Check that the domain is a service in this MrDomain account (its DNS managed by MrDomain)',
    }),
  );

  function recordName(zone: Zone, name: string): string {
    const fqdn = normalizeFqdn(name);
    if (!isInZone(fqdn, zone.name)) throw new InvalidInputError(`${fqdn} is not inside the MrDomain zone ${zone.name}`);
    return fqdn;
  }

  async function listTxt(zone: Zone, name: string): Promise<TxtRecord[]> {
    const fqdn = recordName(zone, name);
    const entries = await client.listDns(serviceOf(zone), { type: 'TXT', name: fqdn });
    // The server-side filter is a search, not an exact match: keep exact names only.
    return entries
      .filter((e) => e.type.toUpperCase() === 'TXT' && sameName(e.name, fqdn))
      .map((e) => ({ name: fqdn, value: unquoteTxt(e.value), id: e.entityID }));
  }

  async function appendTxt(zone: Zone, name: string, value: string): Promise<void> {
    const fqdn = recordName(zone, name);
    await mutex.run(`${zone.name}|${fqdn}`, async () => {
      if ((await listTxt(zone, fqdn)).some((r) => r.value === value)) {
        log.debug(`TXT ${fqdn} already holds the value; nothing to create`);
        return;
      }
      try {
        await client.createDns(serviceOf(zone), { name: fqdn, type: 'TXT', value });
      } catch (error) {
        // The create may have happened although its reply was lost: look once, never resend blindly.
        if (!(error instanceof ProviderApiError && error.transient)) throw error;
        const present = await listTxt(zone, fqdn).catch(() => []);
        if (!present.some((r) => r.value === value)) throw error;
        log.debug(`TXT ${fqdn}: the create failed in transit but the record exists`);
      }
    });
  }

  async function deleteTxt(zone: Zone, name: string, value: string): Promise<DeleteOutcome> {
    const fqdn = recordName(zone, name);
    return mutex.run(`${zone.name}|${fqdn}`, async () => {
      const matches = (await listTxt(zone, fqdn)).filter((r) => r.value === value);
      let deleted = false;
      for (const record of matches) {
        if ((await client.deleteDns(serviceOf(zone), record.id!)) === 'deleted') deleted = true;
      }
      return deleted ? 'deleted' : 'absent';
    });
  }

  return {
    name: 'mrdomain',
    findZone,
    appendTxt,
    deleteTxt,
    listTxt,
    listZones: async () => (await client.listServices()).map((s) => normalizeFqdn(s)),
    close: async () => {},
  };
}

function sameName(apiName: string, fqdn: string): boolean {
  return tryNormalizeFqdn(apiName) === fqdn;
}
