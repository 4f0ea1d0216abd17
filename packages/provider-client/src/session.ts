import { readDnsSettings, readSettings, type DnsSettings, type Env } from './config.js';
import type { DnsProvider, HostLock, ProviderDefinition, ProviderDeps, RunCache, Zone, ZoneBackend } from './contract.js';
import { Dns01Error } from './errors.js';
import type { DnsContext, FlowContext, PropagationSettings, RecordLedger } from './flow.js';
import { proxyFromEnv } from './http.js';
import { silentLogger, type Logger } from './log.js';
import { findZoneApex } from './propagation/index.js';
import type { WaitStatus } from './propagation/types.js';
import { providerDefinition, providerSetting, type ProviderName } from './providers/registry.js';
import { ReadingLog } from './readings.js';
import { openRunCache, runCacheSetting } from './run-cache.js';
import { UnsafeStateDirError, withHostLock } from './state.js';
import { withZoneCache } from './zone-cache.js';

/**
 * One session: configuration turned into everything a consumer needs, for a
 * command, a hook, the acme-client plugin or a long-lived server alike.
 *
 * What is shared and what is per call. The session holds one provider (its
 * API session, zone lookups, per-zone serialisation and, for netcup, the
 * coalescing of concurrent changes into one call), the settings, the readings
 * and the API-call count. Every present/cleanup gets its own FlowContext from
 * `flow()`: its AbortSignal, logger, status line, record ledger and
 * propagation overrides belong to that call alone, so any number of calls may
 * run at once on one session, each cancelled on its own. What the provider
 * itself logs (its API calls, at debug) goes to the session's logger.
 *
 * Lifetime. A session may be held for hours. Zones found stay known for its
 * life (a write to a zone that has gone fails as zone not found). A provider
 * API session that ends on the provider's side is opened again by the next
 * call: netcup ends one after 15 idle minutes, answers 4001 to the next
 * request, and the client then logs in once more and repeats that request
 * (netcup did nothing on a 4001, so a write is not doubled).
 *
 * close() ends the provider's API session (netcup: logout; with the run cache
 * the session id is kept there instead, for the run's later processes). It
 * does not wait for calls in progress, which the caller ends first; after it,
 * flow() refuses. It is safe to call more than once. The process-wide HTTP
 * agent stays open (closeHttp ends it when the process is done).
 */
export interface Session extends DnsSession {
  /** The provider's definition: name, title, settings, open points, defaults. */
  readonly definition: ProviderDefinition;
  /** The provider, shared by every call of this session. */
  readonly provider: DnsProvider;
  /** What the provider's replies showed of the points its API document leaves open. */
  readonly readings: ReadingLog;
  /** HTTP requests sent to the provider API so far, retries included. */
  readonly apiCalls: number;
  /** Which of the provider's backends serves a zone and whether its credentials are set, where it has several (netcup). */
  describeZone(zone: Zone): ZoneBackend | undefined;
  /** A context for one present/cleanup (or persist) call on this session's provider. */
  flow(call?: CallOptions): FlowContext;
  close(): Promise<void>;
}

/** The DNS side of a session: settings and per-call contexts for the propagation check; no provider, no credentials. */
export interface DnsSession {
  /** The DNS settings from the environment (DNS01_RESOLVERS, DNS01_NS_PORT, ...). */
  readonly dns: DnsSettings;
  /** The propagation settings: the environment's, else the provider's defaults, with the session's overrides. */
  readonly propagation: PropagationSettings;
  /** A context for one DNS-only call (`dns01 wait`, `persist check`). */
  flow(call?: CallOptions): DnsContext;
}

/** What belongs to one call on a session. */
export interface CallOptions {
  /** Ends this call's DNS wait (and what cleanup it leads to); other calls go on. */
  signal?: AbortSignal;
  /** Where this call's progress goes (default: the session's logger). */
  logger?: Logger;
  /** Shows this call's propagation wait (the dns01 command in a terminal). */
  status?: WaitStatus;
  /** Told which records this call has at stake. */
  ledger?: RecordLedger;
  /** Propagation settings for this call only (over the session's). */
  overrides?: Partial<PropagationSettings>;
}

