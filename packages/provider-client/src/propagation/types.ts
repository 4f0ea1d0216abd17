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
  signal?: AbortSignal;
}

export interface PropagationOptions extends ResolverOptions {
  /** Port used for queries to authoritative nameservers (default 53). */
  nsPort?: number;
  /** Give up after this long (PropagationTimeoutError). */
  timeoutMs: number;
  /** Pause between two rounds of queries. */
  intervalMs: number;
  /** Called after each round and on every change of a nameserver's state. */
  onProgress?: (event: ProgressEvent) => void;
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
  lagging: { nameserver: string; name: string; states: AddressState[] }[];
}

export interface PropagationResult {
  elapsedMs: number;
  rounds: number;
  /** For each nameserver, when (ms after the start) it first served everything. */
  confirmedAt: Record<string, number>;
}
