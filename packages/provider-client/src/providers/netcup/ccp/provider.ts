import type { DnsProvider, ProviderDeps, Zone } from '../../../contract.js';
import { isOutcomeUnknown, ProviderApiError, ZoneNotFoundError, type Dns01Error } from '../../../errors.js';
import { createProvider, type Wire } from '../../../kit/index.js';
import { listedName, normalizeFqdn, zoneCandidates } from '../../../names.js';
import { PROBE_DOMAIN } from '../../../readings.js';
import type { NetcupClient } from './client.js';
import { CLOUDDNS_HINT, NetcupDomainNameRefused, NetcupRateLimitError, NetcupSessionRejectedError } from './errors.js';
import type { NetcupRecord } from './schemas.js';

/** How long the records a run created are remembered for its cleanup. */
const PLACED_TTL_MS = 3600_000;
const SAME_ACCOUNT_HINT = 'Check that the domain and NETCUP_REST_API_KEY belong to this customer number';

const zoneRefused = (error: unknown) => error instanceof ZoneNotFoundError;

/** Orders record ids oldest first: numerically where both are numbers (netcup's are), else as text. */
function compareIds(a: NetcupRecord, b: NetcupRecord): number {
  if (/^\d+$/.test(a.id) && /^\d+$/.test(b.id)) return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The records netcup lists as live (a record flagged for deletion is not). */
const live = (records: readonly NetcupRecord[]) => records.filter((r) => r.deleterecord !== true);

/**
 * The CCP API backend on the provider kit: netcup's ids are stable and one
 * updateDnsRecords carries many changes, so the changes that arrive together
 * for a zone go out as one call, the add without a listing first (its reply
 * lists the zone), and a cleanup deletes by the records the append listed.
 * "Is it there yet?" then a change is read-modify-write: one batch at a
 * time per zone. `restConfigured`: the REST API was asked first and did
 * not know the domain either.
 */
export function createCcpProvider(client: NetcupClient, deps: ProviderDeps, options: { restConfigured?: boolean } = {}): DnsProvider {
  // The hook processes of a run (a run cache) take the apex the DNS names
  // without asking infoDnsZone: their first write there proves it, since
  // netcup refuses a change to a domain the account does not hold (5028).
  const unconfirmed = new Set<string>();
  async function dnsApex(fqdn: string): Promise<Zone | undefined> {
    if (!deps.runCache || !deps.findApex) return undefined;
    const name = normalizeFqdn(fqdn);
    const apex = await deps.findApex(name).catch(() => undefined);
    if (apex === undefined || apex.startsWith('_') || !zoneCandidates(name).includes(apex)) return undefined;
    unconfirmed.add(apex);
    return { name: apex };
  }
  /** A refusal of the zone while its apex is unproven: the DNS named a zone this account does not hold. */
  const proving = async <T>(zone: Zone, name: string | undefined, refusal: (error: unknown) => boolean, call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call();
      unconfirmed.delete(zone.name);
      return result;
    } catch (error) {
      if (!unconfirmed.has(zone.name) || !refusal(error)) throw error;
      // The API's own message (in the cause) says the same at length.
      const code = /\((\d{4})[:)]/.exec((error as Dns01Error).message)?.[1];
      deps.logger.debug(`the DNS names ${zone.name} as the zone of ${name ?? 'the name'}; the API says: ${(error as Dns01Error).message}`);
      throw new ZoneNotFoundError(`netcup: ${zone.name} is not in this account${code ? ` (${code})` : ''}`, {
        hint: options.restConfigured ? SAME_ACCOUNT_HINT : CLOUDDNS_HINT,
        cause: error,
      });
    }
  };
  const confirm = async (candidate: string): Promise<Zone | undefined> => {
    try {
      return (await client.infoDnsZone(candidate)) ? { name: candidate } : undefined;
    } catch (error) {
      // Only the validation error on domainname means "not this zone"; any other 4013 may be the
      // rate limit, and the walk must not go on sending during a lockout.
      if (!(error instanceof NetcupDomainNameRefused)) throw error;
      deps.observe?.('unknownDomain', 'error 4013 on domainname', true);
      return undefined;
    }
  };
  const remove = async (zone: Zone, records: readonly NetcupRecord[]) => {
    const changes = records.map((r) => ({ id: r.id, hostname: r.hostname, type: r.type, destination: r.destination, deleterecord: true as const }));
    const after = live((await client.updateDnsRecords(zone.name, changes)) ?? (await client.infoDnsRecords(zone.name)));
    const kept = records.filter((d) => after.some((r) => r.id === d.id));
    if (kept.length > 0) {
      throw new ProviderApiError('netcup', 'updateDnsRecords', `accepted the deletion but still lists ${kept.length} of the TXT record(s) in ${zone.name}`, {
        hint: 'Check the zone in the CCP and remove the challenge record there if it stays',
      });
    }
    return after;
  };

  const wire: Wire<NetcupRecord> = {
    name: 'netcup',
    actions: { add: 'updateDnsRecords', remove: 'updateDnsRecords' },
    unknownOutcome: { add: 'resend', remove: 'resend' },
    // Rate limit and a rejected session: netcup certainly did nothing.
    isUnknown: (e) => isOutcomeUnknown(e) && !(e instanceof NetcupRateLimitError) && !(e instanceof NetcupSessionRejectedError),
    batches: true,
    addsUnlisted: { oldestFirst: compareIds },
    recall: { ttlMs: PLACED_TTL_MS },
    zones: {
      // `_acme-challenge.example.com` and the like can never be a domain of the account.
      skipUnderscore: true,
      confirm,
      async find(fqdn, locate) {
        const fromDns = await dnsApex(fqdn);
        if (fromDns) return fromDns;
        try {
          return await locate(fqdn);
        } catch (error) {
          if (!(error instanceof ZoneNotFoundError)) throw error;
          if (options.restConfigured) throw new ZoneNotFoundError(`${error.message} (REST and CCP API)`, { hint: SAME_ACCOUNT_HINT });
          throw new ZoneNotFoundError(error.message, { hint: CLOUDDNS_HINT });
        }
      },
    },
    list: (zone, name) =>
      proving(
        zone,
        name,
        (e) => e instanceof ZoneNotFoundError || e instanceof NetcupDomainNameRefused,
        async () => live(await client.infoDnsRecords(zone.name)),
      ),
    read: (r, zone) => ({ name: listedName(r.hostname, zone.name, 'relative'), type: r.type, data: r.destination, id: r.id }),
    // Only the changed records are sent; a success reply without the records proves nothing: the kit lists.
    add: (zone, targets) =>
      proving(zone, targets.map((t) => t.name).join(', '), zoneRefused, async () => {
        const after = await client.updateDnsRecords(
          zone.name,
          targets.map((t) => ({ hostname: t.relative, type: 'TXT', destination: t.value })),
        );
        return after ? live(after) : 'unconfirmed';
      }),
    remove: async (zone, records) => ({ removed: records, listed: await proving(zone, undefined, zoneRefused, () => remove(zone, records)) }),
    // A name no account holds: how the zone walk hears "not this zone" (5028, or 4013 on domainname).
    probeReadings: async () => void (await confirm(PROBE_DOMAIN)),
    close: () => client.logout(),
  };
  return createProvider(wire, deps);
}
