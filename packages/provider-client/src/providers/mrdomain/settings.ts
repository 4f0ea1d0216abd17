import type { Settings } from '../../config.js';
import { endpointSetting, secretSetting, textSetting } from '../../kit/index.js';

/** The MrDomain (dondominio) settings; every one also has a `<NAME>_FILE` form. */
export const mrdomainSettings = {
  apiUser: textSetting('MRDOMAIN_API_USER', 'the API username (apiuser) MrDomain gives for the Simple-POST API'),
  apiPassword: secretSetting('MRDOMAIN_API_PASSWORD', 'the API password (apipasswd) that belongs to MRDOMAIN_API_USER'),
  endpoint: endpointSetting('MRDOMAIN_ENDPOINT', 'https://simple-api.dondominio.net', 'base URL of the Simple-POST API (tests and proxies override it)'),
};

export type MrDomainConfig = Settings<typeof mrdomainSettings>;
