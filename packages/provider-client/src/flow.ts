import type { DnsSettings } from './config.js';
import type { DnsProvider, RunCache, Zone } from './contract.js';
import { InvalidInputError, isOutcomeUnknown, ProviderApiError, ZoneNotFoundError } from './errors.js';
import type { Logger } from './log.js';
import { challengeName, checkTxtValue, domainOfChallengeName, normalizeDomain } from './names.js';
import { formatProgress, resolveCnameTarget, waitForPropagation } from './propagation/index.js';
import type { PropagationOptions, PropagationResult, WaitStatus } from './propagation/types.js';
import { describeError } from './redact.js';
import { shellWords } from './shell.js';

/**
 * present and cleanup, the way every adapter runs them: every challenge
 * checked before the first call, records placed concurrently and rolled back
 * on failure, one wait for all, exact deletes. The context comes from a
 * session (session.ts): `session.flow({ signal, logger, ... })`.
 */

/** One dns-01 challenge: the domain as the order names it (maybe `*.`) and the TXT value. */
export interface Challenge {
  domain: string;
  value: string;
}

/** A TXT record this run placed (or found already placed). */
export interface PlacedRecord {
  domain: string;
  /** Where the record lives: `_acme-challenge.<domain>` or its CNAME target. */
  name: string;
  zone: Zone;
  value: string;
}

export interface PropagationSettings {
  resolvers: DnsSettings['resolvers'];
  nsPort: number;
  timeoutMs: number;
  intervalMs: number;
  followCname: boolean;
}

/**
 * The records at stake in this process: created (or maybe created) or being
 * deleted, and not yet gone. An executable that must exit at once (a second
 * Ctrl-C) names them.
 */
export interface RecordLedger {
  /** `domain`: the challenge's, for the cleanup command; absent for `check --write`'s throwaway names. */
  atStake(record: LedgerRecord): void;
  settled(record: LedgerRecord): void;
}

export type LedgerRecord = Pick<PlacedRecord, 'name' | 'value'> & { domain?: string };

/** One call's view of a session: the shared provider, and this call's logger, settings, signal, status and ledger. */
export interface FlowContext {
  provider: DnsProvider;
  logger: Logger;
  propagation: PropagationSettings;
  signal?: AbortSignal;
  /** Shows the propagation wait while it runs (the dns01 command in a terminal). */
  status?: WaitStatus;
  ledger?: RecordLedger;
  /**
   * State shared with the run's other hook processes (session.ts gives it
   * when the run cache is on): a present that failed notes there that it
   * left nothing, so the cleanup the client runs next does not report a
   * record that never existed.
   */
  runCache?: RunCache;
}

/** What the DNS-only steps need: no provider, no credentials (`dns01 wait`). */
export type DnsContext = Pick<FlowContext, 'logger' | 'propagation' | 'signal' | 'status'>;

/** `_acme-challenge.<domain>`, or where its CNAME points when following is on. */
export async function challengeTarget(ctx: DnsContext, domain: string): Promise<string> {
  const name = challengeName(domain);
  if (!ctx.propagation.followCname) return name;
  const target = await resolveCnameTarget(name, { resolvers: ctx.propagation.resolvers, signal: ctx.signal });
  if (target !== name) ctx.logger.info(`${name} is a CNAME to ${target}; the record goes there`);
  return target;
}

/** Checks every challenge's domain and value before the first call: one bad input costs no API call. */
export function checkChallenges(challenges: Challenge[]): void {
  for (const c of challenges) {
    normalizeDomain(c.domain);
    try {
      checkTxtValue(c.value);
    } catch (error) {
      throw new InvalidInputError(`${(error as Error).message} (for ${c.domain})`, { hint: (error as InvalidInputError).hint });
    }
  }
}

/**
 * The challenges checked, each domain given as its challenge name
 * (`_acme-challenge.example.com`, pasted from a message or handed over by a
 * misconfigured hook) taken as the domain it is the challenge of, and said
 * so once: the record never gets a doubled label.
 */
function checkedChallenges(ctx: Pick<FlowContext, 'logger'>, challenges: Challenge[]): Challenge[] {
  checkChallenges(challenges);
  const said = new Set<string>();
  return challenges.map((c) => {
    const domain = domainOfChallengeName(c.domain);
    if (domain === undefined) return c;
    if (!said.has(c.domain)) ctx.logger.info(`${c.domain} is already the challenge name of ${domain}: using it for ${domain}`);
    said.add(c.domain);
    return { ...c, domain };
  });
}

/**
 * The command that removes these records, runnable as printed:
 * `dns01 cleanup <domain> <value> ...` (`--` first when a word starts with "-").
 */
export function cleanupCommand(records: readonly Pick<PlacedRecord, 'domain' | 'value'>[]): string {
  const words = records.flatMap((r) => [normalizeDomain(r.domain).domain, r.value]);
  return shellWords(['dns01', 'cleanup', ...(words.some((w) => w.startsWith('-')) ? ['--'] : []), ...words]);
}

