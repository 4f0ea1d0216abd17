import type { DnsProvider, ProviderDeps, Zone } from '../../contract.js';
import { InvalidInputError } from '../../errors.js';
import { createProvider, type Target, type Wire } from '../../kit/index.js';
import { listedName } from '../../names.js';
import { zoneNames } from '../../zone.js';
import type { SourcedeskClient, SourcedeskRecord } from './client.js';
import { PROVIDER } from './errors.js';

/**
 * The TTL asked for first. The document names no minimum; 300 is what DNS
 * hosts most commonly accept as their lowest, and short enough that a stale
 * answer does not outlive a challenge.
 */
export const CHALLENGE_TTL = 300;
/** Tried in turn when the API refuses a TTL and its reason names no minimum. */
const FALLBACK_TTLS = [600, 3600];
const MAX_TTL = 86_400;
/** A refusal reason that names a cause other than the TTL: other TTLs would be refused the same way. */
const OTHER_CAUSE = /content|value|name|type|priority|length|long|character|quot|domain|zone/i;

/**
 * The next TTL to try after a refusal: the lowest number above the refused
 * TTL that a reason mentioning "TTL" names (e.g. "TTL must be at least 300"),
 * else the next fallback step when the reason names no cause at all (the
 * API's bare "invalid record data" may be about the TTL); undefined when the
 * reason is about something else or nothing is left to try.
 */
export function nextTtl(refused: number, reason: string): number | undefined {
  if (/ttl/i.test(reason)) {
    const named = [...reason.matchAll(/\d+/g)].map((m) => Number(m[0])).filter((n) => n > refused && n <= MAX_TTL);
    if (named.length > 0) return Math.min(...named);
  } else if (OTHER_CAUSE.test(reason.replace(/invalid record data/i, ''))) {
    return undefined;
  }
  return FALLBACK_TTLS.find((t) => t > refused);
}

/**
 * sourceDESK on the provider kit: dns/show, then dns/add or dns/delete by
 * id, one change at a time per zone (read-modify-write). dns/add returns no
 * id and is never sent twice: after an unknown outcome the kit looks and
 * reports. Names are written relative, "" for the apex.
 */
export function createSourcedeskProvider(client: SourcedeskClient, deps: ProviderDeps): DnsProvider {
  const log = deps.logger;
  // The first TTL each zone accepted in this run: later records start there instead of probing again.
  const acceptedTtl = new Map<string, number>();

  /** dns/add from the zone's accepted TTL; a refusal about the TTL (or about nothing named) is tried with a higher one. */
  async function add(zone: Zone, target: Target): Promise<void> {
    const tried: number[] = [];
    const preferredTtl = acceptedTtl.get(zone.name) ?? CHALLENGE_TTL;
    for (let ttl: number | undefined = preferredTtl; ttl !== undefined; ) {
      tried.push(ttl);
      const outcome = await client.addRecord(zone.name, { name: target.relative, type: 'TXT', content: target.value, ttl, priority: 0 });
      if (outcome.added) {
        if (!acceptedTtl.has(zone.name)) {
          deps.observe?.('minTtl', `accepts TTL ${ttl}${tried.length > 1 ? ` (refused ${tried.slice(0, -1).join(', ')})` : ''}`, true);
          if (ttl !== preferredTtl) log.debug(`sourceDESK accepted TTL ${ttl} for ${zone.name}: using it there from now on`);
          acceptedTtl.set(zone.name, ttl);
        }
        return;
      }
      const next = nextTtl(ttl, outcome.reason);
      if (next === undefined) {
        throw new InvalidInputError(
          `sourcedesk dns/add: the TXT record at ${target.name} was refused as invalid (code 805: ${outcome.reason || 'no reason given'}; TTLs tried: ${tried.join(', ')})`,
          { hint: 'Check the name and the value (ACME challenge values are 43 characters of base64url)' },
        );
      }
      log.debug(`dns/add refused TTL ${ttl} (${outcome.reason || 'code 805'}); falling back to TTL ${next}`);
      ttl = next;
    }
  }

  const wire: Wire<SourcedeskRecord> = {
    name: PROVIDER,
    apex: '',
    actions: { add: 'dns/add', remove: 'dns/delete' },
    zones: {
      // The filter is a wildcard match: only an exact name confirms.
      confirm: async (candidate) => ((await client.listZones(candidate)).some((z) => listedName(z, candidate, 'absolute') === candidate) ? { name: candidate } : undefined),
      hint: 'Check that the domain is in this sourceDESK account and uses the sourceDESK nameservers (dns/list only shows such zones)',
    },
    list: (zone) => client.showZone(zone.name),
    read: (r, zone) => ({ name: listedName(r.name, zone.name, 'either'), type: r.type, data: r.content, id: r.id }),
    add: async (zone, [target]) => add(zone, target!),
    async remove(zone, records) {
      const removed: SourcedeskRecord[] = [];
      for (const record of records) {
        if ((await client.deleteRecord(zone.name, record.id)) === 'deleted') removed.push(record);
        else log.debug(`record ${record.id} in ${zone.name} was already gone (code 806)`);
      }
      return { removed };
    },
    listZones: async () => zoneNames(await client.listZones(), log, PROVIDER),
  };
  return createProvider(wire, deps);
}
