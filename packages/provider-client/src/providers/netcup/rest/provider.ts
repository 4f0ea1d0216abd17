import type { DnsProvider, ProviderDeps, Zone } from '../../../contract.js';
import { createProvider, type Target, type Wire } from '../../../kit/index.js';
import { CHALLENGE_LABEL, listedName, toRelative } from '../../../names.js';
import { quoteTxt, unquoteTxt } from '../../../txt.js';
import { CCP_ZONE_ID, restDomainId, restZoneId } from '../router.js';
import type { NetcupRestClient } from './client.js';
import { addNotListed, notAcmeValue, notChallengeName, notRestZone, PROVIDER, secondValueRefused, valueReplaced } from './errors.js';
import type { RestRecord } from './schemas.js';

/** What the ACME challenge endpoints accept: a dns-01 digest, 43 characters of base64url. */
export const ACME_VALUE = /^[A-Za-z0-9_-]{43}$/;
/** TTL for records created through the general endpoint (the ACME endpoints set their own). */
const GENERAL_TTL = 300;
/** How long a domain seen replacing values is remembered (run cache). */
const REPLACING_REMEMBERED_MS = 30 * 24 * 3600_000;

/** The scope of a challenge name (relative to the zone): the labels after `_acme-challenge.`, `@` for `_acme-challenge` itself; undefined for other names. */
const scopeOf = (relative: string) =>
  relative === CHALLENGE_LABEL ? '@' : relative.startsWith(`${CHALLENGE_LABEL}.`) ? relative.slice(CHALLENGE_LABEL.length + 1) : undefined;
export const challengeScope = (fqdn: string, zone: string) => scopeOf(toRelative(fqdn, zone));

/** A challenge value on a scope (the ACME endpoints), or a general record (the changeset endpoint). */
type Challenge = { scope: string; value: string };
type RestEntry = Challenge | RestRecord;
const challengeOf = ({ scope, value }: Challenge) => ({ scope, value });
const without = (list: readonly Challenge[] = [], scope: string, value: string) => list.filter((c) => c.scope !== scope || c.value !== value);
const isChallenge = (e: RestEntry): e is Challenge => 'scope' in e;
const valuesOn = (entries: readonly RestEntry[], scope: string) => entries.flatMap((e) => (isChallenge(e) && e.scope === scope ? [e.value] : []));

/**
 * netcup's REST API (CloudDNS) on the provider kit. Challenge names go through the ACME challenge
 * endpoints: the domain's challenges listed once per process (kept current by this process's writes
 * and every fresh listing), added by (scope, value), deleted by the exact value without a listing.
 * An add beside a value already on the scope is checked; an API seen replacing values (apex and
 * wildcard share a scope) is remembered, and no second value is added there again. Other names only
 * through the changeset endpoint, when switched on, which the kit checks before and after; TXT rdata
 * goes there in presentation format (in double quotes), which the API requires.
 */
