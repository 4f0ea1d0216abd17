import { defineProvider } from '../../contract.js';
import { TXT_QUOTING } from '../../readings.js';
import { createMrDomainClient } from './client.js';
import { createMrDomainProvider } from './provider.js';
import { mrdomainSettings, type MrDomainConfig } from './settings.js';

export { MRDOMAIN_ERROR_CODES } from './errors.js';
export type { MrDomainConfig } from './settings.js';

export const mrdomain = defineProvider({
  name: 'mrdomain',
  title: 'MrDomain (dondominio)',
  apiDocs: [{ title: 'MrDomain / dondominio API user manual (Simple-POST API; service/dns*; error codes)', url: 'https://dondominio.dev/en/api/docs/api/' }],
  settings: mrdomainSettings,
  propagation: { timeout: 900, interval: 5, note: "changes reach MrDomain's nameservers within minutes" },
  openPoints: [
    { point: 'total', title: 'dnslist queryInfo.total: the entries that match, or the whole zone' },
    { point: 'filter', title: 'dnslist filter: what it is matched against' },
    { point: 'unknownService', title: 'the answer for a name that is no service: 4001, 2001, 2008 or 105' },
    { point: 'createReply', title: 'dnscreate replies: with or without the created entry' },
    TXT_QUOTING,
  ],
  create: (config: MrDomainConfig, deps) => createMrDomainProvider(createMrDomainClient(config, deps), deps),
});
