import { defineProvider } from '../../contract.js';
import { TXT_QUOTING } from '../../readings.js';
import { createSourcedeskClient } from './client.js';
import { createSourcedeskProvider } from './provider.js';
import { sourcedeskSettings, type SourcedeskConfig } from './settings.js';

export type { SourcedeskConfig } from './settings.js';

export const sourcedesk = defineProvider({
  name: 'sourcedesk',
  title: 'sourceDESK (sourceway)',
  apiDocs: [{ title: 'sourceDESK Client API ("DNS zones", "Return codes")', url: 'https://client-api.sourcedesk.de/' }],
  settings: sourcedeskSettings,
  propagation: { timeout: 600, interval: 5, note: "sourceDESK's nameservers serve a change within minutes" },
  openPoints: [
    { point: 'numbering', title: 'what dns/show keys records by (record ids, or positions under drivers such as dbs)' },
    { point: 'ttl', title: 'the TTL dns/add stores' },
    TXT_QUOTING,
  ],
  create: (config: SourcedeskConfig, deps) => createSourcedeskProvider(createSourcedeskClient(config, deps), deps),
});
