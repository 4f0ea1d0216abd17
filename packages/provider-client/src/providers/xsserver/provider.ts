import type { DeleteOutcome, DnsProvider, ProviderDeps, TxtRecord, Zone } from '../../contract.js';
import { unquoteTxt } from '../../txt.js';
import { observeQuoting, PROBE_DOMAIN } from '../../readings.js';
import { InvalidInputError, isOutcomeUnknown, ProviderApiError, ZoneNotFoundError } from '../../errors.js';
import { describeError } from '../../redact.js';
import { checkTxtValue, normalizeFqdn, toRelative, tryToAbsolute } from '../../names.js';
import { KeyedMutex, locateZone, memoizeZones, zoneNames } from '../../zone.js';
import type { XsserverClient } from './client.js';
import type { DnsRecordReply } from './schemas.js';

const PROVIDER = 'xsserver';
/** Attempts of one deletion when the API fails transiently or the index went stale (each re-lists first). */
const DELETE_ATTEMPTS = 3;
const CREATE_ATTEMPTS = 2;

/** A record as listed, with its absolute name and its current index. */
interface ListedRecord {
  index: string;
  name: string;
  type: string;
  content: string;
}

const keyOf = (r: Pick<ListedRecord, 'name' | 'type' | 'content'>) => `${r.type} ${r.name} "${r.content}"`;

function isActive(status: string): boolean {
  return status.trim().toLowerCase() === 'active';
}

/**
 * 0 or 1 when every listed id is exactly its position in the list (0..n-1 or
 * 1..n), decided from the list itself; undefined when they are not (database
 * ids, gaps, another order). An empty list has nothing to address.
 */
export function positionBase(records: readonly Pick<ListedRecord, 'index'>[]): 0 | 1 | undefined {
  if (records.length === 0) return 1;
  const first = Number(records[0]!.index);
  if (first !== 0 && first !== 1) return undefined;
  return records.every((r, i) => Number(r.index) === first + i) ? first : undefined;
}

function sampleIds(records: readonly ListedRecord[]): string {
  const ids = records.slice(0, 5).map((r) => r.index);
  return `${ids.join(', ')}${records.length > 5 ? ', ...' : ''}`;
}

/** Multiset difference: the keys of `a` not matched one-for-one in `b`. */
function missingFrom(a: ListedRecord[], b: ListedRecord[]): string[] {
  const left = new Map<string, number>();
  for (const r of b) left.set(keyOf(r), (left.get(keyOf(r)) ?? 0) + 1);
  const out: string[] = [];
  for (const r of a) {
    const k = keyOf(r);
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else out.push(k);
  }
  return out;
}

/**
 * The XSServer provider. Record ids are indexes into the domain's record
 * list and shift when a record before them goes, so every change to a domain
 * runs under a per-domain lock, each delete re-lists right before it is sent,
 * and the list afterwards must differ by exactly the one record deleted.
 * When it does not, the domain is locked against further deletes by this
 * instance and the error names what vanished.
 *
 * The document lists records by `id` but deletes by `@index`. A delete is
 * sent only when the listed ids are exactly the positions (1..n or 0..n-1,
 * read from the list itself), so the index is proven to be the target's;
 * otherwise dns01 refuses before writing. Two dns01 processes shift the
 * indexes under each other, so every change also holds a host-wide lock per
 * account and zone (deps.hostLock).
 */
