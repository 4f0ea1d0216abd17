import { Dns01Error, InvalidInputError, PropagationTimeoutError, ProviderApiError } from '../errors.js';
import type { DnsContext, FlowContext } from '../flow.js';
import { waitForRecords } from '../flow.js';
import { checkNameserver } from '../propagation/check.js';
import { nameserverSet, resolveCnameTarget, walkToApex } from '../propagation/lookup.js';
import { DEFAULT_QUERY_TIMEOUT_MS, ResolverFailure } from '../propagation/resolvers.js';
import type { PropagationResult } from '../propagation/types.js';
import { normalizeFqdn } from '../names.js';
import { describeError } from '../redact.js';
import { judgeCaa, relevantCaa, type CaaVerdict } from './caa.js';
import { formatPersistValue, parsePersistValue, persistName, sameBinding, type PersistRecord, type PersistSpec } from './record.js';

/** The malformed persist records of `issuer` among `values` (see PersistRecord.malformed). */
function malformedOf(values: readonly string[], issuer: string | undefined): PersistRecord[] {
  return values.flatMap((value) => {
    const parsed = parsePersistValue(value);
    return parsed?.malformed !== undefined && (issuer === undefined || parsed.issuer === normalizeFqdn(issuer)) ? [parsed] : [];
  });
}

const describeMalformed = (name: string, r: PersistRecord) => `TXT ${name} "${r.raw}" is malformed: ${r.malformed}`;

/** Where the record for `domain` lives: `_validation-persist.<domain>`, or its CNAME target when following is on. */
async function persistTarget(ctx: DnsContext, domain: string): Promise<string> {
  const name = persistName(domain);
  if (!ctx.propagation.followCname) return name;
  const target = await resolveCnameTarget(name, { resolvers: ctx.propagation.resolvers, signal: ctx.signal });
  if (target !== name) ctx.logger.info(`${name} is a CNAME to ${target}; the record goes there`);
  return target;
}

export interface PersistSetResult {
  name: string;
  zone: string;
  value: string;
  /** created: added; unchanged: the same value was there; replaced: added, then the older value(s) of the same CA and account deleted. */
  action: 'created' | 'unchanged' | 'replaced';
  /** The values deleted by --replace. */
  removed: string[];
  propagation: PropagationResult;
}

/**
 * Ensures the persistent record: adds it (never replacing anything), waits
 * until every authoritative nameserver serves it. Another value for the same
 * CA and account is refused unless `replace`, which deletes the older value
 * only once the new one is served everywhere (and only values the provider
 * itself listed).
 */
export async function persistSet(ctx: FlowContext, domain: string, spec: PersistSpec, options: { replace?: boolean } = {}): Promise<PersistSetResult> {
  const value = formatPersistValue(spec);
  const name = await persistTarget(ctx, domain);
  const zone = await ctx.provider.findZone(name);
  const existing = await ctx.provider.listTxt(zone, name);
  const base = { name, zone: zone.name, value };
  if (existing.some((r) => r.value === value)) {
    ctx.logger.info(`TXT ${name} "${value}" is already there`);
    return { ...base, action: 'unchanged', removed: [], propagation: await waitForRecords(ctx, [{ name, value }]) };
  }
  const older = existing.filter((r) => {
    const parsed = parsePersistValue(r.value);
    return parsed !== undefined && sameBinding(parsed, spec);
  });
  for (const record of malformedOf(
    existing.map((r) => r.value),
    spec.issuer,
  )) {
    ctx.logger.warn(`${describeMalformed(name, record)}; left alone (delete it in the provider panel if it is yours)`);
  }
  if (older.length > 0 && !options.replace) {
    throw new InvalidInputError(`${name} already holds a record for ${spec.issuer} and this account: "${older.map((r) => r.value).join('", "')}"`, {
      hint: 'Add --replace to put the new value in its place (added first; the old one is deleted once the new one is served everywhere)',
    });
  }
  await ctx.provider.appendTxt(zone, name, value);
  ctx.logger.info(`created TXT ${name} "${value}" in zone ${zone.name}`);
  let propagation: PropagationResult;
  try {
    propagation = await waitForRecords(ctx, [{ name, value }]);
  } catch (error) {
    if (!(error instanceof Dns01Error)) throw error;
    const kept = older.length > 0 ? `; the older value "${older.map((r) => r.value).join('", "')}" was kept too` : '';
    const Kind = error instanceof PropagationTimeoutError ? PropagationTimeoutError : Dns01Error;
    throw new Kind(`${error.message} (TXT ${name} "${value}" stays in the zone, as a persistent record should${kept})`, {
      hint: `Run 'dns01 persist check ${domain}' later, or 'dns01 persist remove' to take it out`,
      cause: error,
    });
  }
  const removed: string[] = [];
  for (const record of older) {
    try {
      await ctx.provider.deleteTxt(zone, name, record.value);
      removed.push(record.value);
      ctx.logger.info(`deleted the older TXT ${name} "${record.value}"`);
    } catch (error) {
      throw new ProviderApiError(
        ctx.provider.name,
        'persist set',
        `the new record is served everywhere, but the older TXT ${name} "${record.value}" could not be deleted: ${describeError(error)}`,
        {
          hint: `Run 'dns01 persist set ... --replace' again, or delete that record in the provider panel`,
          cause: error,
        },
      );
    }
  }
  return { ...base, action: older.length > 0 ? 'replaced' : 'created', removed, propagation };
}

