import { defineProvider } from '../../contract.js';
import { createXsserverClient } from './client.js';
import { createXsserverProvider } from './provider.js';
import { readXsserverConfig, xsserverSettings, type XsserverConfig } from './settings.js';

export type { XsserverConfig } from './settings.js';

export const xsserver = defineProvider({
  name: 'xsserver',
  title: 'XSServer GmbH',
  apiDocs: [{ title: 'XSServer client area API ("DNS Records", "Domain details by name")', url: 'https://cp.xsserver.gmbh/userapi' }],
  settings: xsserverSettings,
  propagation: { timeout: 600, interval: 5, note: 'XSServer\'s nameservers serve a change within minutes' },
  canListZones: true,
  readConfig: (env): XsserverConfig => readXsserverConfig(env),
  create: (config: XsserverConfig, deps) => createXsserverProvider(createXsserverClient(config, deps), deps),
});
