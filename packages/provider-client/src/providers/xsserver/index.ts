import { defineProvider } from '../../contract.js';
import { TXT_QUOTING } from '../../readings.js';
import { createXsserverClient } from './client.js';
import { createXsserverProvider } from './provider.js';
import { xsserverSettings, type XsserverConfig } from './settings.js';

export type { XsserverConfig } from './settings.js';

export const xsserver = defineProvider({
  name: 'xsserver',
  title: 'XSServer GmbH',
  apiDocs: [{ title: 'XSServer client area API ("DNS Records", "Domain details by name")', url: 'https://cp.xsserver.gmbh/userapi' }],
  settings: xsserverSettings,
  propagation: { timeout: 600, interval: 5, note: 'XSServer\'s nameservers serve a change within minutes' },
  canListZones: true,
  openPoints: [
    { point: 'ids', title: 'record ids: the listed id against the index DELETE takes' },
    { point: 'errors', title: 'refusals: with an HTTP error status, or HTTP 200 and an error body' },
    { point: 'writeReply', title: 'create and delete replies: with or without info messages' },
    TXT_QUOTING,
  ],
  create: (config: XsserverConfig, deps) => createXsserverProvider(createXsserverClient(config, deps), deps),
});