export interface PersistRemoveResult {
  name: string;
  removed: string[];
  /** Malformed records of this CA at the name: never deleted (whose account a CA reads is unknown), reported. */
  malformed: { value: string; why: string }[];
}

/**
 * Deletes exactly the records of this CA and account that the provider lists
 * at the name; the others stay, and so does a malformed record of this CA,
 * which is reported instead.
 */
export async function persistRemove(ctx: FlowContext, domain: string, binding: Pick<PersistSpec, 'issuer' | 'accountUri'>): Promise<PersistRemoveResult> {
  const name = await persistTarget(ctx, domain);
  const zone = await ctx.provider.findZone(name);
  const listed = await ctx.provider.listTxt(zone, name);
  const mine = listed.filter((r) => {
    const parsed = parsePersistValue(r.value);
    return parsed !== undefined && sameBinding(parsed, binding);
  });
  const malformed = malformedOf(
    listed.map((r) => r.value),
    binding.issuer,
  ).map((r) => ({ value: r.raw, why: r.malformed! }));
  const removed: string[] = [];
  for (const record of mine) {
    const outcome = await ctx.provider.deleteTxt(zone, name, record.value);
    if (outcome === 'deleted') removed.push(record.value);
    ctx.logger.info(outcome === 'deleted' ? `deleted TXT ${name} "${record.value}"` : `TXT ${name} "${record.value}" was already gone`);
  }
  return { name, removed, malformed };
}

export interface NameserverView {
  nameserver: string;
  /** What it served at the name (every TXT value), or undefined when it did not answer. */
  served?: string[];
  problem?: string;
}

export interface PersistCheckReport {
  name: string;
  zone: string;
  nameservers: NameserverView[];
  /** Every persist record any nameserver serves, parsed (malformed ones too). */
  records: PersistRecord[];
  /** The well-formed records that fit the issuer/account asked for (all of them when none was asked). */
  matching: PersistRecord[];
  caa?: CaaVerdict;
  /** Problems that make a CA refuse or soon refuse; the check fails when there is one. */
  problems: string[];
  warnings: string[];
}

const DAY = 86_400;

/**
 * Read-only: what every authoritative nameserver serves at the persist name,
 * parsed and judged (persistUntil, policy=wildcard, agreement between
 * nameservers, CAA). Needs no provider credentials.
 */
