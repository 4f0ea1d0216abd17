import type { ProviderDefinition } from '../../contract.js';
import { createXsserverProvider } from './provider.js';
import { readXsserverConfig, xsserverSettings, type XsserverConfig } from './settings.js';

export const xsserver: ProviderDefinition<XsserverConfig> = {
  name: 'xsserver',
  title: 'XSServer GmbH',
  settings: xsserverSettings,
  propagation: { timeout: 600, interval: 5 },
  readConfig: readXsserverConfig,
  create: (config, deps) => createXsserverProvider(config, deps),
};

export type { XsserverConfig } from './settings.js';
