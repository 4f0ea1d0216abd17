import { PropagationTimeoutError } from '../errors.js';
import { normalizeFqdn } from '../names.js';
import { checkNameserver, type CheckOptions } from './check.js';
import { describeLagging } from './format.js';
import { nameserverAddresses, nameserverSet, walkToApex, type NameserverInfo } from './lookup.js';
import { DEFAULT_QUERY_TIMEOUT_MS, ResolverFailure } from './resolvers.js';
import type { AddressState, Expectation, ProgressEvent, PropagationOptions, PropagationResult } from './types.js';

const DEFAULT_PROGRESS_EVERY_MS = 30_000;

/** One name to check: its expected values and, once found, its zone's nameservers. */
interface Target {
  name: string;
  expected: Set<string>;
  nameservers?: NameserverInfo[];
  /** Why the nameservers are not known yet. */
  problem?: string;
}

/** One (nameserver, name) pair: confirmed once, or what its addresses last answered. */
interface Pair {
  nameserver: string;
  name: string;
  confirmedAt?: number;
  states: AddressState[];
}

class DeadlineReached extends Error {}

const NOT_LOOKED_UP = 'not looked up yet';

function mergeExpectations(expectations: Expectation[]): Target[] {
  const byName = new Map<string, Set<string>>();
  for (const e of expectations) {
    const name = normalizeFqdn(e.name);
    const set = byName.get(name) ?? new Set<string>();
    for (const v of e.values) set.add(v);
    byName.set(name, set);
  }
  return [...byName].map(([name, expected]) => ({ name, expected }));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Resolves when every authoritative nameserver of each name's zone serves
 * every expected value. Rounds start every `intervalMs` (at once when a round
 * took longer); the first starts immediately and the call returns the moment
 * the last nameserver confirms. Throws PropagationTimeoutError naming each
 * lagging nameserver and what it last answered, or the signal's reason.
 */
export async function waitForPropagation(expectations: Expectation[], options: PropagationOptions): Promise<PropagationResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const targets = mergeExpectations(expectations);
  options.signal?.throwIfAborted();
  if (targets.length === 0) return { elapsedMs: 0, rounds: 0, confirmedAt: {} };

  const deadline = new AbortController();
  const deadlineTimer = setTimeout(() => deadline.abort(new DeadlineReached()), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  const resolverOptions = { resolvers: options.resolvers, queryTimeoutMs: options.queryTimeoutMs, attempts: options.attempts, signal };
  const checkOptions: CheckOptions = {
    nsPort: options.nsPort ?? 53,
    queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    attempts: options.attempts,
    signal,
  };
  const pairs = new Map<string, Pair>();
  const pairOf = (nameserver: string, name: string): Pair => {
    const key = `${nameserver}\n${name}`;
    let pair = pairs.get(key);
    if (!pair) pairs.set(key, (pair = { nameserver, name, states: [] }));
    return pair;
  };

  const discover = async (target: Target, zones: Map<string, Promise<NameserverInfo[]>>): Promise<void> => {
    try {
      const apex = await walkToApex(target.name, resolverOptions);
      if (!apex) {
        target.problem = `no SOA found for ${target.name} or its parents`;
        return;
      }
      let set = zones.get(apex);
      if (!set) zones.set(apex, (set = nameserverSet(apex, resolverOptions)));
      const nameservers = await set;
      if (nameservers.length === 0) {
        target.problem = `no NS records for zone ${apex}`;
        return;
      }
      target.nameservers = nameservers;
      target.problem = undefined;
    } catch (error) {
      if (!(error instanceof ResolverFailure)) throw error;
      target.problem = error.message;
    }
  };

  const checkTarget = async (target: Target): Promise<void> => {
    const nameservers = target.nameservers ?? [];
    await Promise.all(
      nameservers.map(async (ns, i) => {
        const pair = pairOf(ns.name, target.name);
        if (pair.confirmedAt !== undefined) return;
        let info = ns;
        if (info.addresses.length === 0) nameservers[i] = info = await nameserverAddresses(ns.name, resolverOptions);
        const result = await checkNameserver(info, target.name, target.expected, checkOptions);
        pair.states = result.states;
        if (result.confirmed) pair.confirmedAt = elapsed();
      }),
    );
  };

  const snapshot = (round: number): ProgressEvent => {
    const lagging: ProgressEvent['lagging'] = [];
    const lagNames = new Set<string>();
    for (const target of targets) {
      for (const ns of target.nameservers ?? []) {
        const pair = pairOf(ns.name, target.name);
        if (pair.confirmedAt !== undefined) continue;
        lagNames.add(ns.name);
        lagging.push({ nameserver: ns.name, name: target.name, states: pair.states, expected: [...target.expected] });
      }
    }
    const confirmed = [...new Set(targets.flatMap((t) => (t.nameservers ?? []).map((ns) => ns.name)))].filter((n) => !lagNames.has(n)).sort();
    const unresolved = targets.flatMap((t) => (t.nameservers ? [] : [{ name: t.name, reason: t.problem ?? NOT_LOOKED_UP }]));
    return { elapsedMs: elapsed(), round, confirmed, lagging, unresolved };
  };

  const timeoutError = (event: ProgressEvent): PropagationTimeoutError => {
    const withName = targets.length > 1;
    const parts = [
      ...event.lagging.map((l) => describeLagging(l, { withName, withValues: true, final: true })),
      ...(event.unresolved ?? []).map(
        (u) => `nameservers of ${u.name} unknown: ${u.reason === NOT_LOOKED_UP ? 'the lookup did not finish before the deadline' : u.reason}`,
      ),
    ];
    const values = targets.reduce((n, t) => n + t.expected.size, 0);
    return new PropagationTimeoutError(
      `not every authoritative nameserver serves the TXT value${values === 1 ? '' : 's'} after ${Math.round(event.elapsedMs / 1000)}s: ${parts.join('; ')}`,
      {
        hint: 'Raise DNS01_PROPAGATION_TIMEOUT (--timeout) if the provider publishes slowly; a nameserver that never updates or does not answer may be a stale NS delegation at the registrar',
      },
    );
  };

  const progressEvery = options.progressEveryMs ?? DEFAULT_PROGRESS_EVERY_MS;
  let lastSignature = '';
  let lastEmitted = -Infinity;
  const report = (event: ProgressEvent) => {
    if (!options.onProgress) return;
    const signature = JSON.stringify([
      event.confirmed,
      event.lagging.map((l) => [l.nameserver, l.name, l.states.map((s) => [s.address, s.status, [...s.served].sort()])]),
      event.unresolved?.map((u) => [u.name, u.reason]),
    ]);
    if (signature === lastSignature && event.elapsedMs - lastEmitted < progressEvery) return;
    lastSignature = signature;
    lastEmitted = event.elapsedMs;
    options.onProgress(event);
  };

  let round = 0;
  try {
    for (;;) {
      round += 1;
      const roundStarted = performance.now();
      const zones = new Map<string, Promise<NameserverInfo[]>>();
      await Promise.all(targets.filter((t) => !t.nameservers).map((t) => discover(t, zones)));
      await Promise.all(targets.map(checkTarget));

      const event = snapshot(round);
      if (event.lagging.length === 0 && (event.unresolved ?? []).length === 0) {
        const confirmedAt: Record<string, number> = {};
        for (const pair of pairs.values()) confirmedAt[pair.nameserver] = Math.max(confirmedAt[pair.nameserver] ?? 0, pair.confirmedAt ?? 0);
        return { elapsedMs: elapsed(), rounds: round, confirmedAt };
      }
      report(event);
      options.onRound?.(event);
      const wait = options.intervalMs - (performance.now() - roundStarted);
      if (wait > 0) await sleep(wait, signal);
      else signal.throwIfAborted();
    }
  } catch (error) {
    if (deadline.signal.aborted && !options.signal?.aborted) throw timeoutError(snapshot(round));
    throw error;
  } finally {
    clearTimeout(deadlineTimer);
  }
}
