import { httpUrl, nonEmpty, readSettings, secretText, setting, type Env, type Settings } from '../../config.js';

export const SOURCEDESK_DEFAULT_ENDPOINT = 'https://sourceway.de/api';

/** The variables the sourceDESK provider reads (docs/providers/sourcedesk.md lists them). */
export const sourcedeskSettings = {
  customerId: setting({
    names: ['SOURCEDESK_CUSTOMER_ID'],
    schema: nonEmpty.refine((v) => !/[\s/]/.test(v), 'must not contain spaces or "/"'),
    description: 'your sourceDESK customer ID (the number shown in the client area)',
  }),
  apiKey: setting({
    names: ['SOURCEDESK_API_KEY'],
    schema: secretText,
    secret: true,
    description: 'your sourceDESK API key (client area, or ask sourceDESK support)',
  }),
  endpoint: setting({
    names: ['SOURCEDESK_ENDPOINT'],
    schema: httpUrl,
    default: SOURCEDESK_DEFAULT_ENDPOINT,
    description: 'base URL of the sourceDESK client API, up to and including /api',
  }),
};

export type SourcedeskConfig = Settings<typeof sourcedeskSettings>;

export function readSourcedeskConfig(env: Env): SourcedeskConfig {
  return readSettings(env, sourcedeskSettings);
}
