import type { Env, Settings, VarSpec } from './config.js';
import { registerSecret } from './redact.js';
import type { HttpClientOptions } from './http.js';
import type { Logger } from './log.js';
import type { RunCache } from './run-cache.js';
import type { Observe, OpenPoint } from './readings.js';

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
  /** The definition's name (`netcup`, ...). */
  readonly name: string;
  /** The account's zone that holds `fqdn` (ZoneNotFoundError when none). */
  findZone(fqdn: string): Promise<Zone>;
  appendTxt(zone: Zone, name: string, value: string): Promise<void>;
  deleteTxt(zone: Zone, name: string, value: string): Promise<DeleteOutcome>;
  listTxt(zone: Zone, name: string): Promise<TxtRecord[]>;
  /**
   * Every TXT record of the zone, where the API lists them all
   * (`dns01 check --write` takes its snapshot with it).
   */
  listZoneTxt?(zone: Zone): Promise<TxtRecord[]>;
  /**
   * Read-only requests that show readings of the API document's open points
   * which ordinary use may not show (an error reply, a filtered list), told to
   * `deps.observe` (`dns01 check --write`, before its first write). Never writes.
   * `txt` is the zone's TXT records as `listZoneTxt` just listed them.
   */
  probeReadings?(zone: Zone, txt: readonly TxtRecord[]): Promise<void>;
  /** The zones the credentials reach, where the API can list them (`dns01 check`). */
  listZones?(): Promise<string[]>;
  /** Which backend serves a zone and whether its credentials are set, where a provider has several (netcup). */
  describeZone?(zone: Zone): { backend: string; label: string; credentials: 'present' | 'missing'; challengeNamesOnly?: boolean };
  /** Ends a session (netcup logout). Safe to call more than once. */
  close(): Promise<void>;
}

export interface ProviderDeps {
  logger: Logger;
  /** The zone apex from DNS (SOA walk), a hint for findZone; undefined when DNS does not know. */
  findApex?: (fqdn: string) => Promise<string | undefined>;
  /** State shared with the other hook processes of this run (sessions, record ids), when the caller is one of them. */
  runCache?: RunCache;
  /** Overrides for the HTTP client (tests shorten retries). */
  http?: Partial<Omit<HttpClientOptions, 'provider' | 'baseUrl' | 'logger'>>;
  /**
   * Runs `fn` under a host-wide lock named `key` (shared by every dns01
   * process of this user), for providers whose API is unsafe across processes
   * (XSServer's index-based deletes). Without it, providers lock per process only.
   */
  hostLock?: HostLock;
  /**
   * Told which reading of an open point of the API document this account
   * shows, whenever a reply shows it (`dns01 check --write` reports them).
   * `point` is one of the definition's `openPoints`.
   */
  observe?: Observe;
}

export type HostLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

/** A public document of the provider's API that the wire client follows. */
export interface ApiDoc {
  title: string;
  url: string;
}

/**
 * A provider's whole definition, one per provider folder. The registry,
 * PROVIDER_NAMES, help texts, the docs' variable and propagation tables and
 * the acme.sh hooks all derive from it (`pnpm generate`).
 */
export interface ProviderDefinition<C = unknown, N extends string = string> {
  readonly name: N;
  /** Human name, e.g. "MrDomain (dondominio)". */
  readonly title: string;
  /** The provider's public API documentation. */
  readonly apiDocs: readonly ApiDoc[];
  /** Settings read from the environment: names, aliases, secret flag, default, meaning. */
  readonly settings: Record<string, VarSpec<unknown>>;
  /** Defaults for the propagation wait, in seconds, and why they are what they are. */
  readonly propagation: { timeout: number; interval: number; note: string };
  /** Whether the API can list the account's zones (`dns01 zones`, `dns01 check` without a domain). */
  readonly canListZones: boolean;
  /**
   * Setting keys of which at least one must be set, where every setting is
   * optional on its own (netcup: the REST key or the legacy key); readConfig
   * checks the rest of the combination. The acme.sh hooks check it first.
   */
  readonly credentialsOneOf?: readonly string[];
  /** Defaults that depend on the configuration (netcup: which backends the credentials reach); else `propagation`. */
  propagationFor?(config: C): { timeout: number; interval: number };
  /** The points the API document leaves open, which the provider reports through `deps.observe`. */
  readonly openPoints: readonly OpenPoint[];
  readConfig(env: Env): C;
  create(config: C, deps: ProviderDeps): DnsProvider;
}

/**
 * Defines a provider. `create` registers every secret setting for redaction
 * (from the settings' secret flags) before the provider is built, so no
 * provider registers its credentials itself.
 */
export function defineProvider<S extends Record<string, VarSpec<unknown>>, const N extends string, C extends Settings<S> = Settings<S>>(
  definition: Omit<ProviderDefinition<C, N>, 'settings'> & { settings: S },
): ProviderDefinition<C, N> {
  return {
    ...definition,
    create(config, deps) {
      for (const [key, spec] of Object.entries(definition.settings)) {
        const value = (config as Record<string, unknown>)[key];
        if (spec.secret && typeof value === 'string') registerSecret(value);
      }
      return definition.create(config, deps);
    },
  };
}
