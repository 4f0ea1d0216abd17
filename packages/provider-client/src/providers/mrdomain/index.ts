import type { ProviderDefinition } from '../../contract.js';
import { createMrDomainProvider } from './provider.js';
import { mrdomainSettings, readMrDomainConfig, type MrDomainConfig } from './settings.js';

export { MrDomainClient } from './client.js';
export { MRDOMAIN_ERROR_CODES } from './errors.js';
export { createMrDomainProvider } from './provider.js';
export { mrdomainSettings, readMrDomainConfig, MRDOMAIN_DEFAULT_ENDPOINT, type MrDomainConfig } from './settings.js';

export const mrdomain: ProviderDefinition<MrDomainConfig> = {
  name: 'mrdomain',
  title: 'MrDomain (dondominio)',
  settings: mrdomainSettings,
  // Changes reach MrDomain's nameservers within minutes; the wait only queries DNS, never the API.
  propagation: { timeout: 900, interval: 5 },
  readConfig: readMrDomainConfig,
  create: createMrDomainProvider,
};
