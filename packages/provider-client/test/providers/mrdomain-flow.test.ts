import { afterEach, describe, expect, it } from 'vitest';
import { startDnsServer, startMrDomainEmulator, ZoneStore, type DnsServer, type MrDomainEmulator } from '@dns01/testkit';
import { closeHttp, contextFromEnv, createLogger, present, cleanup, type FlowContext } from '../../src/index.js';

const ZONE = 'example.com';
const NAME = `_acme-challenge.${ZONE}`;
const credentials = { apiUser: 'md-flow-user', apiPassword: 'md-flow-password-Zx81' };

describe('mrdomain: present and cleanup through the shared flow, against the emulator and the test DNS servers', () => {
  let dns: DnsServer | undefined;
  let emulator: MrDomainEmulator | undefined;
  const contexts: FlowContext[] = [];
  afterEach(async () => {
    for (const ctx of contexts.splice(0)) await ctx.provider.close();
    await emulator?.close();
    await dns?.close();
    await closeHttp();
  });

  it('present waits on DNS only (the API sees 3 calls however long the wait); cleanup restores the zone', async () => {
    const store = new ZoneStore();
    dns = await startDnsServer({
      store,
      nameservers: [
        { name: 'ns1.dns01-test.net', address: '127.0.0.2', lagMs: 100 },
        { name: 'ns2.dns01-test.net', address: '127.0.0.3', lagMs: 600 },
      ],
    });
    store.addZone({ name: ZONE, nameservers: dns.zoneNameservers(), records: [{ name: NAME, type: 'TXT', data: 'foreign-kept' }] });
    // Six calls for present + cleanup in two processes; the seventh would get the account blocked.
    emulator = await startMrDomainEmulator({ store, zones: [ZONE], credentials, requestBudget: 6 });
    const env = {
      DNS01_PROVIDER: 'mrdomain',
      MRDOMAIN_API_USER: credentials.apiUser,
      MRDOMAIN_API_PASSWORD: credentials.apiPassword,
      MRDOMAIN_ENDPOINT: emulator.url,
      DNS01_RESOLVERS: dns.resolver,
      DNS01_NS_PORT: String(dns.port),
      DNS01_POLLING_INTERVAL: '0.05',
      DNS01_PROPAGATION_TIMEOUT: '15',
    };
    const logs: string[] = [];
    const logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });
    const before = store.records(ZONE).map(({ name, type, data }) => `${type} ${name} ${data}`);
    const challenge = { domain: `*.${ZONE}`, value: 'flow-wildcard' };

    const presentCtx = contextFromEnv(env, { logger });
    contexts.push(presentCtx);
    const placed = await present(presentCtx, [challenge]);
    expect(placed.map((p) => [p.name, p.zone.name])).toEqual([[NAME, ZONE]]);
    const slowest = store.recordsAt(ZONE, Date.now() - 600, { name: NAME, type: 'TXT' });
    expect(slowest.records.map((r) => r.data).sort()).toEqual(['flow-wildcard', 'foreign-kept']);
    expect(dns.queryLog.filter((q) => q.type === 'TXT' && q.server !== 'resolver').length).toBeGreaterThan(2);
    expect(emulator.callCount()).toBe(3);

    const cleanupCtx = contextFromEnv(env, { logger });
    contexts.push(cleanupCtx);
    await cleanup(cleanupCtx, [challenge]);
    expect(store.records(ZONE).map(({ name, type, data }) => `${type} ${name} ${data}`)).toEqual(before);
    expect(emulator.calls.map((c) => c.action)).toEqual([
      'service/getinfo',
      'service/dnslist',
      'service/dnscreate',
      'service/getinfo',
      'service/dnslist',
      'service/dnsdelete',
    ]);
    expect(emulator.forbiddenCalls).toEqual([]);
    expect(logs.join('\n')).not.toContain(credentials.apiPassword);
  });
});
