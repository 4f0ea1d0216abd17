import { nonEmpty, type Settings } from '../../config.js';
import { endpointSetting, secretSetting, textSetting } from '../../kit/index.js';

/** The variables the sourceDESK provider reads (docs/providers/sourcedesk.md lists them). */
export const sourcedeskSettings = {
  customerId: textSetting(
    'SOURCEDESK_CUSTOMER_ID',
    'your sourceDESK customer ID (the number shown in the client area)',
    // A path segment of every request.
    nonEmpty.refine((v) => !/[\s/]/.test(v), 'must not contain spaces or "/"'),
  ),
  apiKey: secretSetting('SOURCEDESK_API_KEY', 'your sourceDESK API key (client area, or ask sourceDESK support)'),
  endpoint: endpointSetting('SOURCEDESK_ENDPOINT', 'https://sourceway.de/api', 'base URL of the sourceDESK client API, up to and including /api'),
};

export type SourcedeskConfig = Settings<typeof sourcedeskSettings>;
