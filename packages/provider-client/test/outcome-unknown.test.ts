// Item 1 of issue 15: a provider that carries out a create but answers with a
// body that cannot be parsed (an HTML page, a PHP warning before the JSON)
// must not leave the record behind unnamed. The outcome of such a write is
// unknown: the provider re-lists; when even that fails, the flow deletes the
// record by exact match or names it as left behind.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestWorld, type LoggedRequest, type TestWorld, type TestWorldOptions } from '@dns01/testkit';
import { closeHttp, openSession, createLogger, present, cleanup, type FlowContext, type ProviderName } from '../src/internal.js';

const NAME = '_acme-challenge.example.com';

/** The providers with an API of their own (the gateway provider relays to a gateway, whose provider these cover). */
type WireProvider = Exclude<ProviderName, 'gateway'>;

/** The create request of each provider, and its record list. */
const WIRE: Record<WireProvider, { create: (r: LoggedRequest) => boolean; list: (r: LoggedRequest) => boolean }> = {
  netcup: {
    create: (r) => r.body.includes('"action":"updateDnsRecords"'),
    list: (r) => r.body.includes('"action":"infoDnsRecords"'),
  },
  xsserver: {
    create: (r) => r.method === 'POST' && /\/dns$/.test(r.url),
    list: (r) => r.method === 'GET' && /\/dns$/.test(r.url),
  },
  mrdomain: {
    create: (r) => r.url.includes('/service/dnscreate/'),
    list: (r) => r.url.includes('/service/dnslist/'),
  },
  sourcedesk: {
    create: (r) => r.url.endsWith('/dns/add'),
    list: (r) => r.url.endsWith('/dns/show'),
  },
};

const PROVIDERS: WireProvider[] = ['netcup', 'xsserver', 'mrdomain', 'sourcedesk'];

/** Each test's world and flow context, closed after it; `logs` holds the flow's debug lines of the current test. */
function worldPerTest<P extends ProviderName>() {
  let world: TestWorld<P> | undefined;
  let ctx: FlowContext | undefined;
  const logs: string[] = [];
  afterEach(async () => {
    await ctx?.provider.close();
    await world?.close();
    await closeHttp();
    world = undefined;
    ctx = undefined;
  });
  const start = async (options: TestWorldOptions<P>) => {
    world = await startTestWorld(options);
    logs.length = 0;
    ctx = openSession(world.env, { logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }) }).flow();
    return { world, ctx };
  };
  return { start, logs };
}

