// flow.ts on its own rules: what present/cleanup promise every adapter,
// against the netcup emulator and the loopback DNS servers.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld, type TestWorldOptions } from '@dns01/testkit';
import {
  cleanup,
  closeHttp,
  openSession,
  createLogger,
  createRecords,
  deleteRecords,
  openDnsSession,
  GENERIC_PROPAGATION,
  present,
  PropagationTimeoutError,
  ProviderApiError,
  ZoneNotFoundError,
  type FlowContext,
} from '../src/internal.js';

describe('flow', { timeout: 30_000 }, () => {
  let world: TestWorld<'netcup'>;
  let ctx: FlowContext;
  afterEach(async () => {
    await ctx?.provider.close();
    await world?.close();
    await closeHttp();
  });

  async function start(options: Omit<TestWorldOptions<'netcup'>, 'provider'> = {}) {
    world = await startTestWorld({ provider: 'netcup', zones: ['example.com'], foreignZones: ['elsewhere.org'], ...options });
    ctx = openSession(world.env).flow();
  }

  it('createRecords: when one challenge fails, the records placed by the same call are removed and the first error is thrown', async () => {
    await start();
    const error = await createRecords(ctx, [
      { domain: 'example.com', value: 'placed-then-rolled-back' },
      { domain: 'elsewhere.org', value: 'no-zone' },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect(world.txt('_acme-challenge.example.com')).toEqual([]);
  });

  it('present waits for every nameserver; a wait that fails removes what it created and rethrows', async () => {
    await start({ nameservers: [{ lagMs: 0 }, { lagMs: 60_000 }], propagationTimeout: 0.5 });
    const error = await present(ctx, [{ domain: 'example.com', value: 'never-propagates' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PropagationTimeoutError);
    expect((error as Error).message).toContain('ns2.dns01-test.net');
    expect(world.txt('_acme-challenge.example.com')).toEqual([]);
  });

  it('present with wait false only creates; cleanup deletes exactly those values and leaves others', async () => {
    await start({ records: [{ name: '_acme-challenge.example.com', type: 'TXT', data: 'foreign' }] });
    const placed = await present(
      ctx,
      [
        { domain: 'example.com', value: 'ours' },
        { domain: '*.example.com', value: 'ours-wild' },
      ],
      { wait: false },
    );
    expect(placed.map((p) => p.name)).toEqual(['_acme-challenge.example.com', '_acme-challenge.example.com']);
    expect(world.txt('_acme-challenge.example.com').sort()).toEqual(['foreign', 'ours', 'ours-wild']);
    await cleanup(ctx, [
      { domain: 'example.com', value: 'ours' },
      { domain: '*.example.com', value: 'ours-wild' },
    ]);
    expect(world.txt('_acme-challenge.example.com')).toEqual(['foreign']);
  });

  it('present says which values were already there and created nothing for them; cleanup deletes the exact value either way', async () => {
    await start({ records: [{ name: '_acme-challenge.example.com', type: 'TXT', data: 'there-before' }] });
    const lines: string[] = [];
    ctx = { ...ctx, logger: createLogger({ level: 'info', write: (l) => lines.push(l) }) };
    await present(
      ctx,
      [
        { domain: 'example.com', value: 'there-before' },
        { domain: '*.example.com', value: 'new-one' },
      ],
      { wait: false },
    );
    expect(lines.filter((l) => l.includes('TXT _acme-challenge.example.com'))).toEqual([
      expect.stringMatching(/TXT _acme-challenge\.example\.com "there-before" already present in zone example\.com$/),
      expect.stringMatching(/created TXT _acme-challenge\.example\.com in zone example\.com$/),
    ]);
    expect(world.txt('_acme-challenge.example.com').sort()).toEqual(['new-one', 'there-before']);
    await cleanup(ctx, [
      { domain: 'example.com', value: 'there-before' },
      { domain: '*.example.com', value: 'new-one' },
    ]);
    expect(world.txt('_acme-challenge.example.com')).toEqual([]);
  });

  it('deleteRecords names every record it could not delete', async () => {
    await start();
    const placed = await createRecords(ctx, [{ domain: 'example.com', value: 'stays-behind' }]);
    // An error on every updateDnsRecords (the delete) and on the check that follows it.
    world.emulator.injectError({ action: 'updateDnsRecords', statuscode: 5000, shortmessage: 'server error', times: 5 });
    world.emulator.injectError({ action: 'infoDnsRecords', statuscode: 5000, shortmessage: 'server error', times: 5 });
    const error = await deleteRecords(ctx, placed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as Error).message).toContain('could not delete TXT _acme-challenge.example.com "stays-behind"');
  });

  it("openDnsSession: the named provider's propagation defaults, else the generic ones; no credentials needed", () => {
    expect(openDnsSession({ DNS01_PROVIDER: 'mrdomain' }).flow().propagation).toMatchObject({ timeoutMs: 900_000, intervalMs: 5000 });
    expect(openDnsSession({}).flow().propagation).toMatchObject({ timeoutMs: GENERIC_PROPAGATION.timeout * 1000 });
    expect(openDnsSession({ DNS01_PROVIDER: 'mrdomain', DNS01_PROPAGATION_TIMEOUT: '30' }).flow().propagation.timeoutMs).toBe(30_000);
  });
});
