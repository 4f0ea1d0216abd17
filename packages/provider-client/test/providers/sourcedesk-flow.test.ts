import { afterEach, describe, expect, it } from 'vitest';
import { SOURCEDESK_READINGS, startTestWorld, type TestWorld } from '@dns01/testkit';
import { closeHttp, openSession, createLogger, present, cleanup, type FlowContext } from '../../src/internal.js';

const NAME = '_acme-challenge.example.com';

describe('sourcedesk: present and cleanup through the shared flow, against the emulator and the test DNS servers', () => {
  let world: TestWorld<'sourcedesk'> | undefined;
  let ctx: FlowContext | undefined;
  afterEach(async () => {
    await ctx?.provider.close();
    await world?.close();
    await closeHttp();
  });

  it('present confirms the SOA apex with one dns/list, returns once every nameserver serves both values; cleanup restores the zone', async () => {
    world = await startTestWorld({
      provider: 'sourcedesk',
      nameservers: [{ lagMs: 150 }, { lagMs: 400 }],
      records: [{ name: NAME, type: 'TXT', data: 'foreign-kept' }],
    });
    const logs: string[] = [];
    ctx = openSession(world.env, { logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }) }).flow();
    const before = world.store.records('example.com').map(({ name, type, data }) => `${type} ${name} ${data}`);
    const challenges = [
      { domain: 'example.com', value: 'flow-apex' },
      { domain: '*.example.com', value: 'flow-wildcard' },
    ];

    const placed = await present(ctx, challenges);
    expect(placed.map((p) => p.zone.name)).toEqual(['example.com', 'example.com']);
    expect(world.emulator.calls.list).toBe(1);
    const slowest = world.store.recordsAt('example.com', Date.now() - 400, { name: NAME, type: 'TXT' });
    expect(slowest.records.map((r) => r.data).sort()).toEqual(['flow-apex', 'flow-wildcard', 'foreign-kept']);

    await cleanup(ctx, challenges);
    expect(world.store.records('example.com').map(({ name, type, data }) => `${type} ${name} ${data}`)).toEqual(before);
    const text = logs.join('\n');
    expect(text).toContain(`/${world.env.SOURCEDESK_CUSTOMER_ID}/***/dns/add`);
    for (const secret of world.secrets) expect(text).not.toContain(secret);
  });

  for (const reading of SOURCEDESK_READINGS) {
    it(`reading "${reading.label}": present and cleanup leave the zone as it was`, async () => {
      world = await startTestWorld({
        provider: 'sourcedesk',
        records: [{ name: NAME, type: 'TXT', data: 'foreign-kept' }],
        emulator: { readings: reading.readings },
      });
      ctx = openSession(world.env).flow();
      const before = world.store.records('example.com').map(({ name, type, data }) => `${type} ${name} ${data}`);
      const challenges = [
        { domain: 'example.com', value: 'flow-apex' },
        { domain: '*.example.com', value: 'flow-wildcard' },
      ];
      await present(ctx, challenges);
      expect(world.txt(NAME).sort()).toEqual(['flow-apex', 'flow-wildcard', 'foreign-kept']);
      await cleanup(ctx, challenges);
      expect(world.store.records('example.com').map(({ name, type, data }) => `${type} ${name} ${data}`)).toEqual(before);
    });
  }
});
