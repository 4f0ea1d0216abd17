// One odd zone name in an account must not break `dns01 zones` and `check`
// (issue 15, item 12): it is skipped with a warning, on every provider that lists zones.
import { afterEach, describe, expect, it } from 'vitest';
import { startMrDomainEmulator, startSourcedeskEmulator, startXsserverEmulator, ZoneStore, type EmulatorServer } from '@dns01/testkit';
import { closeHttp, createLogger, type DnsProvider } from '../../src/internal.js';
import { mrdomain } from '../../src/providers/mrdomain/index.js';
import { sourcedesk } from '../../src/providers/sourcedesk/index.js';
import { xsserver } from '../../src/providers/xsserver/index.js';

const ODD = 'bad name.example';
const GOOD = ['example.com', 'example.net'];

function store(): ZoneStore {
  const s = new ZoneStore();
  for (const name of [...GOOD, ODD]) s.addZone({ name, nameservers: [{ name: 'ns1.example.org', addresses: ['127.0.0.1'] }] });
  return s;
}

const starters: Record<string, (lines: string[]) => Promise<{ provider: DnsProvider; server: EmulatorServer }>> = {
  xsserver: async (lines) => {
    const credentials = { username: 'u', password: 'xs-password-1234' };
    const e = await startXsserverEmulator({ store: store(), zones: [...GOOD, ODD], credentials });
    const provider = xsserver.create({ ...credentials, endpoint: e.endpoint }, { logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) });
    return { provider, server: e.server };
  },
  mrdomain: async (lines) => {
    const credentials = { apiUser: 'u', apiPassword: 'md-password-1234' };
    const e = await startMrDomainEmulator({ store: store(), zones: [...GOOD, ODD], credentials });
    const provider = mrdomain.create({ ...credentials, endpoint: e.url }, { logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) });
    return { provider, server: e.server };
  },
  sourcedesk: async (lines) => {
    const credentials = { customerId: '1', apiKey: 'sd-key-12345678' };
    const e = await startSourcedeskEmulator({ store: store(), zones: [...GOOD, ODD], credentials });
    const provider = sourcedesk.create({ ...credentials, endpoint: e.url }, { logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) });
    return { provider, server: e.server };
  },
};

describe.each(Object.keys(starters))('%s: listZones with an odd zone name in the account', (name) => {
  let server: EmulatorServer | undefined;
  afterEach(async () => {
    await server?.close();
    await closeHttp();
  });

  it('lists the other zones and warns once about the odd one', async () => {
    const lines: string[] = [];
    const started = await starters[name]!(lines);
    server = started.server;
    expect(await started.provider.listZones!()).toEqual(GOOD);
    const warnings = lines.filter((l) => l.includes('warn:') && l.includes(ODD));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/skipped/);
  });
});
