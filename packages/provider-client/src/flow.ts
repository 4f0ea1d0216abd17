import type { DnsSettings } from './config.js';
import type { DnsProvider, Zone } from './contract.js';
import { InvalidInputError, isOutcomeUnknown, ProviderApiError } from './errors.js';
import type { Logger } from './log.js';
import { challengeName, checkTxtValue, normalizeDomain } from './names.js';
import { formatProgress, resolveCnameTarget, waitForPropagation } from './propagation/index.js';
import type { PropagationOptions, PropagationResult, WaitStatus } from './propagation/types.js';
import { describeError } from './redact.js';

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
  atStake(record: Pick<PlacedRecord, 'name' | 'value'>): void;
  settled(record: Pick<PlacedRecord, 'name' | 'value'>): void;
}

/** One call's view of a session: the shared provider, and this call's logger, settings, signal, status and ledger. */
export interface FlowContext {
  provider: DnsProvider;
  logger: Logger;
  propagation: PropagationSettings;
  signal?: AbortSignal;
  /** Shows the propagation wait while it runs (the dns01 command in a terminal). */
  status?: WaitStatus;
  ledger?: RecordLedger;
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
 * Creates the TXT records (concurrently; providers batch or serialise as their
 * API needs). When one fails, the ones this call placed are removed again,
 * and so is a failed one whose write may have happened anyway (its outcome
 * unknown: exact match only); the first error is thrown. A record that cannot
 * be removed is named in an error line: nothing is left behind unnamed.
 */
export async function createRecords(ctx: FlowContext, challenges: Challenge[]): Promise<PlacedRecord[]> {
  checkChallenges(challenges);
  const attempted: (PlacedRecord | undefined)[] = [];
  const results = await Promise.allSettled(
    challenges.map(async (c, i): Promise<PlacedRecord> => {
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
  if (failed) {
    const uncertain = results.flatMap((r, i) => (r.status === 'rejected' && isOutcomeUnknown(r.reason) && attempted[i] ? [attempted[i]] : []));
    const rollback = [...placed, ...uncertain];
    if (rollback.length > 0) await deleteExactly(ctx, rollback, new Set(uncertain)).catch((e: unknown) => ctx.logger.error(describeError(e)));
    throw failed.reason;
  }
  return placed;
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

/** The error of a cleanup that left records behind: it names each of them. */
function leftBehindError(ctx: FlowContext, left: Pick<PlacedRecord, 'name' | 'value'>[], first: unknown): ProviderApiError {
  const names = left.map((r) => `TXT ${r.name} "${r.value}"`).join(', ');
  return new ProviderApiError(ctx.provider.name, 'cleanup', `could not delete ${names}: ${describeError(first)}`, {
    hint: 'Run the cleanup again later, or delete that record in the provider panel',
    cause: first,
    transient: first instanceof ProviderApiError ? first.transient : false,
  });
}

/** Deletes exactly the records given; collects failures and names each record left behind. */
export async function deleteRecords(ctx: FlowContext, records: PlacedRecord[]): Promise<void> {
  await deleteExactly(ctx, records, new Set());
}

/** deleteRecords; `uncertain` ones (creates of unknown outcome) are expected to be absent, so that is said at debug level only. */
async function deleteExactly(ctx: FlowContext, records: PlacedRecord[], uncertain: ReadonlySet<PlacedRecord>): Promise<void> {
  const results = await Promise.allSettled(
    records.map(async (r) => {
      ctx.ledger?.atStake(r);
      const outcome = await ctx.provider.deleteTxt(r.zone, r.name, r.value);
      ctx.ledger?.settled(r);
      if (outcome === 'deleted') ctx.logger.info(`deleted TXT ${r.name}`);
      else if (uncertain.has(r)) ctx.logger.debug(`TXT ${r.name} "${r.value}" was not created after all`);
      else ctx.logger.info(`TXT ${r.name} was already gone`);
    }),
  );
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ record: records[i]!, error: r.reason as unknown }] : []));
  if (failures.length === 0) return;
  throw leftBehindError(ctx, failures.map((f) => f.record), failures[0]!.error);
}

/**
 * Finds the records of the given challenges and deletes exactly those values.
 * A provider failure while finding them (an outage at login, say) also names
 * every record left behind; other errors (credentials, input) pass unchanged.
 */
export async function cleanup(ctx: FlowContext, challenges: Challenge[]): Promise<void> {
  checkChallenges(challenges);
  let records: PlacedRecord[];
  try {
    records = await Promise.all(
      challenges.map(async (c): Promise<PlacedRecord> => {
        const name = await challengeTarget(ctx, c.domain);
        return { domain: c.domain, name, zone: await ctx.provider.findZone(name), value: c.value };
      }),
    );
  } catch (error) {
    if (!(error instanceof ProviderApiError)) throw error;
    throw leftBehindError(ctx, challenges.map((c) => ({ name: challengeName(c.domain), value: c.value })), error);
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
    await deleteRecords(ctx, placed).catch((e: unknown) => ctx.logger.error(describeError(e)));
    throw error;
  }
  return placed;
}
