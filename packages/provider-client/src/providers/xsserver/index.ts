import { defineProvider } from '../../contract.js';
import { TXT_QUOTING } from '../../readings.js';
import { createXsserverClient } from './client.js';
import { createXsserverProvider } from './provider.js';
import { xsserverSettings, type XsserverConfig } from './settings.js';

export type { XsserverConfig } from './settings.js';

export const xsserver = defineProvider({
  name: 'xsserver',
  title: 'XSServer GmbH',
  apiDocs: [{ title: 'XSServer client area API ("DNS Records", "Domain details by name")', url: 'https://cp.xsserver.gmbh/userapi' }],
  settings: xsserverSettings,
  propagation: { timeout: 600, interval: 5, note: "XSServer's nameservers serve a change within minutes" },
  openPoints: [
    { point: 'listShape', title: 'the record list: a JSON array, or an object keyed by positions (with gaps)' },
    { point: 'ids', title: 'record ids: the positions (from 0 or 1) or database ids' },
    { point: 'deleteIndex', title: 'what DELETE /domain/@id/dns/<number> takes: the position from 0, from 1, or the listed id' },
    { point: 'errors', title: 'refusals: with an HTTP error status, or HTTP 200 and an error body' },
    { point: 'writeReply', title: 'create and delete replies: what they hold' },
    TXT_QUOTING,
  ],
  create: (config: XsserverConfig, deps) => createXsserverProvider(createXsserverClient(config, deps), deps),
});
