import { flag, httpUrl, nonEmpty, readSettings, readVariable, secretText, setting, type Env, type Settings } from '../../config.js';
import { ConfigError } from '../../errors.js';

/** netcup's JSON endpoint, without the `?JSON` query the client adds. */
export const NETCUP_DEFAULT_ENDPOINT = 'https://ccp.netcup.net/run/webservice/servers/endpoint.php';
const ENDPOINT_PATH = '/run/webservice/servers/endpoint.php';
/** netcup's REST API (CloudDNS). */
export const NETCUP_REST_DEFAULT_ENDPOINT = 'https://api.netcup.com/v1';
/** REST API keys are 64 characters long (legacy CCP keys 50); acme.sh picks the API by that length. */
export const REST_KEY_LENGTH = 64;

const LEGACY_VARIABLES = 'NETCUP_CUSTOMER_NUMBER, NETCUP_API_KEY and NETCUP_API_PASSWORD';
const REST_KEY_WHERE = 'CCP > Master Data > API, section "API keys"';
const LEGACY_KEY_WHERE = 'CCP > Master Data > API, section "Legacy API keys", with the API password on the same page';

export const netcupSettings = {
  restApiKey: setting<string | undefined>({
    names: ['NETCUP_REST_API_KEY', 'NETCUPV1_API_KEY'],
    schema: secretText,
    secret: true,
    default: undefined,
    description: `an API key for the REST API (CloudDNS domains): ${REST_KEY_WHERE}; 64 characters`,
  }),
  customerNumber: setting<string | undefined>({
    names: ['NETCUP_CUSTOMER_NUMBER', 'NC_CID'],
    schema: nonEmpty.regex(/^\d+$/, 'must be the netcup customer number (digits only)'),
    default: undefined,
    description: 'your netcup customer number (the one you log in to the CCP with); for the CCP API',
  }),
  apiKey: setting<string | undefined>({
    names: ['NETCUP_API_KEY', 'NC_Apikey_Legacy', 'NC_Apikey'],
    schema: secretText,
    secret: true,
    default: undefined,
    description: `a legacy API key for the CCP API (domains not on CloudDNS): ${LEGACY_KEY_WHERE}`,
  }),
  apiPassword: setting<string | undefined>({
    names: ['NETCUP_API_PASSWORD', 'NC_Apipw'],
    schema: secretText,
    secret: true,
    default: undefined,
    description: 'the API password for the CCP API: CCP > Master Data > API > Generate API password (shown once)',
  }),
  endpoint: setting({
    names: ['NETCUP_ENDPOINT'],
    schema: httpUrl,
    default: NETCUP_DEFAULT_ENDPOINT,
    description: 'the CCP API endpoint (a proxy, the test emulator); a bare origin gets the standard path appended',
  }),
  restEndpoint: setting({
    names: ['NETCUP_REST_ENDPOINT'],
    schema: httpUrl,
    default: NETCUP_REST_DEFAULT_ENDPOINT,
    description: `the REST API base URL (default ${NETCUP_REST_DEFAULT_ENDPOINT})`,
  }),
  restChangeset: setting({
    names: ['NETCUP_REST_CHANGESET'],
    schema: flag,
    default: false,
    description:
      '1 to write names outside _acme-challenge (CNAME targets, persist records) in REST zones through the general-record (changeset) endpoint, checked before and after; default 0 (refused)',
  }),
};

export type NetcupConfig = Settings<typeof netcupSettings>;

/** The CCP API's credentials, all three. */
export interface NetcupLegacyCredentials {
  customerNumber: string;
  apiKey: string;
  apiPassword: string;
}

/** The legacy credentials when all three are there. */
export function legacyCredentials(config: Pick<NetcupConfig, 'customerNumber' | 'apiKey' | 'apiPassword'>): NetcupLegacyCredentials | undefined {
  const { customerNumber, apiKey, apiPassword } = config;
  return customerNumber && apiKey && apiPassword ? { customerNumber, apiKey, apiPassword } : undefined;
}

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

/**
 * acme.sh's convention: a 64-character `NC_Apikey` is a REST key (and then
 * `NC_Apikey_Legacy` the legacy one); a shorter one is a legacy key.
 */
function acmeshConvention(env: Env): Env {
  if (readVariable(env, 'NETCUP_REST_API_KEY') || readVariable(env, 'NETCUPV1_API_KEY')) return env;
  const key = readVariable(env, 'NC_Apikey');
  if (!key || key.value.trim().length !== REST_KEY_LENGTH) return env;
  return { ...env, NETCUP_REST_API_KEY: key.value, NC_Apikey: undefined, NC_Apikey_FILE: undefined };
}

export function readNetcupConfig(env: Env): NetcupConfig {
  const raw: NetcupConfig = readSettings(acmeshConvention(env), netcupSettings);
  const legacy = { NETCUP_CUSTOMER_NUMBER: raw.customerNumber, NETCUP_API_KEY: raw.apiKey, NETCUP_API_PASSWORD: raw.apiPassword };
  const missing = Object.entries(legacy)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length === 3 && raw.restApiKey === undefined) {
    throw new ConfigError(`netcup: no credentials set: NETCUP_REST_API_KEY (also accepted: NETCUPV1_API_KEY) or ${LEGACY_VARIABLES}`, {
      hint: `For domains on CloudDNS create an API key in the ${REST_KEY_WHERE} and set NETCUP_REST_API_KEY; for the others the CCP API needs ${LEGACY_VARIABLES} (${LEGACY_KEY_WHERE})`,
    });
  }
  if (missing.length > 0 && missing.length < 3) {
    const looksRest = raw.apiKey?.length === REST_KEY_LENGTH && raw.restApiKey === undefined;
    throw new ConfigError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set, but the other CCP API credentials are`, {
      hint: looksRest
        ? 'NETCUP_API_KEY is 64 characters long, like a REST API key: set it as NETCUP_REST_API_KEY instead and drop the other NETCUP_ variables'
        : `The CCP API needs all of ${LEGACY_VARIABLES}; unset them all to use only the REST API (NETCUP_REST_API_KEY)`,
    });
  }
  return { ...raw, endpoint: endpointUrl(raw.endpoint) };
}
