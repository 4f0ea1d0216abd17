import { providerSetting, readSettings, type Env, type ProviderName } from '../config.js';
import type { DnsProvider, ProviderDefinition, ProviderDeps } from '../contract.js';
import { mrdomain } from './mrdomain/index.js';
import { netcup } from './netcup/index.js';
import { sourcedesk } from './sourcedesk/index.js';
import { xsserver } from './xsserver/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const providers: Record<ProviderName, ProviderDefinition<any>> = { netcup, xsserver, mrdomain, sourcedesk };

export function providerDefinition(name: ProviderName): ProviderDefinition<unknown> {
  return providers[name];
}

/** Reads DNS01_PROVIDER (unless given) and that provider's settings, and builds it. */
export function createProviderFromEnv(
  env: Env,
  deps: ProviderDeps,
  name?: ProviderName,
): { definition: ProviderDefinition<unknown>; provider: DnsProvider } {
  const chosen = name ?? readSettings(env, { provider: providerSetting }).provider;
  const definition = providerDefinition(chosen);
  return { definition, provider: definition.create(definition.readConfig(env), deps) };
}
