import { defineProvider } from '../../contract.js';
import { createGatewayClient } from './client.js';
import { createGatewayProvider } from './provider.js';
import { gatewaySettings, readGatewayConfig, type GatewayConfig } from './settings.js';

export type { GatewayConfig } from './settings.js';

export const gateway = defineProvider({
  name: 'gateway',
  title: 'a dns01 gateway (dns01 serve)',
  apiDocs: [
    { title: "dns01 serve: lego's httpreq protocol", url: 'https://github.com/dns01-suite/dns01/blob/main/docs/gateway-reference.md#the-protocols-in-detail' },
  ],
  settings: gatewaySettings,
  propagation: {
    timeout: 1200,
    interval: 5,
    note: "the gateway's provider decides how long its nameservers take; the most patient provider's defaults (netcup's CCP API), shortened with DNS01_PROPAGATION_TIMEOUT where the gateway's provider is quicker",
  },
  challengesOnly: true,
  openPoints: [],
  readConfig: (env): GatewayConfig => readGatewayConfig(env),
  create: (config: GatewayConfig, deps) => createGatewayProvider(createGatewayClient(config, deps), deps),
});
