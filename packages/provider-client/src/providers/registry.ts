import { z } from 'zod';
import { readSettings, setting, type Env } from '../config.js';
import type { DnsProvider, HostLock, ProviderDefinition, ProviderDeps } from '../contract.js';
import type { Logger } from '../log.js';
import { withHostLock } from '../state.js';
import { openRunCache, runCacheSetting, withZoneCache, type RunCache } from '../run-cache.js';
import { providerDefinitions } from './all.js';

export { providerDefinitions } from './all.js';

export type ProviderName = (typeof providerDefinitions)[number]['name'];

/** Every provider's name, in the order of the definitions: the one list. */
export const PROVIDER_NAMES = providerDefinitions.map((d) => d.name) as [ProviderName, ...ProviderName[]];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const providers = Object.fromEntries(providerDefinitions.map((d) => [d.name, d])) as Record<ProviderName, ProviderDefinition<any>>;

export function providerDefinition(name: ProviderName): ProviderDefinition<unknown> {
  return providers[name];
}

/** "netcup, xsserver, mrdomain or sourcedesk": the provider list as help texts show it. */
export function providerList(conjunction = 'or'): string {
  return `${PROVIDER_NAMES.slice(0, -1).join(', ')} ${conjunction} ${PROVIDER_NAMES.at(-1)}`;
}

export const providerSetting = setting({
  names: ['DNS01_PROVIDER'],
  schema: z.enum(PROVIDER_NAMES, { error: `must be one of ${PROVIDER_NAMES.join(', ')}` }),
  description: `which DNS provider holds the zone: ${PROVIDER_NAMES.join(', ')}`,
});

/**
 * A provider's propagation defaults for a configuration in `env`; without a
 * readable configuration (`dns01 wait` needs no credentials) its static ones.
 */
export function propagationDefaults(definition: ProviderDefinition<unknown>, env: Env): { timeout: number; interval: number } {
  if (!definition.propagationFor) return definition.propagation;
  try {
    return definition.propagationFor(definition.readConfig(env));
  } catch {
    return definition.propagation;
  }
}

/** How long a process waits for another dns01 process to finish with a zone. */
const HOST_LOCK_WAIT_MS = 90_000;

/** The host-wide lock in the private state directory of `env` (see state.ts). */
export function hostLockFor(env: Env, logger: Logger): HostLock {
  return (key, fn) =>
    withHostLock(env, key, fn, {
      waitMs: HOST_LOCK_WAIT_MS,
      onWait: (pid) => logger.info(`waiting for another dns01 process (pid ${pid ?? '?'}) to finish changing the same zone`),
    });
}

/**
 * What the run cache is keyed by: every setting of the provider, credentials
 * included (hashed into a directory name, never stored), so a session or
 * zone found with one account or key is never used with another.
 */
export function accountOf(definition: ProviderDefinition<unknown>, config: unknown): string {
  const values = config as Record<string, unknown>;
  return JSON.stringify(Object.keys(definition.settings).map((key) => [key, values[key] ?? null]));
}

export interface ShareRunOptions {
  /** Told when the run cache cannot be used (the call then works without it). */
  onUnavailable?: (error: unknown) => void;
}

/**
 * Reads DNS01_PROVIDER (unless given) and that provider's settings, and builds
 * it. With `shareRun` (hook executables, one process per challenge) the
 * provider shares sessions, zones and record ids with the run's other
 * processes through the run cache.
 */
export function createProviderFromEnv(
  env: Env,
  deps: ProviderDeps,
  name?: ProviderName,
  shareRun?: ShareRunOptions,
): { definition: ProviderDefinition<unknown>; provider: DnsProvider; propagation: { timeout: number; interval: number } } {
  const chosen = name ?? readSettings(env, { provider: providerSetting }).provider;
  const definition = providerDefinition(chosen);
  const config = definition.readConfig(env);
  const propagation = definition.propagationFor?.(config) ?? definition.propagation;
  let runCache: RunCache | undefined;
  if (shareRun && readSettings(env, { on: runCacheSetting }).on) {
    try {
      runCache = openRunCache(env, { provider: chosen, account: accountOf(definition, config) });
    } catch (error) {
      shareRun.onUnavailable?.(error);
    }
  }
  const provider = definition.create(config, { ...deps, hostLock: deps.hostLock ?? hostLockFor(env, deps.logger), runCache });
  return { definition, provider: runCache ? withZoneCache(provider, runCache) : provider, propagation };
}
