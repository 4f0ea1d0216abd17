import type { Settings } from '../../config.js';
import { endpointSetting, secretSetting, textSetting } from '../../kit/index.js';

/** XSServer settings: the client area login sent as HTTP Basic credentials on every request. */
export const xsserverSettings = {
  username: textSetting('XSSERVER_USERNAME', 'XSServer client area username (the account e-mail address)'),
  password: secretSetting('XSSERVER_PASSWORD', 'XSServer client area password'),
  endpoint: endpointSetting('XSSERVER_ENDPOINT', 'https://cp.xsserver.gmbh/api', 'base URL of the XSServer API (tests and proxies change it)'),
};

export type XsserverConfig = Settings<typeof xsserverSettings>;
