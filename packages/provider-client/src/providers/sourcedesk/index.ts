import type { ProviderDefinition } from '../../contract.js';
import { createSourcedeskProvider } from './provider.js';
import { readSourcedeskConfig, sourcedeskSettings, type SourcedeskConfig } from './settings.js';

export type { SourcedeskConfig } from './settings.js';

export const sourcedesk: ProviderDefinition<SourcedeskConfig> = {
  name: 'sourcedesk',
  title: 'sourceDESK (sourceway)',
  settings: sourcedeskSettings,
  propagation: { timeout: 600, interval: 5 },
  readConfig: readSourcedeskConfig,
  create: createSourcedeskProvider,
};
