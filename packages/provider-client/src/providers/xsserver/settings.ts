import { httpUrl, nonEmpty, readSettings, secretText, setting, type Env, type Settings } from '../../config.js';

export const XSSERVER_DEFAULT_ENDPOINT = 'https://cp.xsserver.gmbh/api';

/** XSServer settings: the client area login sent as HTTP Basic credentials on every request. */
export const xsserverSettings = {
  username: setting({
    names: ['XSSERVER_USERNAME'],
    schema: nonEmpty,
    description: 'XSServer client area username (the account e-mail address)',
  }),
  password: setting({
    names: ['XSSERVER_PASSWORD'],
    schema: secretText,
    secret: true,
    description: 'XSServer client area password',
  }),
  endpoint: setting({
    names: ['XSSERVER_ENDPOINT'],
    schema: httpUrl,
    default: XSSERVER_DEFAULT_ENDPOINT,
    description: 'base URL of the XSServer API (tests and proxies change it)',
  }),
};

export type XsserverConfig = Settings<typeof xsserverSettings>;

export function readXsserverConfig(env: Env): XsserverConfig {
  return readSettings(env, xsserverSettings);
}
