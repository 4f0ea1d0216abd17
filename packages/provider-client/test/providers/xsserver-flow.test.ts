import { afterEach, describe, expect, it } from 'vitest';
import { startTestWorld, XSSERVER_READINGS, type TestWorld } from '@dns01/testkit';
import { closeHttp, openSession, createLogger, present, ProviderApiError, cleanup, type FlowContext } from '../../src/internal.js';

const NAME = '_acme-challenge.example.com';

describe('xsserver: present and cleanup through the shared flow, against the emulator and the test DNS servers', () => {
  let world: TestWorld<'xsserver'> | undefined;
  let ctx: FlowContext | undefined;
  afterEach(async () => {
    await ctx?.provider.close();
    await world?.close();
    await closeHttp();
  });

  const snapshot = (w: TestWorld) => w.store.records('example.com').map(({ name, type, data }) => `${type} ${name} ${data}`);
  const challenges = [
    { domain: 'example.com', value: 'flow-apex' },
    { domain: '*.example.com', value: 'flow-wildcard' },
  ];

  it('present returns once every nameserver serves both values; cleanup leaves the zone as it was', async () => {
    world = await startTestWorld({
      provider: 'xsserver',
      nameservers: [{ lagMs: 150 }, { lagMs: 400 }],
      records: [{ name: NAME, type: 'TXT', data: 'foreign-kept' }],
      emulator: { nameStyle: 'absolute', expiredDomains: ['example.com'] },
    });
    const logs: string[] = [];
    ctx = openSession(world.env, { logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }) }).flow();
    const before = snapshot(world);

    const placed = await present(ctx, challenges);
    expect(placed.map((p) => p.zone.name)).toEqual(['example.com', 'example.com']);
    // The slowest nameserver serves the zone as it was 400 ms ago: present waited until that version had both values.
    const slowest = world.store.recordsAt('example.com', Date.now() - 400, { name: NAME, type: 'TXT' });
    expect(slowest.records.map((r) => r.data).sort()).toEqual(['flow-apex', 'flow-wildcard', 'foreign-kept']);
    const asked = new Set(world.dns.queryLog.filter((q) => q.type === 'TXT' && q.server !== 'resolver').map((q) => q.server));
    expect(asked).toEqual(new Set(['ns1.dns01-test.net', 'ns2.dns01-test.net']));

    await cleanup(ctx, challenges);
    expect(snapshot(world)).toEqual(before);
    const text = logs.join('\n');
    for (const secret of world.secrets) expect(text).not.toContain(secret);
  });

  for (const reading of XSSERVER_READINGS) {
    it(`reading "${reading.label}": ${reading.deletes ? 'present and cleanup leave the zone as it was' : 'present refuses before any write'}`, async () => {
      world = await startTestWorld({
        provider: 'xsserver',
        records: [
          { name: NAME, type: 'TXT', data: 'foreign-kept' },
          { name: 'www.example.com', type: 'A', data: '192.0.2.10' },
        ],
        emulator: { readings: reading.readings },
      });
      ctx = openSession(world.env).flow();
      const before = snapshot(world);
      if (reading.deletes) {
        await present(ctx, challenges);
        expect(world.txt(NAME).sort()).toEqual(['flow-apex', 'flow-wildcard', 'foreign-kept']);
        await cleanup(ctx, challenges);
      } else {
        const error = await present(ctx, challenges).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ProviderApiError);
        expect((error as ProviderApiError).message).toMatch(/are not their positions in the list .* was not created/);
        expect(world.emulator.server.requests.filter((r) => r.method !== 'GET')).toEqual([]);
      }
      expect(snapshot(world)).toEqual(before);
    });
  }
});
