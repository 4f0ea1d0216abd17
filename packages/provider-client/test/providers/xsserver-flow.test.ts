import { afterEach, describe, expect, it } from 'vitest';
import { startTestWorld, XSSERVER_READINGS, type TestWorld } from '@dns01/testkit';
import { closeHttp, openSession, createLogger, present, cleanup, type FlowContext } from '../../src/internal.js';

const NAME = '_acme-challenge.example.com';

describe('xsserver: present and cleanup through the shared flow, against the emulator and the test DNS servers', () => {
  let world: TestWorld<'xsserver'> | undefined;
  const sessions: FlowContext[] = [];
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.provider.close()));
    if (world) expect(world.emulator.losses()).toEqual([]);
    await world?.close();
    await closeHttp();
  });
  const flow = (w: TestWorld, logs?: string[]) => {
    const ctx = openSession(w.env, logs ? { logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }) } : {}).flow();
    sessions.push(ctx);
    return ctx;
  };

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
      emulator: { nameStyle: 'dotted', expiredDomains: ['example.com'] },
    });
    const logs: string[] = [];
    const ctx = flow(world, logs);
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
    it(`reading "${reading.label}": present, cleanup, then cleanups in three sessions at once leave every foreign record`, async () => {
      world = await startTestWorld({
        provider: 'xsserver',
        records: [
          { name: NAME, type: 'TXT', data: 'foreign-kept' },
          { name: 'www.example.com', type: 'A', data: '192.0.2.10' },
          { name: 'example.com', type: 'TXT', data: 'v=spf1 -all' },
        ],
        emulator: { readings: reading.readings, ...reading.options },
      });
      const w = world;
      const before = snapshot(w);
      await present(flow(w), challenges);
      expect(w.txt(NAME).sort()).toEqual(['flow-apex', 'flow-wildcard', 'foreign-kept']);
      await cleanup(flow(w), challenges);
      expect(snapshot(w)).toEqual(before);

      // As three hook processes of one run: each its own session (its own memory of the reading), one host lock.
      const values = ['p-0', 'p-1', 'p-2'].map((value) => ({ domain: 'example.com', value }));
      await present(flow(w), values);
      w.store.add('example.com', { name: NAME, type: 'TXT', data: 'foreign-after' });
      const withForeign = [...before, `TXT ${NAME} foreign-after`];
      await Promise.all(values.map((v) => cleanup(flow(w), [v])));
      expect(snapshot(w)).toEqual(withForeign);
    });
  }
});
