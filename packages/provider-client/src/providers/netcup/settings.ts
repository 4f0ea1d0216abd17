import { httpUrl, nonEmpty, readSettings, setting, type Env, type Settings } from '../../config.js';

/** netcup's JSON endpoint, without the `?JSON` query the client adds. */
export const NETCUP_DEFAULT_ENDPOINT = 'https://ccp.netcup.net/run/webservice/servers/endpoint.php';
const ENDPOINT_PATH = '/run/webservice/servers/endpoint.php';

export const netcupSettings = {
  customerNumber: setting({
    names: ['NETCUP_CUSTOMER_NUMBER', 'NC_CID'],
    schema: nonEmpty.regex(/^\d+$/, 'must be the netcup customer number (digits only)'),
    description: 'your netcup customer number (the one you log in to the CCP with)',
  }),
  apiKey: setting({
    names: ['NETCUP_API_KEY', 'NC_Apikey'],
    schema: nonEmpty,
    secret: true,
    description: 'an API key from the CCP: Master Data > API > Create API key',
  }),
  apiPassword: setting({
    names: ['NETCUP_API_PASSWORD', 'NC_Apipw'],
    schema: nonEmpty,
    secret: true,
    description: 'the API password from the CCP: Master Data > API > Generate API password (shown once)',
  }),
  endpoint: setting({
    names: ['NETCUP_ENDPOINT'],
    schema: httpUrl,
    default: NETCUP_DEFAULT_ENDPOINT,
    description: 'the CCP API endpoint (a proxy, the test emulator); a bare origin gets the standard path appended',
  }),
};

export type NetcupConfig = Settings<typeof netcupSettings>;

/**
 * The full endpoint URL: an override may name the whole endpoint (a proxy)
 * or only an origin (the test emulator), which gets netcup's path appended.
 */
export function endpointUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '/' || url.pathname === '') url.pathname = ENDPOINT_PATH;
  url.search = '';
  return url.toString().replace(/\/+$/, '');
}

export function readNetcupConfig(env: Env): NetcupConfig {
  const settings = readSettings(env, netcupSettings);
  return { ...settings, endpoint: endpointUrl(settings.endpoint) };
}
