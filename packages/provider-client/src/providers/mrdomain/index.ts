import { defineProvider } from '../../contract.js';
import { createMrDomainClient } from './client.js';
import { createMrDomainProvider } from './provider.js';
import { mrdomainSettings, readMrDomainConfig, type MrDomainConfig } from './settings.js';

export { MRDOMAIN_ERROR_CODES } from './errors.js';
export { MRDOMAIN_DEFAULT_ENDPOINT, type MrDomainConfig } from './settings.js';

export const mrdomain = defineProvider({
  name: 'mrdomain',
  title: 'MrDomain (dondominio)',
  apiDocs: [{ title: 'MrDomain / dondominio API user manual (Simple-POST API; service/dns*; error codes)', url: 'https://dondominio.dev/en/api/docs/api/' }],
  settings: mrdomainSettings,
  propagation: { timeout: 900, interval: 5, note: 'changes reach MrDomain\'s nameservers within minutes' },
  canListZones: true,
  readConfig: (env): MrDomainConfig => readMrDomainConfig(env),
  create: (config: MrDomainConfig, deps) => createMrDomainProvider(createMrDomainClient(config, deps), deps),
});
