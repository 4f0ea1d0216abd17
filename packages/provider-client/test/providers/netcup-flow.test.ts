import { afterEach, describe, expect, it } from 'vitest';
import { NETCUP_READINGS, NETCUP_REST_READINGS, startTestWorld, type TestWorld } from '@dns01/testkit';
import { AuthenticationError, closeHttp, openSession, present, cleanup, type FlowContext } from '../../src/internal.js';

const ZONE = 'example.com';
const NAME = `_acme-challenge.${ZONE}`;

describe('netcup: present and cleanup through the shared flow under every reading of the document', () => {
  let world: TestWorld<'netcup'> | undefined;
  let ctx: FlowContext | undefined;
  afterEach(async () => {
    await ctx?.provider.close();
    await world?.close();
    ctx = undefined;
    world = undefined;
    await closeHttp();
  });

  const snapshot = (w: TestWorld) => w.store.records(ZONE).map(({ name, type, data }) => `${type} ${name} ${data}`);

  for (const reading of NETCUP_READINGS) {
    it(`reading "${reading.label}": present (apex + wildcard + a deep name) and cleanup leave the zone as it was`, async () => {
      world = await startTestWorld({
        provider: 'netcup',
        zones: [ZONE, 'empty.net'],
        records: [{ name: NAME, type: 'TXT', data: 'foreign-kept' }],
        emulator: { readings: reading.readings },
      });
      ctx = openSession(world.env).flow();
      const before = snapshot(world);
      const challenges = [
        { domain: ZONE, value: 'flow-apex' },
        { domain: `*.${ZONE}`, value: 'flow-wildcard' },
        { domain: `a.b.${ZONE}`, value: 'flow-deep' },
        { domain: 'empty.net', value: 'flow-empty-zone' },
      ];
      await present(ctx, challenges);
      expect(world.txt(NAME).sort()).toEqual(['flow-apex', 'flow-wildcard', 'foreign-kept']);
      expect(world.txt('_acme-challenge.empty.net')).toEqual(['flow-empty-zone']);
      await cleanup(ctx, challenges);
      expect(snapshot(world)).toEqual(before);
      expect(world.txt('_acme-challenge.empty.net')).toEqual([]);
    });
  }

  for (const reading of NETCUP_REST_READINGS) {
    it(`REST API, reading "${reading.label}": present and cleanup, one name CNAME-delegated outside _acme-challenge (the changeset, NETCUP_REST_CHANGESET=1), leave the zone as it was`, async () => {
      world = await startTestWorld({
        provider: 'netcup',
        records: [
          { name: NAME, type: 'TXT', data: 'foreign-kept' },
          { name: `_acme-challenge.www.${ZONE}`, type: 'CNAME', data: `acme-delegated.${ZONE}` },
          { name: `acme-delegated.${ZONE}`, type: 'TXT', data: 'foreign delegated value' },
        ],
        emulator: { rest: { changeset: true, readings: reading.readings, legacyCredentials: false } },
        env: { NETCUP_REST_CHANGESET: '1' },
      });
      ctx = openSession(world.env).flow();
      const before = snapshot(world);
      const apex = 'Zt3yC8b0vQn1m4Kp7sW2xE5rH9jL6uA0dF3gB8cN1oI';
      const challenges = [
        { domain: ZONE, value: apex },
        { domain: `www.${ZONE}`, value: 'delegated; value' },
      ];
      await present(ctx, challenges);
      expect(world.txt(NAME).sort()).toEqual([apex, 'foreign-kept']);
      expect(world.txt(`acme-delegated.${ZONE}`).sort()).toEqual(['delegated; value', 'foreign delegated value']);
      await cleanup(ctx, challenges);
      expect(snapshot(world)).toEqual(before);
      const changesets = world.emulator.rest!.server.requests.filter((q) => q.url.endsWith('/changeset')).map((q) => q.body);
      expect(changesets).toEqual([expect.stringContaining('"rdata":"\\"delegated; value\\""'), expect.stringContaining('"rdata":"\\"delegated; value\\""')]);
    });
  }

  it('reading "a refused login answers 4001": wrong credentials end in an authentication error before any write', async () => {
    world = await startTestWorld({ provider: 'netcup', emulator: { readings: { loginRefusal: 4001 } } });
    ctx = openSession({ ...world.env, NETCUP_API_PASSWORD: 'wrong-flow-pw-9' }).flow();
    const before = snapshot(world);
    await expect(present(ctx, [{ domain: ZONE, value: 'never' }])).rejects.toBeInstanceOf(AuthenticationError);
    expect(snapshot(world)).toEqual(before);
    expect(world.emulator.actionCounts().updateDnsRecords ?? 0).toBe(0);
  });
});