/** How long a failed present's note that it left nothing is kept for the cleanup that follows it. */
const FAILED_PRESENT_TTL_MS = 60 * 60 * 1000;
const failedPresentKey = (c: Challenge) => `present-failed:${normalizeDomain(c.domain).domain}:${c.value}`;

/**
 * Creates the TXT records (concurrently; providers batch or serialise as their
 * API needs). When one fails, the ones this call placed are removed again,
 * and so is a failed one whose write may have happened anyway (its outcome
 * unknown: exact match only); the first error is thrown. A record that cannot
 * be removed is named in an error line with the command that removes it; a
 * record whose add certainly did not happen (refused, never sent) is never named.
 */
export async function createRecords(ctx: FlowContext, challenges: Challenge[]): Promise<PlacedRecord[]> {
  const checked = checkedChallenges(ctx, challenges);
  const attempted: (PlacedRecord | undefined)[] = [];
  const results = await Promise.allSettled(
    checked.map(async (c, i): Promise<PlacedRecord> => {
      const name = await challengeTarget(ctx, c.domain);
      const zone = await ctx.provider.findZone(name);
      const record = { domain: c.domain, name, zone, value: c.value };
      attempted[i] = record;
      ctx.ledger?.atStake(record);
      const outcome = await ctx.provider.appendTxt(zone, name, c.value).catch((error: unknown) => {
        if (!isOutcomeUnknown(error)) ctx.ledger?.settled(record);
        throw error;
      });
      // An exact value already there is cleaned up like one created here: the delete is exact either way.
      ctx.logger.info(outcome === 'created' ? `created TXT ${name} in zone ${zone.name}` : `TXT ${name} "${c.value}" already present in zone ${zone.name}`);
      return record;
    }),
  );
  const placed = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) {
    for (const c of checked) ctx.runCache?.delete(failedPresentKey(c));
    return placed;
  }
  const uncertain = results.flatMap((r, i) => (r.status === 'rejected' && isOutcomeUnknown(r.reason) && attempted[i] ? [attempted[i]] : []));
  await rollBack(ctx, checked, [...placed, ...uncertain], new Set(uncertain));
  throw failed.reason;
}

/**
 * Removes what a failed present placed (and what it may have placed), logs
 * what it could not remove as one error line, and notes in the run cache
 * every challenge that left nothing, for the cleanup the client runs next.
 */
async function rollBack(ctx: FlowContext, challenges: Challenge[], records: PlacedRecord[], uncertain: ReadonlySet<PlacedRecord>): Promise<void> {
  let left: RecordNamed[] = [];
  if (records.length > 0) {
    left = await deleteExactly(ctx, records, uncertain).catch((e: unknown) => {
      ctx.logger.error(e instanceof LeftBehindError ? e.oneLine : describeError(e));
      return e instanceof LeftBehindError ? e.records : records;
    });
  }
  for (const c of challenges) {
    if (!left.some((r) => r.domain === c.domain && r.value === c.value)) ctx.runCache?.set(failedPresentKey(c), '1', FAILED_PRESENT_TTL_MS);
  }
}

/** Waits until every authoritative nameserver serves every value, grouped by name. */
export async function waitForRecords(ctx: DnsContext, records: Pick<PlacedRecord, 'name' | 'value'>[]): Promise<PropagationResult> {
  const byName = new Map<string, Set<string>>();
  for (const r of records) byName.set(r.name, (byName.get(r.name) ?? new Set()).add(r.value));
  const expectations = [...byName].map(([name, values]) => ({ name, values: [...values] }));
  const options: PropagationOptions = {
    resolvers: ctx.propagation.resolvers,
    nsPort: ctx.propagation.nsPort,
    timeoutMs: ctx.propagation.timeoutMs,
    intervalMs: ctx.propagation.intervalMs,
    signal: ctx.signal,
    onProgress: (event) => ctx.logger.info(formatProgress(event)),
    onRound: ctx.status && ((event) => ctx.status?.update(event)),
    progressEveryMs: ctx.status?.replacesRepeats ? Infinity : undefined,
  };
  ctx.status?.begin({ timeoutMs: ctx.propagation.timeoutMs });
  let result: PropagationResult;
  try {
    result = await waitForPropagation(expectations, options);
  } finally {
    ctx.status?.end();
  }
  ctx.logger.info(`every authoritative nameserver serves the record${records.length > 1 ? 's' : ''} after ${(result.elapsedMs / 1000).toFixed(1)}s`);
  return result;
}

/** A cleanup (or a rollback) that left records behind: it names each of them and ends with the command that removes them. */
type RecordNamed = Pick<PlacedRecord, 'domain' | 'name' | 'value'>;