export function createRestProvider(client: NetcupRestClient, deps: ProviderDeps, options: { changeset: boolean }): DnsProvider {
  const known = new Map<number, Challenge[]>();
  const before = new Map<string, string[]>();
  const replacing = new Set<number>();
  const idOf = (zone: Zone) => {
    const id = restDomainId(zone);
    if (id === undefined) throw notRestZone(zone.name);
    return id;
  };
  const challenges = async (id: number, fresh = false) => {
    if (fresh || !known.has(id)) known.set(id, (await client.listChallenges(id)).map(challengeOf));
    return known.get(id)!;
  };
  const general = (fqdn: string, zone: string) => {
    if (options.changeset) return;
    throw notChallengeName(fqdn, zone);
  };
  const pending = (id: number, t: Target) => `${id} ${t.name} ${t.value}`;

  const wire: Wire<RestEntry> = {
    name: PROVIDER,
    actions: { add: 'REST challenge add', remove: 'REST challenge delete' },
    unknownOutcome: { add: 'resend', remove: 'report' },
    checksChanges: (t) => scopeOf(t.relative) === undefined,
    zones: {
      // The first label of a challenge name is never a domain; a domain not on CloudDNS goes to the CCP API.
      skipUnderscore: true,
      confirm: async (candidate) => {
        const domain = await client.findDomain(candidate);
        return domain && { name: candidate, id: domain.isDnsManaged ? restZoneId(domain) : CCP_ZONE_ID };
      },
      hint: 'Check that the domain is in the netcup account NETCUP_REST_API_KEY belongs to',
    },
    async list(zone, name, { fresh } = {}) {
      const id = idOf(zone);
      const scope = name === undefined ? undefined : challengeScope(name, zone.name);
      if (scope !== undefined) return (await challenges(id, fresh)).filter((c) => c.scope === scope);
      if (name !== undefined) general(name, zone.name);
      const records = options.changeset ? await client.listRecords(id) : [];
      if (name !== undefined) return records;
      return [...(await challenges(id, true)), ...records.filter((r) => scopeOf(r.name) === undefined)];
    },
    read: (e, zone) =>
      isChallenge(e)
        ? { name: listedName(e.scope === '@' ? CHALLENGE_LABEL : `${CHALLENGE_LABEL}.${e.scope}`, zone.name, 'relative'), type: 'TXT', data: e.value }
        : { name: listedName(e.name, zone.name, 'relative'), type: e.type, data: e.rdata, id: e.identifier },
    checkTarget(zone, t) {
      if (scopeOf(t.relative) === undefined) return general(t.name, zone.name);
      if (ACME_VALUE.test(t.value)) return;
      throw notAcmeValue(t.value);
    },
    async add(zone, [t], listed) {
      const id = idOf(zone);
      const scope = scopeOf(t!.relative);
      if (scope === undefined) {
        await client.changeset(id, { create: [{ name: t!.relative, type: 'TXT', rdata: quoteTxt(t!.value), ttl: GENERAL_TTL }] });
        return client.listRecords(id);
      }
      const values = valuesOn(listed!, scope);
      if (values.length > 0 && (replacing.has(id) || deps.runCache?.get(`rest-replaces:${id}`) === '1')) {
        throw secondValueRefused(t!.name);
      }
      before.set(pending(id, t!), values);
      await client.addChallenge(id, scope, t!.value);
    },
    /** An add onto a scope that held values: every earlier value must still be listed. */
    async verifyAdd(zone, t, listed) {
      const id = idOf(zone);
      const scope = scopeOf(t.relative);
      const was = before.get(pending(id, t)) ?? [];
      before.delete(pending(id, t));
      if (scope === undefined) return;
      // An add onto an empty scope cannot lose a value; a fresh listing has made this process's knowledge current already.
      if (was.length === 0) {
        if (!listed) known.get(id)?.push({ scope, value: t.value });
        return;
      }
      const now = valuesOn(listed ?? (await challenges(id, true)), scope);
      const vanished = was.filter((v) => !now.includes(v));
      deps.observe?.('secondValue', vanished.length > 0 ? 'it replaces the value that was there' : 'it is added beside the first', vanished.length === 0);
      if (vanished.length > 0) {
        replacing.add(id);
        deps.runCache?.set(`rest-replaces:${id}`, '1', REPLACING_REMEMBERED_MS);
        if (now.includes(t.value))
          await wire.removeExact!(zone, t)!.catch((e: unknown) =>
            deps.logger.error(`could not remove TXT ${t.name} "${t.value}" again: ${(e as Error).message}`),
          );
        throw valueReplaced(t, vanished);
      }
      if (!now.includes(t.value)) throw addNotListed(t);
    },
    removeExact(zone, t) {
      const [id, scope] = [idOf(zone), scopeOf(t.relative)];
      if (scope === undefined) return undefined;
      return client.deleteChallenge(id, scope, t.value).then((outcome) => {
        known.set(id, without(known.get(id), scope, t.value));
        return outcome;
      });
    },
    /**
     * Records of names outside `_acme-challenge`, through the changeset (the kit checks exactly they vanished):
     * as listed (a delete must match name, type, rdata and ttl), TXT rdata in presentation format whether listed so or not.
     */
    async remove(zone, records) {
      const exact = (records as RestRecord[]).map((r) => (r.type.toUpperCase() === 'TXT' ? { ...r, rdata: quoteTxt(unquoteTxt(r.rdata)) } : r));
      await client.changeset(idOf(zone), { delete: exact });
      return { removed: records, listed: await client.listRecords(idOf(zone)) };
    },
  };
  return createProvider(wire, deps);
}
