import { afterEach, describe, expect, it } from 'vitest';
import {
  MRDOMAIN_READINGS,
  startDnsServer,
  startMrDomainEmulator,
  startTestWorld,
  ZoneStore,
  type DnsServer,
  type MrDomainEmulator,
  type TestWorld,
} from '@dns01/testkit';
import { closeHttp, openSession, createLogger, present, cleanup, type FlowContext } from '../../src/internal.js';

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
    emulator = undefined;
    dns = undefined;
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

    const presentCtx = openSession(env, { logger }).flow();
    contexts.push(presentCtx);
    const placed = await present(presentCtx, [challenge]);
    expect(placed.map((p) => [p.name, p.zone.name])).toEqual([[NAME, ZONE]]);
    const slowest = store.recordsAt(ZONE, Date.now() - 600, { name: NAME, type: 'TXT' });
    expect(slowest.records.map((r) => r.data).sort()).toEqual(['flow-wildcard', 'foreign-kept']);
    expect(dns.queryLog.filter((q) => q.type === 'TXT' && q.server !== 'resolver').length).toBeGreaterThan(2);
    expect(emulator.callCount()).toBe(3);

    const cleanupCtx = openSession(env, { logger }).flow();
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

  let world: TestWorld<'mrdomain'> | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  for (const reading of MRDOMAIN_READINGS) {
    it(`reading "${reading.label}": present and cleanup (apex + wildcard, a deep name) leave the zone as it was, in few calls`, async () => {
      world = await startTestWorld({
        provider: 'mrdomain',
        records: [
          { name: NAME, type: 'TXT', data: 'foreign-kept' },
          { name: `x${NAME}`, type: 'TXT', data: 'flow-apex' },
          { name: `www.${ZONE}`, type: 'A', data: '192.0.2.10' },
        ],
        emulator: { readings: reading.readings, maxPageLength: 2 },
      });
      const ctx = openSession(world.env).flow();
      contexts.push(ctx);
      const before = world.store.records(ZONE).map(({ name, type, data }) => `${type} ${name} ${data}`);
      const challenges = [
        { domain: ZONE, value: 'flow-apex' },
        { domain: `*.${ZONE}`, value: 'flow-wildcard' },
        { domain: `a.b.${ZONE}`, value: 'flow-deep' },
      ];
      await present(ctx, challenges);
      expect(world.txt(NAME).sort()).toEqual(['flow-apex', 'flow-wildcard', 'foreign-kept']);
      await cleanup(ctx, challenges);
      expect(world.store.records(ZONE).map(({ name, type, data }) => `${type} ${name} ${data}`)).toEqual(before);
      expect(world.emulator.forbiddenCalls).toEqual([]);
      // Two-record pages: a handful of list pages per change, never one per record of the zone.
      expect(world.emulator.callCount('service/dnslist')).toBeLessThanOrEqual(6 * 4);
    });
  }
});
