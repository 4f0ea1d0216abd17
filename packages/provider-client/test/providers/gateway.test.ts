// The gateway provider: dns01's own flow on a host without provider
// credentials, through a real `dns01 serve` in front of the netcup emulator
// (testkit's gateway wiring).
import { afterEach, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from '@dns01/testkit';
import { AuthenticationError, closeHttp, cleanup, InvalidInputError, openSession, present, ProviderApiError, type FlowContext } from '../../src/internal.js';

const NAME = '_acme-challenge.example.com';
let world: TestWorld<'gateway'> | undefined;
let ctx: FlowContext | undefined;
afterEach(async () => {
  await ctx?.provider.close();
  await world?.close();
  await closeHttp();
  ctx = undefined;
  world = undefined;
});

const start = async (env: Record<string, string> = {}) => {
  world = await startTestWorld({ provider: 'gateway', foreignZones: ['other.org'], records: [{ name: NAME, type: 'TXT', data: 'foreign-kept' }] });
  const flow = openSession({ ...world.env, ...env }).flow();
  ctx = flow;
  return { world, ctx: flow };
};

describe('gateway provider', () => {
  it('present waits for every nameserver and cleanup deletes exactly; the host holds no provider credential', async () => {
    const { world, ctx } = await start();
    expect(Object.keys(world.env).filter((k) => k.startsWith('NETCUP_'))).toEqual([]);
    const challenges = [
      { domain: 'example.com', value: 'gw-apex' },
      { domain: '*.example.com', value: 'gw-wildcard' },
      { domain: 'www.example.com', value: 'gw-www' },
    ];
    const placed = await present(ctx, challenges);
    expect(placed.map((p) => [p.name, p.zone.name])).toEqual([
      [NAME, 'example.com'],
      [NAME, 'example.com'],
      ['_acme-challenge.www.example.com', 'example.com'],
    ]);
    expect(world.txt(NAME).sort()).toEqual(['foreign-kept', 'gw-apex', 'gw-wildcard']);
    await cleanup(ctx, challenges);
    expect(world.txt(NAME)).toEqual(['foreign-kept']);
    expect(world.txt('_acme-challenge.www.example.com')).toEqual([]);
    expect(world.emulator.gateway.ledger.size).toBe(0);
  });

  it('a wrong secret is an authentication error and nothing reaches the provider', async () => {
    const { world, ctx } = await start({ DNS01_GATEWAY_SECRET: 'not-the-gateway-secret' });
    const before = world.emulator.server.requests.length;
    await expect(present(ctx, [{ domain: 'example.com', value: 'never' }])).rejects.toBeInstanceOf(AuthenticationError);
    expect(world.emulator.server.requests.length).toBe(before);
  });

  it('a name outside the client scope is refused as input (exit 2), before the provider hears of it', async () => {
    const { world, ctx } = await start();
    const before = world.emulator.server.requests.length;
    const error = await present(ctx, [{ domain: 'other.org', value: 'outside' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/outside this client's names/);
    expect(world.emulator.server.requests.length).toBe(before);
  });

  it("the gateway's provider failing is a provider error that quotes the gateway's line", async () => {
    const { world, ctx } = await start();
    world.emulator.netcup.injectError({ action: 'updateDnsRecords', statuscode: 4002, longmessage: 'Something unexpected failed.', times: 10 });
    const error = await present(ctx, [{ domain: 'example.com', value: 'gw-fails' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as Error).message).toMatch(/the gateway answered HTTP 502 \(provider_error\): .*netcup/);
    expect(world.txt(NAME)).toEqual(['foreign-kept']);
  });
});
