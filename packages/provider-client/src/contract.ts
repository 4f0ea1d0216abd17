import type { Env, ProviderName, VarSpec } from './config.js';
import type { HttpClientOptions } from './http.js';
import type { Logger } from './log.js';

/** A zone as the provider knows it. `name` is normalised (lower case, A-labels, no trailing dot). */
export interface Zone {
  name: string;
  /** Provider-specific handle (XSServer domain id, MrDomain service name, ...). */
  id?: string;
}

/** A TXT record as the provider holds it. */
export interface TxtRecord {
  /** Absolute, normalised owner name. */
  name: string;
  /** The TXT value without surrounding quotes. */
  value: string;
  /** Provider record id, where the provider has one. */
  id?: string;
}

export type DeleteOutcome = 'deleted' | 'absent';

/**
 * What every provider implements (modelled on libdns). All names are absolute.
 *
 * Rules: add-only; delete only exact (name, TXT, value) matches; a record
 * already present on append, or already gone on delete, is success. All
 * methods may be called concurrently for the same zone.
 */
export interface DnsProvider {
  readonly name: ProviderName;
  /** The account's zone that holds `fqdn` (ZoneNotFoundError when none). */
  findZone(fqdn: string): Promise<Zone>;
  appendTxt(zone: Zone, name: string, value: string): Promise<void>;
  deleteTxt(zone: Zone, name: string, value: string): Promise<DeleteOutcome>;
  listTxt(zone: Zone, name: string): Promise<TxtRecord[]>;
  /** The zones the credentials reach, where the API can list them (`dns01 check`). */
  listZones?(): Promise<string[]>;
  /** Ends a session (netcup logout). Safe to call more than once. */
  close(): Promise<void>;
}

export interface ProviderDeps {
  logger: Logger;
  /** The zone apex from DNS (SOA walk), a hint for findZone; undefined when DNS does not know. */
  findApex?: (fqdn: string) => Promise<string | undefined>;
  /** Overrides for the HTTP client (tests shorten retries). */
  http?: Partial<Omit<HttpClientOptions, 'provider' | 'baseUrl' | 'logger'>>;
}

/** How a provider is configured and built: one per provider folder. */
export interface ProviderDefinition<C = unknown> {
  readonly name: ProviderName;
  /** Human name, e.g. "MrDomain (dondominio)". */
  readonly title: string;
  /** Settings read from the environment; documented from these specs. */
  readonly settings: Record<string, VarSpec<unknown>>;
  /** Defaults for the propagation wait, in seconds. */
  readonly propagation: { timeout: number; interval: number };
  readConfig(env: Env): C;
  create(config: C, deps: ProviderDeps): DnsProvider;
}
