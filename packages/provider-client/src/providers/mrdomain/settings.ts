import { httpUrl, nonEmpty, readSettings, secretText, setting, type Env, type Settings } from '../../config.js';

export const MRDOMAIN_DEFAULT_ENDPOINT = 'https://simple-api.dondominio.net';

/** The MrDomain (dondominio) settings; every one also has a `<NAME>_FILE` form. */
export const mrdomainSettings = {
  apiUser: setting({
    names: ['MRDOMAIN_API_USER'],
    schema: nonEmpty,
    description: 'the API username (apiuser) MrDomain gives for the Simple-POST API',
  }),
  apiPassword: setting({
    names: ['MRDOMAIN_API_PASSWORD'],
    schema: secretText,
    secret: true,
    description: 'the API password (apipasswd) that belongs to MRDOMAIN_API_USER',
  }),
  endpoint: setting({
    names: ['MRDOMAIN_ENDPOINT'],
    schema: httpUrl,
    default: MRDOMAIN_DEFAULT_ENDPOINT,
    description: 'base URL of the Simple-POST API (tests and proxies override it)',
  }),
};

export type MrDomainConfig = Settings<typeof mrdomainSettings>;

export function readMrDomainConfig(env: Env): MrDomainConfig {
  return readSettings(env, mrdomainSettings);
}
