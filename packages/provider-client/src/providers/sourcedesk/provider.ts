import type { DnsProvider, ProviderDeps, TxtRecord, Zone } from '../../contract.js';
import { unquoteTxt } from '../../txt.js';
import { observeQuoting } from '../../readings.js';
import { InvalidInputError, isOutcomeUnknown } from '../../errors.js';
import { checkTxtValue, normalizeFqdn, toRelative, tryNormalizeFqdn, tryToAbsolute } from '../../names.js';
import { KeyedMutex, locateZone, memoizeZones, zoneNames } from '../../zone.js';
import type { SourcedeskClient, SourcedeskRecord } from './client.js';

/**
 * The TTL asked for first. The document names no minimum; 300 is what DNS
 * hosts most commonly accept as their lowest, and short enough that a stale
 * answer does not outlive a challenge.
 */
export const CHALLENGE_TTL = 300;
/** Tried in turn when the API refuses a TTL and its reason names no minimum. */
const FALLBACK_TTLS = [600, 3600];
const MAX_TTL = 86_400;

const ZONE_HINT =
  'Check that the domain is in this sourceDESK account and uses the sourceDESK nameservers (dns/list only shows such zones)';

/** The normalised name, checked to lie inside the zone (InvalidInputError otherwise). */
function nameInZone(name: string, zone: Zone): string {
  const fqdn = normalizeFqdn(name);
  toRelative(fqdn, zone.name);
  return fqdn;
}


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

export function createSourcedeskProvider(client: SourcedeskClient, deps: ProviderDeps): DnsProvider {
  const log = deps.logger;
  // dns/show then dns/add (or dns/delete) is read-modify-write: one change at a time per zone.
  const mutex = new KeyedMutex();
  // The first TTL each zone accepted in this run: later records start there instead of probing again.
  const acceptedTtl = new Map<string, number>();

  const findZone = memoizeZones((fqdn) =>
    locateZone(fqdn, {
      provider: 'sourcedesk',
      findApex: deps.findApex,
      hint: ZONE_HINT,
      confirm: async (candidate) => {
        // The filter is a wildcard match: only an exact name confirms.
        const zones = await client.listZones(candidate);
        return zones.some((z) => tryNormalizeFqdn(z) === candidate) ? { name: candidate } : undefined;
      },
    }),
  );

  const txtAt = (records: SourcedeskRecord[], zone: string, fqdn: string) =>
    records.filter((r) => r.type.toUpperCase() === 'TXT' && tryToAbsolute(r.name, zone) === fqdn);

  async function holds(zone: Zone, fqdn: string, value: string): Promise<boolean> {
    return txtAt(await client.showZone(zone.name), zone.name, fqdn).some((r) => unquoteTxt(r.content) === value);
  }

  async function add(zone: Zone, fqdn: string, value: string): Promise<void> {
    const name = toRelative(fqdn, zone.name);
    const tried: number[] = [];
    const preferredTtl = acceptedTtl.get(zone.name) ?? CHALLENGE_TTL;
    let ttl = preferredTtl;
    for (;;) {
      tried.push(ttl);
      let outcome;
      try {
        outcome = await client.addRecord(zone.name, { name, type: 'TXT', content: value, ttl, priority: 0 });
      } catch (error) {
        // The add may have happened before the failure (a timeout, a 5xx): look before failing.
        if (isOutcomeUnknown(error) && (await holds(zone, fqdn, value).catch(() => false))) {
          log.debug(`dns/add failed, but the record for ${fqdn} is in place`);
          return;
        }
        throw error;
      }
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
          `sourcedesk dns/add: the TXT record at ${fqdn} was refused as invalid (code 805: ${outcome.reason || 'no reason given'}; TTLs tried: ${tried.join(', ')})`,
          { hint: 'Check the name and the value (ACME challenge values are 43 characters of base64url)' },
        );
      }
      log.debug(`dns/add refused TTL ${ttl} (${outcome.reason || 'code 805'}); falling back to TTL ${next}`);
      ttl = next;
    }
  }

  return {
    name: 'sourcedesk',
    findZone,

    async appendTxt(zone, name, value) {
      const fqdn = nameInZone(name, zone);
      checkTxtValue(value);
      await mutex.run(zone.name, async () => {
        if (await holds(zone, fqdn, value)) {
          log.debug(`TXT ${fqdn} already holds the value; not adding it again`);
          return;
        }
        await add(zone, fqdn, value);
        log.debug(`added TXT ${fqdn}`);
      });
    },

    async deleteTxt(zone, name, value) {
      const fqdn = nameInZone(name, zone);
      return mutex.run(zone.name, async () => {
        const matches = txtAt(await client.showZone(zone.name), zone.name, fqdn).filter((r) => unquoteTxt(r.content) === value);
        let deleted = false;
        for (const record of matches) {
          if ((await client.deleteRecord(zone.name, record.id)) === 'deleted') deleted = true;
          else log.debug(`record ${record.id} at ${fqdn} was already gone (code 806)`);
        }
        return deleted ? 'deleted' : 'absent';
      });
    },

    async listTxt(zone, name): Promise<TxtRecord[]> {
      const fqdn = nameInZone(name, zone);
      return txtAt(await client.showZone(zone.name), zone.name, fqdn).map((r) => ({ name: fqdn, value: unquoteTxt(r.content), id: r.id }));
    },

    async listZoneTxt(zone): Promise<TxtRecord[]> {
      const txt = (await client.showZone(zone.name)).filter((r) => r.type.toUpperCase() === 'TXT');
      observeQuoting(deps.observe, txt.map((r) => ({ raw: r.content, value: unquoteTxt(r.content) })));
      return txt.map((r) => ({ name: tryToAbsolute(r.name, zone.name) ?? r.name.toLowerCase(), value: unquoteTxt(r.content), id: r.id }));
    },

    async listZones() {
      return zoneNames(await client.listZones(), log, 'sourcedesk');
    },

    async close() {},
  };
}
