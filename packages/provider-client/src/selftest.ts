import { randomBytes } from 'node:crypto';
import type { TxtRecord, Zone } from './contract.js';
import { DeviationError, Dns01Error, ProviderApiError } from './errors.js';
import { challengeTarget, waitForRecords, type FlowContext } from './flow.js';
import type { OpenPoint, ReadingLog, ReadingReport } from './readings.js';
import { missingFrom } from './kit/index.js';
import { describeError } from './redact.js';

/**
 * `dns01 check --write`: proves on the user's own account what the emulators
 * can only assume. On a throwaway name it adds two values, deletes one, waits
 * for the other on every authoritative nameserver and deletes it, comparing
 * the zone's TXT records with a snapshot after every step. At the first
 * deviation it stops and only removes its own values.
 */

export interface SelfTestStep {
  step: string;
  ok: boolean;
  detail: string;
}

export interface SelfTestReport {
  provider: string;
  domain: string;
  zone: string;
  /** The throwaway name the values went to. */
  name: string;
  /**
   * What the snapshot holds: every TXT of the zone (`zone`), every
   * `_acme-challenge` TXT where the backend reaches only those
   * (`challenge names`), or only the throwaway name's (`name`).
   */
  snapshot: 'zone' | 'challenge names' | 'name';
  /** The API that serves the zone, where a provider has several (netcup). */
  backend?: string;
  /** TXT records in the snapshot. */
  snapshotRecords: number;
  steps: SelfTestStep[];
  /** When each authoritative nameserver first served B (ms after the API accepted it), and the timeout that suggests. */
  propagation?: { elapsedMs: number; nameservers: { nameserver: string; ms: number }[]; suggestedTimeout: number };
  readings: ReadingReport[];
  /** HTTP requests sent to the provider API, retries included. */
  apiCalls: number;
  /** Whether the zone's TXT records are exactly the snapshot again. */
  zoneRestored: boolean;
  /** Values of this check that could not be removed (each named in the report). */
  leftBehind: string[];
  /** `ok`: everything held; `deviation`: the provider did something dns01 cannot handle on this account. */
  outcome: 'ok' | 'deviation';
  deviation?: string;
}

export interface SelfTestOptions {
  /** The log the provider reports its observations to (`deps.observe`). */
  readings: ReadingLog;
  /** The provider definition's open points, so the report lists the unseen ones too. */
  openPoints: readonly OpenPoint[];
  /** HTTP requests sent so far (the provider's `deps.http.onRequest`). */
  apiCalls: () => number;
  /** A random token for the name and the values (tests fix it). */
  random?: () => string;
}

/**
 * The throwaway name: `_dns01-selftest-<token>.<zone>`, or
 * `_acme-challenge.dns01-selftest-<token>.<zone>` where the backend writes
 * only `_acme-challenge` names (netcup's REST API).
 */
export function selfTestName(zone: string, token: string, challengeNamesOnly = false): string {
  return challengeNamesOnly ? `_acme-challenge.dns01-selftest-${token}.${zone}` : `_dns01-selftest-${token}.${zone}`;
}

/** The suggested DNS01_PROPAGATION_TIMEOUT: three times the slowest nameserver, at least a minute, in whole minutes. */
export function suggestedTimeout(slowestMs: number): number {
  return Math.max(60, Math.ceil((slowestMs * 3) / 60_000) * 60);
}

const keyOf = (r: Pick<TxtRecord, 'name' | 'value'>) => `${r.name} "${r.value}"`;

/** The multiset difference of two TXT lists: what `a` has that `b` lacks, one for one. */
const without = (a: readonly TxtRecord[], b: readonly TxtRecord[]): string[] => missingFrom(a.map(keyOf), b.map(keyOf));

/** A step whose outcome is not what dns01 relies on. */
class Deviation extends Error {}

/**
 * How often at most the write check asks the nameservers while it measures
 * (a one-off, so the extra queries are fine): each time is taken to the
 * millisecond when a reply first shows the value, at most this late, not up
 * to DNS01_POLLING_INTERVAL (5 s and more) late.
 */
const MEASURE_INTERVAL_MS = 250;

