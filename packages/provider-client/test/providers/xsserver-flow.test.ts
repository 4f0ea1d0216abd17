import { afterEach, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from '@dns01/testkit';
import { closeHttp, contextFromEnv, createLogger, present, cleanup, type FlowContext } from '../../src/index.js';

const NAME = '_acme-challenge.example.com';

describe('xsserver: present and cleanup through the shared flow, against the emulator and the test DNS servers', () => {
  let world: TestWorld<'xsserver'> | undefined;
  let ctx: FlowContext | undefined;
  afterEach(async () => {
    await ctx?.provider.close();
    await world?.close();
    await closeHttp();
  });

  it('present returns once every nameserver serves both values; cleanup leaves the zone as it was', async () => {
    world = await startTestWorld({
      provider: 'xsserver',
      nameservers: [{ lagMs: 150 }, { lagMs: 400 }],
      records: [{ name: NAME, type: 'TXT', data: 'foreign-kept' }],
      emulator: { nameStyle: 'absolute', expiredDomains: ['example.com'] },
    });
    const logs: string[] = [];
    ctx = contextFromEnv(world.env, { logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }) });
    const before = world.store.records('example.com').map(({ name, type, data }) => `${type} ${name} ${data}`);
    const challenges = [
      { domain: 'example.com', value: 'flow-apex' },
      { domain: '*.example.com', value: 'flow-wildcard' },
    ];

    const placed = await present(ctx, challenges);
    expect(placed.map((p) => p.zone.name)).toEqual(['example.com', 'example.com']);
    // The slowest nameserver serves the zone as it was 400 ms ago: present waited until that version had both values.
    const slowest = world.store.recordsAt('example.com', Date.now() - 400, { name: NAME, type: 'TXT' });
    expect(slowest.records.map((r) => r.data).sort()).toEqual(['flow-apex', 'flow-wildcard', 'foreign-kept']);
    const asked = new Set(world.dns.queryLog.filter((q) => q.type === 'TXT' && q.server !== 'resolver').map((q) => q.server));
    expect(asked).toEqual(new Set(['ns1.dns01-test.net', 'ns2.dns01-test.net']));

    await cleanup(ctx, challenges);
    expect(world.store.records('example.com').map(({ name, type, data }) => `${type} ${name} ${data}`)).toEqual(before);
    const text = logs.join('\n');
    for (const secret of world.secrets) expect(text).not.toContain(secret);
  });
});
