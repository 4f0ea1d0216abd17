import type { ProviderDefinition } from '../../contract.js';
import { registerSecret } from '../../redact.js';
import { NetcupClient } from './client.js';
import { createNetcupProvider } from './provider.js';
import { endpointUrl, netcupSettings, readNetcupConfig, type NetcupConfig } from './settings.js';

export type { NetcupConfig } from './settings.js';

export const netcup: ProviderDefinition<NetcupConfig> = {
  name: 'netcup',
  title: 'netcup (CCP DNS API)',
  settings: netcupSettings,
  // Zone reloads reach netcup's nameservers after 5-20 minutes; the check decides, not a sleep.
  propagation: { timeout: 1200, interval: 5 },
  readConfig: readNetcupConfig,
  create(config, deps) {
    registerSecret(config.apiKey);
    registerSecret(config.apiPassword);
    const client = new NetcupClient({ ...config, endpoint: endpointUrl(config.endpoint) }, deps);
    return createNetcupProvider(client, deps);
  },
};
