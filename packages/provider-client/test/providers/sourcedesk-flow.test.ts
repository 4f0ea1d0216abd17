import { afterEach, describe, expect, it } from 'vitest';
import { SOURCEDESK_READINGS, startTestWorld, type TestWorld } from '@dns01/testkit';
import { closeHttp, openSession, createLogger, present, cleanup, ZoneNotFoundError, type FlowContext } from '../../src/internal.js';

const NAME = '_acme-challenge.example.com';

describe('sourcedesk: present and cleanup through the shared flow, against the emulator and the test DNS servers', () => {
  let world: TestWorld<'sourcedesk'> | undefined;
  let ctx: FlowContext | undefined;
  afterEach(async () => {
    await ctx?.provider.close();
    await world?.close();
    await closeHttp();
  });
  const zoneState = () => world!.store.records('example.com').map(({ name, type, data }) => `${type} ${name} ${data}`);
  const logged = (level: 'info' | 'debug' = 'info') => {
    const lines: string[] = [];
    return { lines, logger: createLogger({ level, write: (l) => lines.push(l) }) };
  };

  it('present confirms the SOA apex with one dns/list, returns once every nameserver serves both values; cleanup restores the zone', async () => {
    world = await startTestWorld({
      provider: 'sourcedesk',
      nameservers: [{ lagMs: 150 }, { lagMs: 400 }],
      records: [{ name: NAME, type: 'TXT', data: 'foreign-kept' }],
    });
    const log = logged('debug');
    ctx = openSession(world.env, { logger: log.logger }).flow();
    const before = zoneState();
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
    expect(zoneState()).toEqual(before);
    const text = log.lines.join('\n');
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
      const before = zoneState();
      const challenges = [
        { domain: 'example.com', value: 'flow-apex' },
        { domain: '*.example.com', value: 'flow-wildcard' },
      ];
      await present(ctx, challenges);
      expect(world.txt(NAME).sort()).toEqual(['flow-apex', 'flow-wildcard', 'foreign-kept']);
      await cleanup(ctx, challenges);
      expect(zoneState()).toEqual(before);
    });
  }

  it('a value already in the zone: present says "already present" and adds nothing; cleanup deletes that exact value (the rule for a value already there)', async () => {
    world = await startTestWorld({ provider: 'sourcedesk', records: [{ name: NAME, type: 'TXT', data: 'there-before' }] });
    const log = logged();
    ctx = openSession(world.env, { logger: log.logger }).flow();
    await present(ctx, [{ domain: 'example.com', value: 'there-before' }], { wait: false });
    expect(world.emulator.calls.add ?? 0).toBe(0);
    expect(log.lines.filter((l) => l.includes(NAME))).toEqual([
      expect.stringMatching(/TXT _acme-challenge\.example\.com "there-before" already present in zone example\.com/),
    ]);
    await cleanup(ctx, [{ domain: 'example.com', value: 'there-before' }]);
    expect(world.txt(NAME)).toEqual([]);
    expect(log.lines.at(-1)).toMatch(/deleted TXT _acme-challenge\.example\.com$/);
  });

  it('a zone holding only SOA and NS: present fails as zone not found with the fix, before any add; a cleanup there is "already gone"', async () => {
    world = await startTestWorld({ provider: 'sourcedesk', emulator: { bareZones: ['example.com'] } });
    const log = logged();
    ctx = openSession(world.env, { logger: log.logger }).flow();
    const error = (await present(ctx, [{ domain: 'example.com', value: 'never' }]).catch((e: unknown) => e)) as ZoneNotFoundError;
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect(error.hint).toMatch(/^Add any record to example\.com in the sourceDESK panel/);
    expect(world.emulator.calls.add ?? 0).toBe(0);
    await cleanup(ctx, [{ domain: 'example.com', value: 'never' }]);
    expect(log.lines.at(-1)).toMatch(/TXT _acme-challenge\.example\.com was already gone$/);
  });

  it('a second cleanup after dns01 deleted the last record sourceDESK showed (the zone now answers 804) is "already gone", not an error', async () => {
    world = await startTestWorld({
      provider: 'sourcedesk',
      emulator: { bareZones: ['example.com'] },
      records: [{ name: 'example.com', type: 'TXT', data: 'foreign' }],
    });
    const log = logged();
    ctx = openSession(world.env, { logger: log.logger }).flow();
    await present(ctx, [{ domain: 'example.com', value: 'last-one' }], { wait: false });
    // The foreign record goes by hand: the challenge is all sourceDESK shows, and its delete empties the zone.
    world.store.remove(
      'example.com',
      world.store
        .records('example.com', { type: 'TXT' })
        .filter((r) => r.data === 'foreign')
        .map((r) => r.id),
    );
    await cleanup(ctx, [{ domain: 'example.com', value: 'last-one' }]);
    await cleanup(ctx, [{ domain: 'example.com', value: 'last-one' }]);
    expect(log.lines.slice(-2)).toEqual([
      expect.stringMatching(/deleted TXT _acme-challenge\.example\.com$/),
      expect.stringMatching(/TXT _acme-challenge\.example\.com was already gone$/),
    ]);
    expect(world.emulator.calls.delete).toBe(1);
  });
});