export async function persistCheck(
  ctx: DnsContext,
  domain: string,
  want: { issuer?: string; accountUri?: string; wildcard?: boolean; now?: number },
): Promise<PersistCheckReport> {
  const name = await persistTarget(ctx, domain);
  const resolverOptions = { resolvers: ctx.propagation.resolvers, signal: ctx.signal };
  let zone: string | undefined;
  try {
    zone = await walkToApex(name, resolverOptions);
  } catch (error) {
    if (!(error instanceof ResolverFailure)) throw error;
    throw new Dns01Error(`could not find the zone of ${name}: ${error.message}`, { hint: 'Set DNS01_RESOLVERS to a working recursive resolver' });
  }
  if (!zone) throw new Dns01Error(`DNS knows no zone holding ${name}`, { hint: 'Check the domain name and its delegation' });
  const nsSet = await nameserverSet(zone, resolverOptions);
  if (nsSet.length === 0) throw new Dns01Error(`the zone ${zone} has no NS records`, { hint: 'Check the delegation of the zone' });
  const checkOptions = { nsPort: ctx.propagation.nsPort, queryTimeoutMs: DEFAULT_QUERY_TIMEOUT_MS, signal: ctx.signal };
  const nameservers: NameserverView[] = await Promise.all(
    nsSet.map(async (ns) => {
      const { states } = await checkNameserver(ns, name, new Set(), checkOptions);
      const answered = states.find((s) => s.status === 'ok' || s.status === 'nxdomain' || s.status === 'missing');
      if (answered) return { nameserver: ns.name, served: answered.served };
      return { nameserver: ns.name, problem: states.map((s) => `${s.address} ${s.detail ?? s.status}`).join('; ') };
    }),
  );
  const byValue = new Map<string, PersistRecord>();
  for (const view of nameservers) {
    for (const value of view.served ?? []) {
      const parsed = parsePersistValue(value);
      if (parsed) byValue.set(value, parsed);
    }
  }
  const records = [...byValue.values()];
  const matching = records.filter(
    (r) =>
      r.malformed === undefined &&
      (want.issuer === undefined || r.issuer === normalizeFqdn(want.issuer)) &&
      (want.accountUri === undefined || r.accountUri === want.accountUri),
  );
  const problems: string[] = [];
  const warnings: string[] = [];
  // A record a CA may read as one account or another: the check fails while it is there for the CA asked about.
  for (const record of records.filter((r) => r.malformed !== undefined)) {
    const ours = want.issuer === undefined || record.issuer === normalizeFqdn(want.issuer);
    (ours ? problems : warnings).push(`${describeMalformed(name, record)}; dns01 never matches or deletes it: delete it in the provider panel`);
  }
  const now = Math.floor((want.now ?? Date.now()) / 1000);
  for (const view of nameservers) if (view.problem) problems.push(`${view.nameserver} did not answer: ${view.problem}`);
  const asked = [want.issuer, want.accountUri && `account ${want.accountUri}`].filter(Boolean).join(', ');
  if (matching.length === 0) {
    problems.push(records.length === 0 ? `no nameserver serves a persistent record at ${name}` : `no record at ${name} names ${asked}`);
  }
  for (const record of matching) {
    const missingAt = nameservers.filter((v) => v.served && !v.served.includes(record.raw)).map((v) => v.nameserver);
    if (missingAt.length > 0) problems.push(`"${record.raw}" is not served by ${missingAt.join(', ')} (the nameservers disagree)`);
    if (!record.accountUri) problems.push(`"${record.raw}" has no accounturi, which the draft requires`);
    if (record.persistUntil !== undefined) {
      if (record.persistUntil <= now) problems.push(`"${record.raw}" expired at ${new Date(record.persistUntil * 1000).toISOString()} (persistUntil)`);
      else if (record.persistUntil - now < 30 * DAY) {
        warnings.push(
          `"${record.raw}" expires in ${Math.ceil((record.persistUntil - now) / DAY)} days (persistUntil): renew it with 'dns01 persist set --replace'`,
        );
      }
    }
    if (want.wildcard && !record.wildcard) warnings.push(`"${record.raw}" has no policy=wildcard: it does not cover *.${domain} or subdomains`);
  }
  let caa: CaaVerdict | undefined;
  const issuer = want.issuer ?? matching[0]?.issuer;
  if (issuer) {
    try {
      caa = judgeCaa(await relevantCaa(domain, resolverOptions), {
        issuer,
        accountUri: want.accountUri ?? matching[0]?.accountUri,
        wildcard: want.wildcard ?? false,
      });
      if (!caa.permitted) problems.push(caa.reason!);
    } catch (error) {
      if (!(error instanceof ResolverFailure)) throw error;
      warnings.push(`CAA could not be checked: ${error.message}`);
    }
  }
  return { name, zone, nameservers, records, matching, caa, problems, warnings };
}