describe.each(PROVIDERS)('%s: a create carried out but answered unparseably', (provider) => {
  const each = worldPerTest();
  const logs = each.logs;
  const start = () => each.start({ provider, records: [{ name: NAME, type: 'TXT', data: 'foreign-kept' }] });

  /** The create is carried out but answered `style`; the next `lists` record lists after it answer garbage. */
  const garbleCreateThenLists = (world: TestWorld, style: 'html' | 'php-warning', lists: number) => {
    let created = false;
    world.emulator.server.inject({ fault: { kind: 'garbled', style }, match: (r) => (WIRE[provider].create(r) ? (created = true) : false) });
    world.emulator.server.inject({ fault: { kind: 'malformed' }, times: lists, match: (r) => created && WIRE[provider].list(r) });
  };

  for (const style of ['html', 'php-warning'] as const) {
    it(`${style}: the record is found by a re-list, present succeeds, cleanup leaves only the foreign record`, async () => {
      const { world, ctx } = await start();
      world.emulator.server.inject({ fault: { kind: 'garbled', style }, match: WIRE[provider].create });
      const placed = await present(ctx, [{ domain: 'example.com', value: `garbled-${style}` }]);
      expect(placed.map((p) => p.name)).toEqual([NAME]);
      expect(world.txt(NAME).sort()).toEqual(['foreign-kept', `garbled-${style}`]);
      // created once: the re-list found it, nothing was sent twice
      expect(world.emulator.server.requests.filter(WIRE[provider].create)).toHaveLength(1);
      await cleanup(ctx, [{ domain: 'example.com', value: `garbled-${style}` }]);
      expect(world.txt(NAME)).toEqual(['foreign-kept']);
    });
  }

  it('the re-list fails too: the flow deletes the record by exact match before it throws', async () => {
    const { world, ctx } = await start();
    // every list right after the create answers garbage, so the provider cannot know
    garbleCreateThenLists(world, 'html', 1);
    await expect(present(ctx, [{ domain: 'example.com', value: 'unknown-outcome' }])).rejects.toThrow();
    expect(world.txt(NAME)).toEqual(['foreign-kept']);
  });

  it('the provider stays unreadable: the record is named as left behind', async () => {
    const { world, ctx } = await start();
    garbleCreateThenLists(world, 'html', 50);
    await expect(present(ctx, [{ domain: 'example.com', value: 'left-named' }])).rejects.toThrow();
    expect(logs.join('\n')).toMatch(new RegExp(`error: .*could not delete TXT ${NAME.replace(/\./g, '\\.')} "left-named" \\(its add may have happened\\)`));
    expect(logs.join('\n')).toMatch(/: dns01 cleanup example\.com left-named$/m);
  });

  it('two challenges, one answered unparseably with its re-list failing: neither record is left behind', async () => {
    const { world, ctx } = await start();
    garbleCreateThenLists(world, 'php-warning', 1);
    const challenges = [
      { domain: 'example.com', value: 'pair-apex' },
      { domain: 'www.example.com', value: 'pair-www' },
    ];
    await expect(present(ctx, challenges)).rejects.toThrow();
    expect(world.txt(NAME)).toEqual(['foreign-kept']);
    expect(world.txt('_acme-challenge.www.example.com')).toEqual([]);
  });
});

describe('netcup REST: a challenge add carried out but answered unparseably', () => {
  const each = worldPerTest<'netcup'>();
  /** ACME values, as the REST API takes only those: 43 characters of base64url. */
  const acmeValue = (label: string) => Buffer.from(label.padEnd(32, '.')).toString('base64url');
  const isAdd = (r: LoggedRequest) => r.method === 'POST' && /\/acme\/challenge$/.test(r.url.replace(/\?.*/, ''));
  const isList = (r: LoggedRequest) => r.method === 'GET' && /\/acme\/challenge$/.test(r.url.replace(/\?.*/, ''));

  const start = async () => {
    const { world, ctx } = await each.start({
      provider: 'netcup',
      emulator: { rest: {} },
      records: [{ name: NAME, type: 'TXT', data: acmeValue('foreign-kept') }],
    });
    return { world, rest: world.emulator.rest!, ctx };
  };

  for (const style of ['html', 'php-warning'] as const) {
    it(`${style}: present succeeds without a second add, cleanup leaves only the foreign value`, async () => {
      const { world, rest, ctx } = await start();
      const value = acmeValue(`garbled-${style}`);
      rest.server.inject({ fault: { kind: 'garbled', style }, match: isAdd });
      await present(ctx, [{ domain: 'example.com', value }]);
      expect(world.txt(NAME).sort()).toEqual([acmeValue('foreign-kept'), value].sort());
      expect(rest.server.requests.filter(isAdd)).toHaveLength(1);
      await cleanup(ctx, [{ domain: 'example.com', value }]);
      expect(world.txt(NAME)).toEqual([acmeValue('foreign-kept')]);
    });
  }

  it('the add answered unparseably and every list after it too: the flow deletes the value by exact match before it throws', async () => {
    const { world, rest, ctx } = await start();
    const value = acmeValue('left-or-named');
    let added = false;
    rest.server.inject({ fault: { kind: 'garbled', style: 'html' }, match: (r) => (isAdd(r) ? (added = true) : false) });
    rest.server.inject({ fault: { kind: 'malformed' }, times: 50, match: (r) => added && isList(r) });
    await expect(present(ctx, [{ domain: 'example.com', value }])).rejects.toThrow(/challenge add: answered with a body that is not JSON/);
    expect(world.txt(NAME)).toEqual([acmeValue('foreign-kept')]);
  });
});