export function createXsserverProvider(client: XsserverClient, deps: ProviderDeps): DnsProvider {
  const logger = deps.logger;
  const mutex = new KeyedMutex();
  const poisoned = new Map<string, ProviderApiError>();
  const retryDelayMs = deps.http?.minRetryDelayMs ?? 500;
  /** In-process order first, then the host-wide lock of this account and zone. */
  const exclusive = <T>(zone: Zone, fn: () => Promise<T>): Promise<T> =>
    mutex.run(zone.name, () => (deps.hostLock ? deps.hostLock(`xsserver-${client.account}-${zone.name}`, fn) : fn()));

  function domainId(zone: Zone): string {
    if (!zone.id) throw new InvalidInputError(`${PROVIDER}: zone ${zone.name} has no domain id; get zones from findZone`);
    return zone.id;
  }

  async function list(zone: Zone): Promise<ListedRecord[]> {
    const records = await client.listRecords(domainId(zone));
    observeQuoting(deps.observe, records.filter((r) => r.type.toUpperCase() === 'TXT').map((r) => ({ raw: r.content, value: unquoteTxt(r.content) })));
    const listed = records.map((r: DnsRecordReply) => ({
      index: r.id,
      name: absoluteName(r.name, zone),
      type: r.type.toUpperCase(),
      content: r.type.toUpperCase() === 'TXT' ? unquoteTxt(r.content) : r.content,
    }));
    if (listed.length > 0) {
      const base = positionBase(listed);
      if (base === undefined) deps.observe?.('ids', `the ids are not the positions (ids ${sampleIds(listed)})`, false);
      else deps.observe?.('ids', `the ids are the positions, from ${base}`, true);
    }
    return listed;
  }

  function absoluteName(name: string, zone: Zone): string {
    // A name DNS cannot carry never matches a challenge name.
    return tryToAbsolute(name, zone.name) ?? name.toLowerCase();
  }

  const matches = (name: string, value: string) => (r: ListedRecord) =>
    r.type === 'TXT' && r.name === name && r.content === value;

  async function findZoneUncached(fqdn: string): Promise<Zone> {
    const inactive: string[] = [];
    try {
      return await locateZone(fqdn, {
        provider: PROVIDER,
        findApex: deps.findApex,
        confirm: async (candidate) => {
          const entries = (await client.domainsByName(candidate)).filter((d) => normalizeFqdn(d.name) === candidate);
          const active = entries.filter((d) => isActive(d.status));
          if (active.length > 1) {
            logger.warn(`${candidate} has ${active.length} active entries; using domain id ${active[0]!.id}`);
          }
          if (active[0]) return { name: candidate, id: active[0].id };
          if (entries.length > 0) inactive.push(`${candidate} (${entries.map((d) => d.status).join(', ')})`);
          return undefined;
        },
      });
    } catch (error) {
      if (error instanceof ZoneNotFoundError && inactive.length > 0) {
        throw new ZoneNotFoundError(`${PROVIDER}: no active domain holds ${normalizeFqdn(fqdn)}; found only ${inactive.join(', ')}`, {
          hint: 'Renew or reactivate the domain in the XSServer client area; DNS changes need an Active domain',
        });
      }
      throw error;
    }
  }

  async function createOnce(zone: Zone, name: string, value: string): Promise<void> {
    const relative = toRelative(name, zone.name) || '@';
    await client.createRecord(domainId(zone), { name: relative, type: 'TXT', priority: '0', content: value });
  }

  function idsNotPositions(zone: Zone, records: ListedRecord[], consequence: string): ProviderApiError {
    return new ProviderApiError(
      PROVIDER,
      'deleteDnsRecord',
      `the record ids of ${zone.name} are not their positions in the list (ids ${sampleIds(records)}), but DELETE takes an index; dns01 cannot prove which record an index would hit, so ${consequence}`,
      { hint: 'Report this to the dns01 maintainers with the record list (DNS01_LOG_LEVEL=debug); remove the record by hand in the XSServer client area' },
    );
  }

  async function append(zone: Zone, name: string, value: string): Promise<void> {
    const existing = await list(zone);
    if (existing.some(matches(name, value))) return;
    if (positionBase(existing) === undefined) {
      throw idsNotPositions(zone, existing, `it adds nothing (it could not delete the record afterwards): ${name} TXT "${value}" was not created`);
    }
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        await createOnce(zone, name, value);
      } catch (error) {
        if (!isOutcomeUnknown(error)) throw error;
        failure = error;
      }
      // The reply carries no id: the record must show up in a fresh list. If that look fails, the outcome stays unknown.
      const after = await list(zone).catch((error: unknown) => {
        // The create was sent: unless it certainly failed, it may have happened.
        throw failure ??
          new ProviderApiError(PROVIDER, 'createDnsRecord', `sent, but the record list to confirm it failed: ${describeError(error)}`, {
            outcomeUnknown: true,
            cause: error,
            hint: 'Check the zone in the XSServer client area',
          });
      });
      if (after.some(matches(name, value))) {
        // Only an empty zone hides the id reading before the first create; say at once what cannot be undone.
        if (positionBase(after) === undefined) throw idsNotPositions(zone, after, `it cannot delete what it added: TXT ${name} "${value}" is left behind`);
        return;
      }
      if (failure) {
        if (attempt >= CREATE_ATTEMPTS) throw failure;
        logger.debug(`createDnsRecord failed with an unknown outcome and the record is not there; sending it again`);
        continue;
      }
      throw new ProviderApiError(PROVIDER, 'createDnsRecord', `reported success but ${name} TXT "${value}" is not in the record list`, {
        hint: 'Check the zone in the XSServer client area and try again',
      });
    }
  }

  function verifyDeletion(zone: Zone, target: ListedRecord, before: ListedRecord[], after: ListedRecord[]): void {
    const vanished = missingFrom(before, after);
    const targetKey = keyOf(target);
    if (vanished.length === 1 && vanished[0] === targetKey) return;
    const foreign = vanished.filter((k, i) => k !== targetKey || vanished.indexOf(k) !== i);
    const problems: string[] = [];
    if (!vanished.includes(targetKey)) problems.push(`${targetKey} is still there`);
    if (foreign.length > 0) problems.push(`other records vanished: ${foreign.join(', ')}`);
    const error = new ProviderApiError(
      PROVIDER,
      'deleteDnsRecord',
      `deleting index ${target.index} of ${zone.name} did not remove exactly ${targetKey}: ${problems.join('; ')}`,
      {
        hint: `The record list changed underneath (another client or the control panel edited ${zone.name} at the same time); check the zone in the XSServer client area and restore anything missing. No further deletes are sent to this zone`,
      },
    );
    poisoned.set(zone.name, error);
    throw error;
  }

  async function remove(zone: Zone, name: string, value: string): Promise<DeleteOutcome> {
    let deleted = 0;
    let attempts = 0;
    let before = await list(zone);
    for (;;) {
      const refusal = poisoned.get(zone.name);
      if (refusal) throw refusal;
      const target = before.find(matches(name, value));
      if (!target) return deleted > 0 ? 'deleted' : 'absent';
      if (positionBase(before) === undefined) {
        throw idsNotPositions(zone, before, `it deleted nothing: ${keyOf(target)} is left behind`);
      }
      let outcome: 'deleted' | 'missing' | 'failed';
      let failure: unknown;
      try {
        outcome = await client.deleteRecord(domainId(zone), target.index);
      } catch (error) {
        if (!isOutcomeUnknown(error)) throw error;
        outcome = 'failed';
        failure = error;
      }
      const after = await list(zone);
      // 404: no record at that index, so this request deleted nothing; whatever vanished, another client removed.
      if (outcome === 'deleted' || (outcome === 'failed' && missingFrom(before, after).length > 0)) {
        verifyDeletion(zone, target, before, after);
        deleted += 1;
        attempts = 0;
        before = after; // fresh: listed right after the delete, right before the next one
        continue;
      }
      // Nothing deleted by us: the API failed or the index was already stale. Wait, re-list, try again, bounded.
      attempts += 1;
      if (attempts >= DELETE_ATTEMPTS) {
        throw failure ??
          new ProviderApiError(PROVIDER, 'deleteDnsRecord', `index ${target.index} of ${zone.name} kept changing; nothing was deleted`, {
            transient: true,
            hint: 'Another client is editing the zone; try again later',
          });
      }
      logger.debug(`deleteDnsRecord: nothing deleted (${outcome}); re-listing and trying again`);
      await new Promise((r) => setTimeout(r, retryDelayMs * attempts));
      before = await list(zone);
    }
  }

  const findZone = memoizeZones(findZoneUncached);

  return {
    name: PROVIDER,
    findZone,

    async appendTxt(zone, name, value) {
      const fqdn = normalizeFqdn(name);
      toRelative(fqdn, zone.name);
      checkTxtValue(value);
      await exclusive(zone, () => append(zone, fqdn, value));
    },

    async deleteTxt(zone, name, value) {
      const fqdn = normalizeFqdn(name);
      toRelative(fqdn, zone.name);
      return exclusive(zone, () => remove(zone, fqdn, value));
    },

    async listTxt(zone, name): Promise<TxtRecord[]> {
      const fqdn = normalizeFqdn(name);
      const records = await mutex.run(zone.name, () => list(zone));
      return records
        .filter((r) => r.type === 'TXT' && r.name === fqdn)
        .map((r) => ({ name: r.name, value: r.content, id: r.index }));
    },

    async listZoneTxt(zone): Promise<TxtRecord[]> {
      const records = await mutex.run(zone.name, () => list(zone));
      return records.filter((r) => r.type === 'TXT').map((r) => ({ name: r.name, value: r.content, id: r.index }));
    },

    async probeReadings() {
      // A name no account holds: how the API answers a refusal (its error status, or HTTP 200 with an error body).
      await client.domainsByName(PROBE_DOMAIN);
    },

    async listZones() {
      const domains = await client.listDomains();
      return zoneNames(
        domains.filter((d) => isActive(d.status)).map((d) => d.name),
        logger,
        PROVIDER,
      );
    },

    async close() {
      // HTTP Basic auth: no session to end.
    },
  };
}
