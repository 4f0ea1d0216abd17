import type { DeleteOutcome, DnsProvider, ProviderDeps, TxtRecord, Zone } from '../../contract.js';
import { InvalidInputError, isOutcomeUnknown, ProviderApiError, ZoneNotFoundError } from '../../errors.js';
import { checkTxtValue, isInZone, normalizeFqdn, tryNormalizeFqdn } from '../../names.js';
import { KeyedMutex, locateZone, memoizeZones, zoneNames } from '../../zone.js';
import type { MrDomainClient } from './client.js';
import { PROVIDER_LABEL } from './errors.js';
import { unquoteTxt } from '../../txt.js';
import { observeQuoting, PROBE_DOMAIN } from '../../readings.js';

/**
 * The MrDomain DnsProvider. Per challenge it makes the fewest calls the API
 * allows (MrDomain blocks accounts that send many): one service/getinfo to
 * confirm the zone (once per process, the DNS apex hint first), one filtered
 * service/dnslist, then one service/dnscreate or service/dnsdelete per record.
 *
 * What dnslist's `filter` is matched against is not documented (a substring
 * of the absolute name, the whole name, the relative name, ...), and under a
 * wrong guess a live record looks gone. So the list is narrowed by
 * `filterType=TXT` only, which every reading honours, and names are matched
 * exactly here: "already gone" is said only by a list no name filter narrowed.
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
        // `_acme-challenge.example.com` and the like are never services; asking only invites 105/2001 replies.
        if (candidate.startsWith('_')) return undefined;
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
      hint: 'Check that the domain is a service in this MrDomain account (its DNS managed by MrDomain)',
    }),
  );

  function recordName(zone: Zone, name: string): string {
    const fqdn = normalizeFqdn(name);
    if (!isInZone(fqdn, zone.name)) throw new InvalidInputError(`${fqdn} is not inside the MrDomain zone ${zone.name}`);
    return fqdn;
  }

  /** Every TXT record of the zone: one dnslist narrowed by type only. */
  async function listZoneTxt(zone: Zone): Promise<TxtRecord[]> {
    const entries = (await client.listDns(serviceOf(zone), { type: 'TXT' })).filter((e) => e.type.toUpperCase() === 'TXT');
    observeQuoting(deps.observe, entries.map((e) => ({ raw: e.value, value: unquoteTxt(e.value) })));
    return entries.map((e) => ({ name: tryNormalizeFqdn(e.name) ?? e.name.toLowerCase(), value: unquoteTxt(e.value), id: e.entityID }));
  }

  /**
   * What dnslist's `filter` is matched against: one list filtered by the
   * absolute name of a TXT record the zone holds (a name below the apex
   * where there is one, so the relative reading shows too).
   */
  async function probeReadings(zone: Zone, txt: readonly TxtRecord[]): Promise<void> {
    if (!deps.observe) return;
    const sample = txt.find((r) => r.name !== zone.name) ?? txt[0];
    if (sample) await probeFilter(zone, txt, sample);
    // A name no account holds: which error the API gives for a name that is no service.
    await client.findService(PROBE_DOMAIN);
  }

  async function probeFilter(zone: Zone, txt: readonly TxtRecord[], sample: TxtRecord): Promise<void> {
    const filtered = await client.listDns(serviceOf(zone), { type: 'TXT', name: sample.name });
    const names = new Set(filtered.map((e) => tryNormalizeFqdn(e.name)));
    let seen = 'the absolute name, whole or in part';
    if (!names.has(sample.name)) seen = `not the absolute name: a list filtered by ${sample.name} does not show it`;
    else if (filtered.length >= txt.length && new Set(txt.map((r) => r.name)).size > 1) seen = 'nothing: the filter is ignored';
    else if ([...names].some((n) => n !== sample.name)) seen = 'a part of the absolute name';
    // dns01 narrows its lists by type only and matches names itself, so every reading is handled.
    deps.observe?.('filter', seen, true);
  }

  /** The TXT records at exactly `name`, from the zone's TXT list. */
  async function listTxt(zone: Zone, name: string): Promise<TxtRecord[]> {
    const fqdn = recordName(zone, name);
    const entries = await client.listDns(serviceOf(zone), { type: 'TXT' });
    return entries
      .filter((e) => e.type.toUpperCase() === 'TXT' && sameName(e.name, fqdn))
      .map((e) => ({ name: fqdn, value: unquoteTxt(e.value), id: e.entityID }));
  }

  const holds = async (zone: Zone, fqdn: string, value: string) => (await listTxt(zone, fqdn)).some((r) => r.value === value);

  async function appendTxt(zone: Zone, name: string, value: string): Promise<void> {
    const fqdn = recordName(zone, name);
    checkTxtValue(value);
    await mutex.run(`${zone.name}|${fqdn}`, async () => {
      if ((await listTxt(zone, fqdn)).some((r) => r.value === value)) {
        log.debug(`TXT ${fqdn} already holds the value; nothing to create`);
        return;
      }
      try {
        const created = await client.createDns(serviceOf(zone), { name: fqdn, type: 'TXT', value });
        // A reply without the created entry is no failure, but it proves nothing either: look once.
        if (!created && !(await holds(zone, fqdn, value))) {
          throw new ProviderApiError(PROVIDER_LABEL, 'service/dnscreate', `reported success but TXT ${fqdn} "${value}" is not in the record list`, {
            hint: 'Check the zone in the MrDomain control panel and try again',
          });
        }
      } catch (error) {
        // The create may have happened although its reply was lost: look once, never resend blindly.
        if (!isOutcomeUnknown(error)) throw error;
        const present = await listTxt(zone, fqdn).catch(() => []);
        if (!present.some((r) => r.value === value)) throw error;
        log.debug(`TXT ${fqdn}: the create's reply was lost or unreadable, but the record exists`);
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
    listZoneTxt,
    probeReadings,
    listZones: async () => zoneNames(await client.listServices(), log, PROVIDER_LABEL),
    close: async () => {},
  };
}

function sameName(apiName: string, fqdn: string): boolean {
  return tryNormalizeFqdn(apiName) === fqdn;
}
