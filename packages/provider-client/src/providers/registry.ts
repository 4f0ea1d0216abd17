// The provider lookup: the definitions by name, and DNS01_PROVIDER. Sessions are made in session.ts.
import { choice, setting } from '../config.js';
import type { ProviderDefinition } from '../contract.js';
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
  schema: choice(PROVIDER_NAMES),
  description: `which DNS provider holds the zone: ${PROVIDER_NAMES.join(', ')}`,
});