export async function selfTest(ctx: FlowContext, domain: string, options: SelfTestOptions): Promise<SelfTestReport> {
  const { provider, logger } = ctx;
  const token = options.random ?? (() => randomBytes(32).toString('base64url'));
  const target = await challengeTarget(ctx, domain);
  const zone: Zone = await provider.findZone(target);
  const described = provider.describeZone?.(zone);
  if (described) options.readings.observe('backend', `${described.label} serves ${zone.name}`, described.credentials === 'present');
  const challengeOnly = described?.challengeNamesOnly === true;
  const name = selfTestName(
    zone.name,
    token()
      .slice(0, 10)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0'),
    challengeOnly,
  );
  // ACME digests: 43 characters of base64url, what every backend accepts as a TXT value.
  const valueA = token().slice(0, 43);
  const valueB = token().slice(0, 43);
  const steps: SelfTestStep[] = [];
  const placed = new Set<string>();
  const report = (partial: Pick<SelfTestReport, 'zoneRestored' | 'leftBehind' | 'outcome' | 'deviation'>): SelfTestReport => ({
    provider: provider.name,
    domain,
    zone: zone.name,
    name,
    snapshot: !provider.listZoneTxt ? 'name' : challengeOnly ? 'challenge names' : 'zone',
    ...(described ? { backend: described.label } : {}),
    snapshotRecords: snapshot.length,
    steps,
    ...(propagation ? { propagation } : {}),
    readings: options.readings.report(options.openPoints),
    apiCalls: options.apiCalls(),
    ...partial,
  });
  const pass = (step: string, detail: string) => {
    steps.push({ step, ok: true, detail });
    logger.info(`check --write: ${step}: ${detail}`);
  };
  const listState = (): Promise<TxtRecord[]> => (provider.listZoneTxt ? provider.listZoneTxt(zone) : provider.listTxt(zone, name));
  const atName = (records: TxtRecord[]) => records.filter((r) => r.name === name).map((r) => r.value);
  /** The first reading seen that dns01 cannot handle, as a deviation. */
  const checkReadings = () => {
    const bad = options.readings.unhandled()[0];
    const title = options.openPoints.find((p) => p.point === bad?.point)?.title ?? bad?.point;
    if (bad) throw new Deviation(`${title}: this account shows ${bad.seen ?? 'an unknown reading'}, which dns01 cannot handle`);
  };
  /** The zone's TXT records must be the snapshot plus exactly `expected` at the name. */
  const expectState = async (step: string, expected: string[]): Promise<void> => {
    const now = await listState();
    const wanted = [...snapshot, ...expected.map((value) => ({ name, value }))];
    const extra = without(now, wanted);
    const missing = without(wanted, now);
    if (provider.listZoneTxt) {
      // The lookup by name is what cleanup relies on: it must see what the zone list sees.
      const byName = (await provider.listTxt(zone, name)).map((r) => r.value).sort();
      if (byName.join('\n') !== [...atName(now)].sort().join('\n')) {
        throw new Deviation(`${step}: the list of ${name} shows ${byName.length} value(s) where the zone list shows ${atName(now).length}`);
      }
    }
    checkReadings();
    if (extra.length > 0 || missing.length > 0) {
      const parts = [...(missing.length ? [`missing: ${missing.join(', ')}`] : []), ...(extra.length ? [`unexpected: ${extra.join(', ')}`] : [])];
      throw new Deviation(`${step}: the zone's TXT records are not what they should be (${parts.join('; ')})`);
    }
  };

  let snapshot: TxtRecord[] = [];
  let propagation: SelfTestReport['propagation'];
  try {
    snapshot = await listState();
  } catch (error) {
    // Credentials and zone errors keep their own codes; any other failure to list is the provider's.
    if (!(error instanceof ProviderApiError)) throw error;
    throw new ProviderApiError(provider.name, 'check --write', `refusing to start: no snapshot of ${zone.name} (${error.message})`, {
      hint: error.hint ?? 'Try again later',
      cause: error,
      transient: error.transient,
    });
  }
  if (atName(snapshot).length > 0) throw new Dns01Error(`refusing to start: ${name} already holds TXT records`, { hint: 'Run the check again' });
  try {
    await provider.probeReadings?.(zone, snapshot);
  } catch (error) {
    // Read-only and only for the report: a failed probe leaves its points unseen.
    logger.warn(`check --write: probing the readings failed: ${describeError(error)}`);
  }
  const scope = !provider.listZoneTxt ? name : challengeOnly ? `the _acme-challenge names of ${zone.name}` : `the zone ${zone.name}`;
  pass('snapshot', `${snapshot.length} TXT record(s) in ${scope}`);

  // The values at stake are the run's too: a second Ctrl-C names them (runMain's ledger).
  const stake = (value: string) => {
    placed.add(value);
    ctx.ledger?.atStake({ name, value });
  };
  const settle = (value: string) => {
    placed.delete(value);
    ctx.ledger?.settled({ name, value });
  };
  let failure: unknown;
  let deviation: string | undefined;
  try {
    checkReadings();
    stake(valueA);
    await provider.appendTxt(zone, name, valueA);
    await expectState('add A', [valueA]);
    stake(valueB);
    await provider.appendTxt(zone, name, valueB);
    const addedB = Date.now();
    await expectState('add B', [valueA, valueB]);
    pass('add-only', `two values coexist at ${name}`);
    await provider.deleteTxt(zone, name, valueA);
    settle(valueA);
    await expectState('delete A', [valueB]);
    pass('exact delete', 'A gone, B still there, nothing else changed');
    const waitFrom = Date.now();
    // Polled closely, to measure each nameserver's time rather than round it up to the polling interval.
    const measured = { ...ctx, propagation: { ...ctx.propagation, intervalMs: Math.min(ctx.propagation.intervalMs, MEASURE_INTERVAL_MS) } };
    const result = await waitForRecords(measured, [{ name, value: valueB }]);
    // Counted from the moment the API accepted B: the provider's own propagation time.
    const nameservers = Object.entries(result.confirmedAt)
      .map(([nameserver, ms]) => ({ nameserver, ms: ms + (waitFrom - addedB) }))
      .sort((a, b) => a.ms - b.ms);
    const slowest = Math.max(0, ...nameservers.map((n) => n.ms));
    propagation = { elapsedMs: result.elapsedMs, nameservers, suggestedTimeout: suggestedTimeout(slowest) };
    pass('propagation', nameservers.map((n) => `${n.nameserver} after ${n.ms} ms`).join(', '));
    await provider.deleteTxt(zone, name, valueB);
    settle(valueB);
    await expectState('delete B', []);
    pass('restored', 'the zone is identical to the snapshot');
  } catch (error) {
    // A provider that stopped because it saw a reading it cannot handle: that is the deviation.
    const unhandled = options.readings.unhandled()[0];
    let found: Deviation | undefined = error instanceof Deviation ? error : undefined;
    if (!found && unhandled && error instanceof Dns01Error) {
      const title = options.openPoints.find((p) => p.point === unhandled.point)?.title ?? unhandled.point;
      found = new Deviation(`${title}: this account shows ${unhandled.seen ?? 'an unknown reading'}, which dns01 cannot handle (${error.message})`);
    }
    if (found) {
      deviation = found.message;
      steps.push({ step: 'deviation', ok: false, detail: found.message });
      logger.error(`check --write: ${found.message}; removing only this check's values`);
    } else failure = error;
  }

  if (!failure && !deviation) return report({ zoneRestored: true, leftBehind: [], outcome: 'ok' });

  // Only this check's own values: random, absent from the snapshot, so no foreign record can match.
  const leftBehind: string[] = [];
  for (const value of placed) {
    if (snapshot.some((r) => r.name === name && r.value === value)) continue;
    try {
      await provider.deleteTxt(zone, name, value);
      ctx.ledger?.settled({ name, value });
    } catch (error) {
      leftBehind.push(`TXT ${name} "${value}"`);
      logger.error(`check --write: could not remove TXT ${name} "${value}": ${describeError(error)}`);
    }
  }
  let zoneRestored = false;
  try {
    const after = await listState();
    zoneRestored = without(after, snapshot).length === 0 && without(snapshot, after).length === 0;
    for (const r of without(after, snapshot)) if (r.startsWith(`${name} `) && !leftBehind.includes(`TXT ${r}`)) leftBehind.push(`TXT ${r}`);
  } catch (error) {
    logger.error(`check --write: could not list ${zone.name} to compare it with the snapshot: ${describeError(error)}`);
  }
  if (failure) {
    if (leftBehind.length === 0 || !(failure instanceof Dns01Error)) throw failure;
    throw new ProviderApiError(provider.name, 'check --write', `${describeError(failure)}; left behind: ${leftBehind.join(', ')}`, {
      hint: 'Delete those records in the provider panel',
      cause: failure,
    });
  }
  return report({ zoneRestored, leftBehind, outcome: 'deviation', deviation });
}

/** The deviation of a report as an error, for callers that want one (exit code `deviation`). */
export function deviationError(report: SelfTestReport): DeviationError {
  const left = report.leftBehind.length > 0 ? `; left behind: ${report.leftBehind.join(', ')}` : '';
  return new DeviationError(`${report.provider} on ${report.zone}: ${report.deviation ?? 'a deviation'}${left}`, {
    hint: 'Do not issue certificates through dns01 on this zone yet; report this to the dns01 maintainers with the --json report',
  });
}