export interface DnsSessionOptions {
  /** The provider whose propagation defaults apply (default DNS01_PROVIDER). */
  provider?: ProviderName;
  /** The default logger of every call. */
  logger?: Logger;
  /** Propagation settings over the environment's, for every call (command-line flags). */
  overrides?: Partial<PropagationSettings>;
}

export interface SessionOptions extends DnsSessionOptions {
  /** Ends the provider's own DNS lookups (the zone apex) when the whole session's work is cancelled. */
  signal?: AbortSignal;
  /**
   * The caller is one of a run's hook processes: the provider shares its API
   * session, zones and record ids with the run's other processes through the
   * run cache (unless DNS01_RUN_CACHE=0).
   */
  shareRun?: ShareRunOptions;
  /** HTTP client options (tests shorten retries). */
  http?: ProviderDeps['http'];
  /** The host-wide lock (default: lock files in the private state directory). */
  hostLock?: HostLock;
  /** The zone apex of a name as DNS tells it (default: the SOA walk through the configured resolvers). */
  findApex?: ProviderDeps['findApex'];
}

export interface ShareRunOptions {
  /** Told when the run cache cannot be used (the call then works without it). */
  onUnavailable?: (error: unknown) => void;
}

/** Propagation defaults when no provider is named (the most patient provider's). */
export const GENERIC_PROPAGATION = { timeout: 1200, interval: 5 } as const;

/** How long a process waits for another dns01 process to finish with a zone. */
const HOST_LOCK_WAIT_MS = 90_000;

/** The provider's propagation defaults for its configuration (netcup: which backends it reaches). */
function propagationDefaults(definition: ProviderDefinition, config: unknown): { timeout: number; interval: number } {
  return (config !== undefined && definition.backends?.propagationFor(config)) || definition.propagation;
}

function propagationSettings(dns: DnsSettings, defaults: { timeout: number; interval: number }, overrides?: Partial<PropagationSettings>): PropagationSettings {
  return {
    resolvers: dns.resolvers,
    nsPort: dns.nsPort,
    timeoutMs: (dns.propagationTimeout ?? defaults.timeout) * 1000,
    intervalMs: (dns.pollingInterval ?? defaults.interval) * 1000,
    followCname: dns.followCname,
    ...overrides,
  };
}

function dnsSession(dns: DnsSettings, propagation: PropagationSettings, logger: Logger): DnsSession {
  return {
    dns,
    propagation,
    flow: (call = {}) => ({
      logger: call.logger ?? logger,
      propagation: { ...propagation, ...call.overrides },
      signal: call.signal,
      status: call.status,
    }),
  };
}

/** The provider DNS01_PROVIDER names, or undefined when it names none (or none known). */
function namedProvider(env: Env): ProviderName | undefined {
  try {
    return readSettings(env, { provider: { ...providerSetting, default: undefined } }).provider;
  } catch {
    return undefined;
  }
}

/**
 * The DNS side alone, for `dns01 wait` and `persist check`: needs no
 * credentials. The named provider's propagation defaults apply (for its
 * configuration when that is readable, else its static ones), and
 * GENERIC_PROPAGATION when no provider is named.
 */
export function openDnsSession(env: Env, options: DnsSessionOptions = {}): DnsSession {
  const dns = readDnsSettings(env);
  const name = options.provider ?? namedProvider(env);
  let defaults: { timeout: number; interval: number } = GENERIC_PROPAGATION;
  if (name) {
    const definition = providerDefinition(name);
    let config: unknown;
    try {
      config = definition.readConfig(env);
    } catch {
      config = undefined;
    }
    defaults = propagationDefaults(definition, config);
  }
  return dnsSession(dns, propagationSettings(dns, defaults, options.overrides), options.logger ?? silentLogger);
}

/** What a session is made of before its provider exists: every setting read and checked. */
export interface SessionSettings {
  definition: ProviderDefinition;
  config: unknown;
  dns: DnsSettings;
  propagation: PropagationSettings;
}

/**
 * Reads and checks everything a session needs (DNS01_PROVIDER unless
 * `provider` is given, that provider's settings, the DNS settings) without
 * creating the provider: a ConfigError names the first bad variable.
 */
