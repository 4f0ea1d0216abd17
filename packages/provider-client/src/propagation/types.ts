import type { ServerAddress } from '../config.js';

/** One owner name and every value it must serve (apex + wildcard: two values). */
export interface Expectation {
  name: string;
  values: string[];
}

export interface ResolverOptions {
  /** Recursive resolvers for SOA/NS/A/AAAA/CNAME lookups; empty = the system's (/etc/resolv.conf). */
  resolvers?: ServerAddress[];
  /** Per query, before a retry (default 2000 ms). */
  queryTimeoutMs?: number;
  /** Tries per query on timeout or socket error (default 2). */
  attempts?: number;
  signal?: AbortSignal;
}

export interface PropagationOptions extends ResolverOptions {
  /** Port used for queries to authoritative nameservers (default 53). */
  nsPort?: number;
  /** Give up after this long (PropagationTimeoutError). */
  timeoutMs: number;
  /** Time from the start of one round of queries to the next (a longer round is followed at once). */
  intervalMs: number;
  /**
   * Called when a nameserver's state changes, and otherwise at most every
   * `progressEveryMs` while waiting. Not called after the round that succeeds.
   */
  onProgress?: (event: ProgressEvent) => void;
  /** Longest silence between two progress events while nothing changes (default 30 000 ms). */
  progressEveryMs?: number;
  /** Called after every round that has not finished the wait, changed or not (a live status line). */
  onRound?: (event: ProgressEvent) => void;
}

/**
 * Something that shows a wait while it runs, e.g. the dns01 command's status
 * line in a terminal: `begin` before the first query, `update` after every
 * round, `end` once the wait is over (done, failed or interrupted).
 */
export interface WaitStatus {
  begin(wait: { timeoutMs: number }): void;
  update(event: ProgressEvent): void;
  end(): void;
  /** Log lines per change are enough while the status shows the wait: no periodic repeats. */
  readonly replacesRepeats: boolean;
}

/** What one nameserver address answered for one name in the latest round. */
export interface AddressState {
  nameserver: string;
  address: string;
  name: string;
  /** `ok` when it served every expected value. */
  status: 'ok' | 'missing' | 'nxdomain' | 'servfail' | 'refused' | 'timeout' | 'error';
  /** The TXT values it served. */
  served: string[];
  detail?: string;
}

export interface ProgressEvent {
  elapsedMs: number;
  round: number;
  /** Nameservers (by host name) that serve every value for every name. */
  confirmed: string[];
  /** Nameservers still lagging, with what their addresses answered. */
  lagging: { nameserver: string; name: string; states: AddressState[]; expected?: string[] }[];
  /** Names whose zone or NS set could not be found yet (retried every round), with why. */
  unresolved?: { name: string; reason: string }[];
}

export interface PropagationResult {
  elapsedMs: number;
  rounds: number;
  /** For each nameserver, when (ms after the start) it first served everything. */
  confirmedAt: Record<string, number>;
}
