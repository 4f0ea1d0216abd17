import { httpUrl, readSettings, secretText, setting, type Env, type Settings } from '../../config.js';
import { z } from 'zod';

/** The variables the gateway provider reads (docs/providers/gateway.md lists them). */
export const gatewaySettings = {
  url: setting({
    names: ['DNS01_GATEWAY_URL'],
    schema: httpUrl,
    description: 'the URL of the gateway, as dns01 serve listens (https://gw.example.net:8553)',
  }),
  client: setting({
    names: ['DNS01_GATEWAY_CLIENT'],
    schema: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a client id as dns01 serve client add made it'),
    description: 'the client id the gateway knows this host by (dns01 serve client add <id>)',
  }),
  secret: setting({
    names: ['DNS01_GATEWAY_SECRET'],
    schema: secretText,
    secret: true,
    description: 'the secret of the client, as dns01 serve client add printed it',
  }),
};

export type GatewayConfig = Settings<typeof gatewaySettings>;

export function readGatewayConfig(env: Env): GatewayConfig {
  return readSettings(env, gatewaySettings);
}
