import { defineProvider } from '../../contract.js';
import { createNetcupClient } from './client.js';
import { createNetcupProvider } from './provider.js';
import { netcupSettings, readNetcupConfig, type NetcupConfig } from './settings.js';

export type { NetcupConfig } from './settings.js';

export const netcup = defineProvider({
  name: 'netcup',
  title: 'netcup (CCP DNS API)',
  apiDocs: [
    { title: 'CCP API (netcup wiki)', url: 'https://www.netcup-wiki.de/wiki/CCP_API' },
    { title: 'CCP API functions (DNS: infoDnsZone, infoDnsRecords, updateDnsRecords)', url: 'https://ccp.netcup.net/run/webservice/servers/endpoint.php' },
  ],
  settings: netcupSettings,
  propagation: { timeout: 1200, interval: 5, note: 'zone reloads reach netcup\'s nameservers after 5-20 minutes' },
  canListZones: false,
  readConfig: (env): NetcupConfig => readNetcupConfig(env),
  create: (config: NetcupConfig, deps) => createNetcupProvider(createNetcupClient(config, deps), deps),
});
