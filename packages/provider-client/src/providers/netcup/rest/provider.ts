import type { DeleteOutcome, ProviderDeps, TxtRecord, Zone } from '../../../contract.js';
import { InvalidInputError, isOutcomeUnknown, ProviderApiError } from '../../../errors.js';
import { normalizeFqdn, toRelative } from '../../../names.js';
import { KeyedMutex } from '../../../zone.js';
import type { NetcupRestClient } from './client.js';
import type { RestDomain, RestRecord } from './schemas.js';

const PROVIDER = 'netcup';
const CHALLENGE_LABEL = '_acme-challenge';
/** What the ACME challenge endpoints accept: a dns-01 digest, 43 characters of base64url. */
export const ACME_VALUE = /^[A-Za-z0-9_-]{43}$/;
/** TTL for records created through the general endpoint (the ACME endpoints set their own). */
const GENERAL_TTL = 300;

/** The zone handle of a REST-managed domain: `rest:<domain id>`. */
export const restZoneId = (domain: RestDomain) => `rest:${domain.id}`;

export function restDomainId(zone: Zone): number | undefined {
  const m = /^rest:(\d+)$/.exec(zone.id ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * The scope of a challenge name: the labels between `_acme-challenge.` and
 * the zone, `@` at the apex; undefined for names not under `_acme-challenge`.
 */
export function challengeScope(fqdn: string, zone: string): string | undefined {
  const relative = toRelative(fqdn, zone);
  if (relative === CHALLENGE_LABEL) return '@';
  if (!relative.startsWith(`${CHALLENGE_LABEL}.`)) return undefined;
  return relative.slice(CHALLENGE_LABEL.length + 1);
}

const scopeName = (scope: string, zone: string) => (scope === '@' ? `${CHALLENGE_LABEL}.${zone}` : `${CHALLENGE_LABEL}.${scope}.${zone}`);
const unquote = (v: string) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);
const relativeName = (fqdn: string, zone: string) => toRelative(fqdn, zone) || '@';

export interface RestBackendOptions {
  /** NETCUP_REST_CHANGESET: names outside `_acme-challenge` through the general-record endpoint. */
  changeset: boolean;
}

/** How long a domain seen replacing values is remembered (run cache). */
const REPLACING_REMEMBERED_MS = 30 * 24 * 3600_000;

/**
 * The REST (CloudDNS) backend behind the netcup provider. Challenge names go
 * through the ACME challenge endpoints: add, then list the scope and check
 * that every value known to be there before is still there (apex and
 * wildcard share a scope); delete by value. Other names only through the
 * changeset endpoint, when switched on, checked before and after.
 */
export function createRestBackend(client: NetcupRestClient, deps: ProviderDeps, options: RestBackendOptions) {
  const log = deps.logger;
  const mutex = new KeyedMutex();
  const lookups = new Map<string, Promise<RestDomain | undefined>>();
  /** Values this process knows on each scope, per domain: from its own adds and from listings. */
  const known = new Map<number, Map<string, Set<string>>>();
  /**
   * Domains where an add was seen to replace an earlier value: no second
   * value is added there again, by this process nor, through the run cache,
   * by the run's later processes and the runs of the next month, which
   * refuse before writing instead of finding out after.
   */
  const replacing = new Set<number>();
  const replacingKey = (id: number) => `rest-replaces:${id}`;
  const seenReplacing = (id: number) => replacing.has(id) || deps.runCache?.get(replacingKey(id)) === '1';
  /** Domains whose challenges this process has listed. */
  const listed = new Set<number>();

  const scopesOf = (id: number) => {
    let scopes = known.get(id);
    if (!scopes) known.set(id, (scopes = new Map()));
    return scopes;
  };
  const valuesOn = (id: number, scope: string) => {
    const scopes = scopesOf(id);
    let values = scopes.get(scope);
    if (!values) scopes.set(scope, (values = new Set()));
    return values;
  };

  const lookup = (candidate: string): Promise<RestDomain | undefined> => {
    let hit = lookups.get(candidate);
    if (!hit) {
      hit = client.findDomain(candidate).catch((error: unknown) => {
        // The API validates fqdn as a host name; a candidate it refuses is not a domain.
        if (error instanceof InvalidInputError) return undefined;
        throw error;
      });
      lookups.set(candidate, hit);
      hit.catch(() => lookups.delete(candidate));
    }
    return hit;
  };

  const idOf = (zone: Zone): number => {
    const id = restDomainId(zone);
    if (id === undefined) throw new ProviderApiError(PROVIDER, 'REST', `zone ${zone.name} is not a REST zone`);
    return id;
  };

  const noGeneralEndpoint = (fqdn: string, zone: string) =>
    new InvalidInputError(
      `netcup REST: ${fqdn} is not an _acme-challenge name, and the REST API's ACME endpoints reach only _acme-challenge records of ${zone}`,
      {
        hint: 'Point the CNAME at an _acme-challenge.<name> in a netcup zone, or set DNS01_CNAME=0 to write _acme-challenge.<domain> itself; NETCUP_REST_CHANGESET=1 allows other names through the general-record endpoint (less proven, checked before and after)',
      },
    );

  /** Lists the domain's challenges once per process; later adds keep the knowledge current. */
  async function ensureListed(id: number): Promise<void> {
    if (listed.has(id)) return;
    for (const c of await client.listChallenges(id)) valuesOn(id, c.scope).add(c.value);
    listed.add(id);
  }

  /** The values the API lists on a scope now. */
  const listedOn = async (id: number, scope: string) => new Set((await client.listChallenges(id)).filter((c) => c.scope === scope).map((c) => c.value));

  /**
   * Adds a value; when the reply cannot be read (the outcome unknown), lists
   * the scope to see, and sends the add once more if it is not there (the
   * API takes a repeat as success). A look that fails leaves the outcome
   * unknown: that error is reported, for the flow to clean up.
   */
  async function confirmedAdd(id: number, scope: string, value: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.addChallenge(id, scope, value);
        return;
      } catch (error) {
        if (!isOutcomeUnknown(error) || attempt > 1) throw error;
        log.debug(`challenge add answered unreadably; listing the scope to see whether "${value}" is there`);
        const now = await listedOn(id, scope).catch(() => {
          throw error;
        });
        if (now.has(value)) return;
      }
    }
  }

  /** Deletes a value; when the reply cannot be read, the scope's listing decides. */
  async function confirmedDelete(id: number, scope: string, value: string): Promise<'deleted' | 'absent'> {
    try {
      return await client.deleteChallenge(id, scope, value);
    } catch (error) {
      if (!isOutcomeUnknown(error)) throw error;
      const now = await listedOn(id, scope).catch(() => {
        throw error;
      });
      if (now.has(value)) throw error;
      return 'deleted';
    }
  }

  async function appendChallenge(id: number, zone: string, scope: string, value: string): Promise<void> {
    const name = scopeName(scope, zone);
    await ensureListed(id);
    const values = valuesOn(id, scope);
    if (values.has(value)) return;
    const before = [...values];
    if (before.length > 0 && seenReplacing(id)) {
      throw new ProviderApiError(PROVIDER, 'REST challenge add', `refusing to add a second value to TXT ${name}: an earlier add to this domain replaced the value that was there`, {
        hint: 'This API replaces a challenge value instead of adding one: issue the apex and the wildcard in separate certificates, or use the CCP API for this domain',
      });
    }
    await confirmedAdd(id, scope, value);
    values.add(value);
    // An add onto an empty scope cannot lose a value; one onto a used scope is checked.
    if (before.length === 0) return;
    const now = await listedOn(id, scope);
    const vanished = before.filter((v) => !now.has(v));
    deps.observe?.('secondValue', vanished.length > 0 ? 'it replaces the value that was there' : 'it is added beside the first', vanished.length === 0);
    if (vanished.length > 0) {
      replacing.add(id);
      deps.runCache?.set(replacingKey(id), '1', REPLACING_REMEMBERED_MS);
      for (const v of vanished) values.delete(v);
      if (now.has(value)) {
        await client.deleteChallenge(id, scope, value).catch((e: unknown) => log.error(`could not remove TXT ${name} "${value}" again: ${(e as Error).message}`));
        values.delete(value);
      }
      throw new ProviderApiError(
        PROVIDER,
        'REST challenge add',
        `adding "${value}" to TXT ${name} removed ${vanished.map((v) => `"${v}"`).join(', ')} that was there before: the API replaced a value instead of adding one`,
        {
          hint: 'Apex and wildcard cannot coexist through this API: issue them in separate certificates, or use the CCP API for this domain; restore any value above that is not yours (dns01 removed the one it had just added)',
        },
      );
    }
    if (!now.has(value)) {
      values.delete(value);
      throw new ProviderApiError(PROVIDER, 'REST challenge add', `accepted "${value}" for TXT ${name} but does not list it afterwards`, {
        hint: 'Check the domain in the CCP and try again',
      });
    }
    log.debug(`added TXT ${name}; the scope holds ${now.size} value(s), none lost`);
  }

  const same = (a: RestRecord, b: RestRecord) => a.name === b.name && a.type.toUpperCase() === b.type.toUpperCase() && unquote(a.rdata) === unquote(b.rdata) && a.ttl === b.ttl;

  /** Every record of `before` except `except` must still be listed; otherwise the change touched more than it should. */
  function checkKept(action: string, before: RestRecord[], after: RestRecord[], except: RestRecord[]): void {
    const lost = before.filter((r) => !except.some((e) => same(e, r)) && !after.some((a) => same(a, r)));
    if (lost.length > 0) {
      throw new ProviderApiError(PROVIDER, `REST ${action}`, `the change also removed ${lost.map((r) => `${r.type} ${r.name} "${r.rdata}"`).join(', ')}`, {
        hint: 'Restore those records in the CCP, unset NETCUP_REST_CHANGESET and report this',
      });
    }
  }

  async function appendGeneral(id: number, zone: string, fqdn: string, value: string): Promise<void> {
    const name = relativeName(fqdn, zone);
    const isOurs = (r: RestRecord) => r.name === name && r.type.toUpperCase() === 'TXT' && unquote(r.rdata) === value;
    const before = await client.listRecords(id);
    if (before.some(isOurs)) return;
    const record = { name, type: 'TXT', rdata: value, ttl: GENERAL_TTL };
    await client.changeset(id, { create: [record] });
    const after = await client.listRecords(id);
    checkKept('changeset', before, after, []);
    if (!after.some(isOurs)) {
      throw new ProviderApiError(PROVIDER, 'REST changeset', `accepted TXT ${fqdn} but does not list it afterwards`, { hint: 'Check the zone in the CCP' });
    }
  }

  async function deleteGeneral(id: number, zone: string, fqdn: string, value: string): Promise<DeleteOutcome> {
    const name = relativeName(fqdn, zone);
    const before = await client.listRecords(id);
    const doomed = before.filter((r) => r.name === name && r.type.toUpperCase() === 'TXT' && unquote(r.rdata) === value);
    if (doomed.length === 0) return 'absent';
    await client.changeset(id, { delete: doomed });
    const after = await client.listRecords(id);
    checkKept('changeset', before, after, doomed);
    if (doomed.some((d) => after.some((a) => same(a, d)))) {
      throw new ProviderApiError(PROVIDER, 'REST changeset', `accepted the delete of TXT ${fqdn} but still lists it`, { hint: 'Delete it in the CCP' });
    }
    return 'deleted';
  }

  const target = (zone: Zone, name: string, value: string) => {
    const fqdn = normalizeFqdn(name);
    const scope = challengeScope(fqdn, zone.name);
    if (value === '') throw new InvalidInputError(`empty TXT value for ${fqdn}`);
    if (scope === undefined && !options.changeset) throw noGeneralEndpoint(fqdn, zone.name);
    if (scope !== undefined && !ACME_VALUE.test(value)) {
      throw new InvalidInputError(`netcup REST: "${value}" is not an ACME dns-01 value (43 characters of base64url), which is all the ACME challenge endpoint accepts`, {
        hint: 'Pass the TXT value the ACME client gives (RAW-mode hooks compute it from the key authorization)',
      });
    }
    return { fqdn, scope, id: idOf(zone) };
  };

  return {
    lookup,
    async appendTxt(zone: Zone, name: string, value: string): Promise<void> {
      const t = target(zone, name, value);
      return mutex.run(String(t.id), () =>
        t.scope === undefined ? appendGeneral(t.id, zone.name, t.fqdn, value) : appendChallenge(t.id, zone.name, t.scope, value),
      );
    },
    async deleteTxt(zone: Zone, name: string, value: string): Promise<DeleteOutcome> {
      const t = target(zone, name, value);
      return mutex.run(String(t.id), async () => {
        if (t.scope === undefined) return deleteGeneral(t.id, zone.name, t.fqdn, value);
        const outcome = await confirmedDelete(t.id, t.scope, value);
        valuesOn(t.id, t.scope).delete(value);
        return outcome;
      });
    },
    /** Every challenge record of the domain, and with the changeset switch every TXT record. */
    async listZoneTxt(zone: Zone): Promise<TxtRecord[]> {
      const id = idOf(zone);
      const challenges = (await client.listChallenges(id)).map((c) => ({ name: scopeName(c.scope, zone.name), value: c.value }));
      if (!options.changeset) return challenges;
      const general = (await client.listRecords(id))
        .filter((r) => r.type.toUpperCase() === 'TXT')
        .map((r) => ({ name: r.name === '@' ? zone.name : `${r.name}.${zone.name}`, value: unquote(r.rdata) }))
        .filter((r) => challengeScope(r.name, zone.name) === undefined);
      return [...challenges, ...general];
    },
    /** Without the changeset switch the backend reaches only `_acme-challenge` names. */
    challengeNamesOnly: () => !options.changeset,
    async listTxt(zone: Zone, name: string): Promise<TxtRecord[]> {
      const fqdn = normalizeFqdn(name);
      const id = idOf(zone);
      const scope = challengeScope(fqdn, zone.name);
      if (scope === undefined) {
        if (!options.changeset) throw noGeneralEndpoint(fqdn, zone.name);
        const rel = relativeName(fqdn, zone.name);
        return (await client.listRecords(id))
          .filter((r) => r.name === rel && r.type.toUpperCase() === 'TXT')
          .map((r) => ({ name: fqdn, value: unquote(r.rdata) }));
      }
      const all = await client.listChallenges(id);
      return all.filter((c) => c.scope === scope).map((c) => ({ name: fqdn, value: c.value }));
    },
  };
}

export type RestBackend = ReturnType<typeof createRestBackend>;
