import { readSettings, type Env, type Settings, type VarSpec } from './config.js';
import { registerSecret } from './redact.js';
import type { HttpClientOptions } from './http.js';
import type { Logger } from './log.js';
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

/** What an append did: `created` the record, or found the exact value `present` already (nothing created). */
export type AppendOutcome = 'created' | 'present';

/** What a delete did: `deleted` at least one exact match, or found none (`absent`: already gone, or never there). */
export type DeleteOutcome = 'deleted' | 'absent';

/** Which of a provider's backends serves a zone, where it has several (netcup: the REST or the CCP API). */
export interface ZoneBackend {
  backend: string;
  /** How messages name it: "REST API (CloudDNS)". */
  label: string;
  /** Whether the credentials that backend needs are configured. */
  credentials: 'present' | 'missing';
  /** The backend writes only `_acme-challenge` names (netcup REST without NETCUP_REST_CHANGESET). */
  challengeNamesOnly?: boolean;
}

/**
 * What every provider implements, modelled on libdns: a handful of methods
 * whose doc comments state every rule. All names are absolute; a provider
 * normalises them (lower case, A-labels, no trailing dot) itself.
 *
 * Every provider is written on the provider kit (`kit/`), which keeps these
 * rules in one place; a backend implements only the kit's wire interface.
 */
export interface DnsProvider {
  /** The definition's name (`netcup`, ...). */
  readonly name: string;
  /**
   * The account's zone that holds `fqdn`: the apex the DNS names first (one
   * call in the common case), then each parent from the longest down.
   * ZoneNotFoundError when no zone of the account holds it. Read-only;
   * safe to call concurrently; a provider may remember the answer.
   */
  findZone(fqdn: string): Promise<Zone>;
  /**
   * Adds one TXT record `value` at `name` in `zone`. Add-only: never edits,
   * replaces or deletes another record; a second value on a name (apex and
   * wildcard) stands beside the first. Idempotent: the exact value already
   * there is success (`present`), not a second copy.
   *
   * The name must lie inside the zone and the value be 1-255 printable
   * ASCII characters without `"` or `\` (InvalidInputError before any call).
   * Safe to call concurrently, also for one zone and one name: a provider
   * serialises or batches what its API cannot take concurrently.
   *
   * A write whose outcome is unknown (a timeout, a 5xx, an unreadable reply)
   * is looked for before it is reported or sent again; when the look fails
   * too, the error is `isOutcomeUnknown` and the caller must delete the
   * value by exact match (or name it as left behind).
   */
  appendTxt(zone: Zone, name: string, value: string): Promise<AppendOutcome>;
  /**
   * Deletes every TXT record at exactly `name` whose value is exactly
   * `value` (unquoted), and nothing else: a record it cannot match exactly
   * is left alone, and a delete is sent only for a record the API itself
   * listed (or, netcup REST, addressed by the exact value). `absent` when
   * there is none: already gone, or never there; both are success.
   * Safe to call concurrently; may be repeated.
   */
  deleteTxt(zone: Zone, name: string, value: string): Promise<DeleteOutcome>;
  /** The TXT records at exactly `name` as the provider holds them now (values unquoted). Read-only. */
  listTxt(zone: Zone, name: string): Promise<TxtRecord[]>;
  /**
   * Every TXT record of the zone, where the API lists them all
   * (`dns01 check --write` takes its snapshot with it). Read-only.
   */
  listZoneTxt?(zone: Zone): Promise<TxtRecord[]>;
  /**
   * Read-only requests that show readings of the API document's open points
   * which ordinary use may not show (an error reply, a filtered list), told to
   * `deps.observe` (`dns01 check --write`, before its first write). Never writes.
   * `txt` is the zone's TXT records as `listZoneTxt` just listed them.
   */
  probeReadings?(zone: Zone, txt: readonly TxtRecord[]): Promise<void>;
  /** The zones the credentials reach, where the API can list them (`dns01 check`). Read-only. */
  listZones?(): Promise<string[]>;
  /** Which backend serves a zone, where the definition has several (filled in by `defineProvider` from its `backends`). */
  describeZone?(zone: Zone): ZoneBackend;
  /** Ends a session (netcup logout). Safe to call more than once; never throws. */
  close(): Promise<void>;
}

/**
 * Values that the hook processes of one run share (a session id, the zones
 * already looked up, the records just created), per provider account.
 * Clients such as acme.sh, lego and uacme start one process per challenge;
 * without this each would log in and look the zone up again.
 *
 * The cache never decides anything: a value may be stale, planted or
 * garbled, so whoever reads one checks it against what it serves (a
 * recalled record against the cleanup it serves, a zone against the API's
 * answer) and falls back to asking the API. An expired value is never
 * returned. A value may be a secret: whoever reads it registers it with
 * redact.ts. Implemented by `openRunCache` (run-cache.ts).
 */
export interface RunCache {
  get(key: string): string | undefined;
  /** Stores `value` for at most `ttlMs` from now. */
  set(key: string, value: string, ttlMs: number): void;
  delete(key: string): void;
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
  /** Where a provider has several backends (netcup: the REST and the CCP API), what depends on them. */
  readonly backends?: ProviderBackends<C>;
  /**
   * Writes only `_acme-challenge` records and cannot list them (the gateway
   * provider, whose gateway holds the real provider): `dns01 check --write`
   * and `dns01 persist` refuse it.
   */
  readonly challengesOnly?: boolean;
  /** The points the API document leaves open, which the provider reports through `deps.observe`. */
  readonly openPoints: readonly OpenPoint[];
  readConfig(env: Env): C;
  create(config: C, deps: ProviderDeps): DnsProvider;
}

/**
 * What a provider with several backends (netcup) derives from its
 * configuration: which credentials suffice, the propagation defaults, and
 * which backend serves a zone.
 */
export interface ProviderBackends<C> {
  /**
   * Setting keys of which at least one must be set, where every setting is
   * optional on its own (netcup: the REST key or the legacy key); readConfig
   * checks the rest of the combination. The acme.sh hooks check it first.
   */
  readonly credentialsOneOf: readonly string[];
  /** The propagation defaults for a configuration (netcup: which backends the credentials reach); else the definition's `propagation`. */
  propagationFor(config: C): { timeout: number; interval: number };
  /** Which backend serves a zone found by the provider, and whether its credentials are set (`dns01 check`, `check --write`). */
  describeZone(config: C, zone: Zone): ZoneBackend;
}

/**
 * Defines a provider. `create` registers every secret setting for redaction
 * (from the settings' secret flags) before the provider is built, so no
 * provider registers its credentials itself; with `backends`, the provider
 * it returns describes its zones (`describeZone`). `readConfig` reads the
 * settings, where a provider checks no more than each setting on its own.
 */
export function defineProvider<S extends Record<string, VarSpec<unknown>>, const N extends string, C extends Settings<S> = Settings<S>>(
  definition: Omit<ProviderDefinition<C, N>, 'settings' | 'readConfig'> & { settings: S; readConfig?: (env: Env) => C },
): ProviderDefinition<C, N> {
  return {
    ...definition,
    readConfig: definition.readConfig ?? ((env) => readSettings(env, definition.settings) as C),
    create(config, deps) {
      for (const [key, spec] of Object.entries(definition.settings)) {
        const value = (config as Record<string, unknown>)[key];
        if (spec.secret && typeof value === 'string') registerSecret(value);
      }
      const provider = definition.create(config, deps);
      const backends = definition.backends;
      return backends ? { ...provider, describeZone: (zone) => backends.describeZone(config, zone) } : provider;
    },
  };
}