export function readSessionSettings(env: Env, options: Pick<SessionOptions, 'provider' | 'overrides'> = {}): SessionSettings {
  const name = options.provider ?? readSettings(env, { provider: providerSetting }).provider;
  const definition = providerDefinition(name);
  const config = definition.readConfig(env);
  const dns = readDnsSettings(env);
  return { definition, config, dns, propagation: propagationSettings(dns, propagationDefaults(definition, config), options.overrides) };
}

/** The host-wide lock in the private state directory of `env` (see state.ts). */
function hostLockIn(env: Env, logger: Logger): HostLock {
  return (key, fn) =>
    withHostLock(env, key, fn, {
      waitMs: HOST_LOCK_WAIT_MS,
      onWait: (pid) => logger.info(`waiting for another dns01 process (pid ${pid ?? '?'}) to finish changing the same zone`),
    });
}

/**
 * What the run cache is keyed by: every setting of the provider, credentials
 * included (only an HMAC of it is used, as a directory name, see run-cache.ts),
 * so a session or zone found with one account or key is never used with another.
 */
function runCacheAccount(definition: ProviderDefinition, config: unknown): string {
  const values = config as Record<string, unknown>;
  return JSON.stringify(Object.keys(definition.settings).map((key) => [key, values[key] ?? null]));
}

/** The run cache a session opened with `shareRun` on these settings shares with the run's other processes (its provider's and account's, in the state directory of `env`). */
export function openSessionRunCache(env: Env, settings: Pick<SessionSettings, 'definition' | 'config'>): RunCache {
  return openRunCache(env, { provider: settings.definition.name, account: runCacheAccount(settings.definition, settings.config) });
}

function openSharedRunCache(env: Env, settings: SessionSettings, shareRun: ShareRunOptions | undefined): RunCache | undefined {
  if (!shareRun || !readSettings(env, { on: runCacheSetting }).on) return undefined;
  try {
    return openSessionRunCache(env, settings);
  } catch (error) {
    // A state directory another user could swap is a configuration error, not a cache miss.
    if (error instanceof UnsafeStateDirError) throw error;
    shareRun.onUnavailable?.(error);
    return undefined;
  }
}

/**
 * Opens a session from an environment (the process environment, the config
 * file's values under it: effectiveEnv): DNS01_PROVIDER (or `provider`), that
 * provider's settings and the DNS settings, checked now (a ConfigError names
 * the first bad variable). Sends nothing yet: the provider logs in on its
 * first call. Close it with `close()`.
 */
export function openSession(env: Env, options: SessionOptions = {}): Session {
  const settings = readSessionSettings(env, options);
  const { definition, config, dns, propagation } = settings;
  const logger = options.logger ?? silentLogger;
  const providerLogger = logger.child(definition.name);
  const readings = new ReadingLog();
  let apiCalls = 0;
  const runCache = openSharedRunCache(env, settings, options.shareRun);
  const resolverOptions = { resolvers: dns.resolvers, signal: options.signal };
  const created = definition.create(config, {
    logger: providerLogger,
    findApex: options.findApex ?? ((fqdn) => findZoneApex(fqdn, resolverOptions)),
    observe: readings.observe,
    // The effective environment's proxy (the config file's too): undici alone reads only process.env.
    http: {
      proxy: proxyFromEnv(env),
      ...options.http,
      onRequest: (request) => {
        apiCalls += 1;
        options.http?.onRequest?.(request);
      },
    },
    hostLock: options.hostLock ?? hostLockIn(env, providerLogger),
    runCache,
  });
  const provider = runCache ? withZoneCache(created, runCache) : created;
  const dnsPart = dnsSession(dns, propagation, logger);
  let closing: Promise<void> | undefined;
  return {
    definition,
    provider,
    dns,
    propagation,
    readings,
    get apiCalls() {
      return apiCalls;
    },
    describeZone: (zone) => provider.describeZone?.(zone),
    flow(call = {}) {
      if (closing) throw new Dns01Error(`the ${definition.name} session is closed`);
      return { ...dnsPart.flow(call), provider, ledger: call.ledger, ...(runCache ? { runCache } : {}) };
    },
    close() {
      closing ??= provider.close();
      return closing;
    },
  };
}