class LeftBehindError extends ProviderApiError {
  constructor(
    provider: string,
    readonly records: RecordNamed[],
    uncertain: ReadonlySet<RecordNamed>,
    first: unknown,
  ) {
    const name = (r: RecordNamed) => `TXT ${r.name} "${r.value}"${uncertain.has(r) ? ' (its add may have happened)' : ''}`;
    const them = records.length === 1 ? 'it' : 'them';
    const transient = first instanceof ProviderApiError ? first.transient : false;
    super(provider, 'cleanup', `could not delete ${records.map(name).join(', ')}: ${describeError(first)}`, {
      hint: `${transient ? `Once ${provider} answers again, remove ${them} with` : `Delete ${them} in the provider panel, or try again with`}: ${cleanupCommand(records)}`,
      cause: first,
      transient,
    });
  }
}

/** Deletes exactly the records given; collects failures and names each record left behind. */
export async function deleteRecords(ctx: FlowContext, records: PlacedRecord[]): Promise<void> {
  await deleteExactly(ctx, records, new Set());
}

/**
 * deleteRecords; `uncertain` ones (creates of unknown outcome) are expected
 * to be absent, so that is said at debug level only. A zone the account
 * turns out not to hold holds nothing of this run: said, and not an error.
 * Returns nothing left (throws LeftBehindError naming what is).
 */
async function deleteExactly(ctx: FlowContext, records: PlacedRecord[], uncertain: ReadonlySet<PlacedRecord>): Promise<RecordNamed[]> {
  const results = await Promise.allSettled(
    records.map(async (r) => {
      ctx.ledger?.atStake(r);
      const outcome = await ctx.provider.deleteTxt(r.zone, r.name, r.value).catch((error: unknown) => {
        if (!(error instanceof ZoneNotFoundError)) throw error;
        ctx.logger.info(`nothing to delete: ${error.message}`);
        return 'absent' as const;
      });
      ctx.ledger?.settled(r);
      if (outcome === 'deleted') ctx.logger.info(`deleted TXT ${r.name}`);
      else if (uncertain.has(r)) ctx.logger.debug(`TXT ${r.name} "${r.value}" was not created after all`);
      else ctx.logger.info(`TXT ${r.name} was already gone`);
    }),
  );
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ record: records[i]!, error: r.reason as unknown }] : []));
  if (failures.length === 0) return [];
  throw new LeftBehindError(
    ctx.provider.name,
    failures.map((f) => f.record),
    uncertain,
    failures[0]!.error,
  );
}

/**
 * Finds the records of the given challenges and deletes exactly those values.
 * A challenge whose present failed and left nothing (noted in the run cache)
 * and a name in no zone of the account have nothing to delete: said at info
 * level, exit 0. A provider failure while finding the others (an outage at
 * login, say) names every record that may be left behind; other errors
 * (credentials, input) pass unchanged.
 */
export async function cleanup(ctx: FlowContext, challenges: Challenge[]): Promise<void> {
  const checked = checkedChallenges(ctx, challenges).filter((c) => {
    if (ctx.runCache?.get(failedPresentKey(c)) === undefined) return true;
    ctx.runCache.delete(failedPresentKey(c));
    ctx.logger.info(`nothing to delete for TXT ${challengeName(c.domain)} "${c.value}": its present failed and left nothing behind`);
    return false;
  });
  let records: PlacedRecord[];
  try {
    const found = await Promise.all(
      checked.map(async (c): Promise<PlacedRecord | undefined> => {
        const name = await challengeTarget(ctx, c.domain);
        try {
          return { domain: c.domain, name, zone: await ctx.provider.findZone(name), value: c.value };
        } catch (error) {
          if (!(error instanceof ZoneNotFoundError)) throw error;
          ctx.logger.info(`nothing to delete: ${error.message}`);
          return undefined;
        }
      }),
    );
    records = found.filter((r): r is PlacedRecord => r !== undefined);
  } catch (error) {
    if (!(error instanceof ProviderApiError)) throw error;
    throw new LeftBehindError(
      ctx.provider.name,
      checked.map((c) => ({ domain: c.domain, name: challengeName(c.domain), value: c.value })),
      new Set(),
      error,
    );
  }
  await deleteRecords(ctx, records);
}

/**
 * present: create every record, then (unless `wait` is false) wait for all of
 * them together. A failed wait removes what was created before it throws.
 */
export async function present(ctx: FlowContext, challenges: Challenge[], options: { wait?: boolean } = {}): Promise<PlacedRecord[]> {
  const placed = await createRecords(ctx, challenges);
  if (options.wait === false) return placed;
  try {
    await waitForRecords(ctx, placed);
  } catch (error) {
    await rollBack(
      ctx,
      placed.map(({ domain, value }) => ({ domain, value })),
      placed,
      new Set(),
    );
    throw error;
  }
  return placed;
}
