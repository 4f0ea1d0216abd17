// dns01 check --write's self-test (selftest.ts) against every provider's emulator and the test DNS servers.
import { afterEach, describe, expect, it } from 'vitest';
import {
  MRDOMAIN_READINGS,
  NETCUP_READINGS,
  SOURCEDESK_READINGS,
  startTestWorld,
  XSSERVER_READINGS,
  type EmulatorOptionsOf,
  type TestWorld,
  OWN_API_PROVIDERS,
} from '@dns01/testkit';
import {
  closeHttp,
  openSession,
  createLogger,
  PropagationTimeoutError,
  providerDefinition,
  selfTest,
  suggestedTimeout,
  type DnsProvider,
  type FlowContext,
  type ProviderName,
} from '../src/internal.js';

/** Records the self-test must never touch: TXT at the zone, at _acme-challenge, and other types. */
const FOREIGN = [
  { name: 'example.com', type: 'TXT' as const, data: 'v=spf1 -all' },
  { name: '_acme-challenge.example.com', type: 'TXT' as const, data: 'foreign-challenge' },
  { name: 'www.example.com', type: 'A' as const, data: '192.0.2.10' },
];

const zoneState = (world: TestWorld) =>
  world.store
    .records('example.com')
    .map(({ name, type, data }) => `${type} ${name} ${data}`)
    .sort();

interface Run<P extends ProviderName = ProviderName> {
  world: TestWorld<P>;
  ctx: FlowContext;
  logs: string[];
  run: (wrap?: (p: DnsProvider) => DnsProvider) => ReturnType<typeof selfTest>;
}

let current: Run<ProviderName> | undefined;
afterEach(async () => {
  await current?.ctx.provider.close();
  await current?.world.close();
  current = undefined;
  await closeHttp();
});

async function setUp<P extends ProviderName>(
  provider: P,
  options: { emulator?: EmulatorOptionsOf[P]; lagMs?: number[]; timeout?: number } = {},
): Promise<Run<P>> {
  const world = await startTestWorld({
    provider,
    records: FOREIGN,
    // ns2 lags longer than the check's own API calls take, so the wait has to poll.
    nameservers: (options.lagMs ?? [100, 1500]).map((lagMs) => ({ lagMs })),
    propagationTimeout: options.timeout ?? 15,
    ...(options.emulator ? { emulator: options.emulator } : {}),
  });
  const logs: string[] = [];
  const session = openSession(world.env, {
    logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
    http: { minRetryDelayMs: 1 },
  });
  const ctx = session.flow();
  const made: Run<P> = {
    world,
    ctx,
    logs,
    run: (wrap) =>
      selfTest(wrap ? { ...ctx, provider: wrap(ctx.provider) } : ctx, 'example.com', {
        readings: session.readings,
        openPoints: session.definition.openPoints,
        apiCalls: () => session.apiCalls,
      }),
  };
  current = made as unknown as Run<ProviderName>;
  return made;
}

describe('check --write self-test: everything holds on every emulator', { timeout: 30_000 }, () => {
  it.each(OWN_API_PROVIDERS)('%s: two values coexist, exact delete, per-nameserver times, the zone as before, foreign records untouched', async (provider) => {
    const { world, run, logs } = await setUp(provider);
    const before = zoneState(world);
    const report = await run();
    expect(report.outcome).toBe('ok');
    expect(report.zone).toBe('example.com');
    expect(report.name).toMatch(/^_dns01-selftest-[a-z0-9]{10}\.example\.com$/);
    expect(report.snapshot).toBe('zone');
    expect(report.snapshotRecords).toBe(2);
    expect(report.steps.map((s) => s.step)).toEqual(['snapshot', 'add-only', 'exact delete', 'propagation', 'restored']);
    expect(report.zoneRestored).toBe(true);
    expect(report.leftBehind).toEqual([]);
    // ns2 serves the zone as it was 1.5 s ago; B was written a little before the API call returned.
    const times = Object.fromEntries(report.propagation!.nameservers.map((n) => [n.nameserver, n.ms]));
    expect(Object.keys(times).sort()).toEqual(['ns1.dns01-test.net', 'ns2.dns01-test.net']);
    expect(times['ns2.dns01-test.net']).toBeGreaterThanOrEqual(1000);
    expect(times['ns1.dns01-test.net']).toBeLessThan(times['ns2.dns01-test.net']!);
    expect(report.propagation!.suggestedTimeout).toBe(60);
    expect(report.apiCalls).toBeGreaterThan(5);
    expect(report.readings.map((r) => r.point)).toEqual(providerDefinition(provider).openPoints.map((p) => p.point));
    // The MrDomain emulator quotes TXT values by default (the real API may), sourceDESK's (its PowerDNS driver) does, XSServer's as HostBill's recorded lists do; the others do not.
    const quoting = provider === 'mrdomain' || provider === 'sourcedesk' || provider === 'xsserver' ? 'quoted (2 of 2 values)' : 'plain';
    expect(report.readings.find((r) => r.point === 'txtQuoting')).toMatchObject({ seen: quoting, handled: true });
    // The MrDomain emulator matches the filter as a part of the absolute name: the probe shows it.
    if (provider === 'mrdomain')
      expect(report.readings.find((r) => r.point === 'filter')).toMatchObject({ seen: 'the absolute name, whole or in part', handled: true });
    expect(zoneState(world)).toEqual(before);
    // Progress while waiting, as dns01 wait shows it.
    expect(logs.some((l) => /waiting \d+s: ns1\.dns01-test\.net confirmed; ns2\.dns01-test\.net/.test(l))).toBe(true);
    for (const secret of world.secrets) expect(logs.join('\n')).not.toContain(secret);
  });

  it('plain TXT values in the lists are reported as a reading dns01 handles (xsserver, quoteTxt off)', async () => {
    const { run } = await setUp('xsserver', { emulator: { quoteTxt: false } });
    const report = await run();
    expect(report.outcome).toBe('ok');
    expect(report.readings.find((r) => r.point === 'txtQuoting')).toMatchObject({ seen: 'plain', handled: true });
    expect(report.readings.find((r) => r.point === 'ids')).toMatchObject({ seen: expect.stringMatching(/^database ids, not the positions/), handled: true });
  });
});

describe('check --write self-test: netcup, backend per zone', { timeout: 30_000 }, () => {
  it('REST API (reading: a second value is added beside the first): exit-0 report on _acme-challenge names, backend named', async () => {
    const { world, run } = await setUp('netcup', { emulator: { rest: { secondValue: 'coexist' } } });
    const before = zoneState(world);
    const report = await run();
    expect(report.outcome).toBe('ok');
    expect(report.name).toMatch(/^_acme-challenge\.dns01-selftest-[a-z0-9]{10}\.example\.com$/);
    expect(report.snapshot).toBe('challenge names');
    expect(report.snapshotRecords).toBe(1);
    expect(report.backend).toBe('REST API (CloudDNS)');
    expect(report.readings.find((r) => r.point === 'backend')).toMatchObject({ seen: 'REST API (CloudDNS) serves example.com', handled: true });
    expect(report.readings.find((r) => r.point === 'secondValue')).toMatchObject({ seen: 'it is added beside the first', handled: true });
    expect(zoneState(world)).toEqual(before);
  });

  it('REST API (reading: a second value replaces the first): deviation, its own values removed, zone as before', async () => {
    const { world, run } = await setUp('netcup', { emulator: { rest: { secondValue: 'replace' } } });
    const before = zoneState(world);
    const report = await run();
    expect(report.outcome).toBe('deviation');
    expect(report.deviation).toMatch(
      /^REST API: a second challenge value on a name is added beside the first, or replaces it: this account shows it replaces the value that was there, which dns01 cannot handle/,
    );
    expect(report.readings.find((r) => r.point === 'secondValue')).toMatchObject({ handled: false });
    expect(report.zoneRestored).toBe(true);
    expect(report.leftBehind).toEqual([]);
    expect(zoneState(world)).toEqual(before);
  });

  it('a legacy zone beside a REST one: the CCP API serves it, the whole zone is the snapshot', async () => {
    const { world, run } = await setUp('netcup', { emulator: { rest: { cloudZones: [] } } });
    const before = zoneState(world);
    const report = await run();
    expect(report.outcome).toBe('ok');
    expect(report.backend).toBe('CCP API (legacy)');
    expect(report.snapshot).toBe('zone');
    expect(report.name).toMatch(/^_dns01-selftest-/);
    expect(zoneState(world)).toEqual(before);
  });
});

/** The self-test under one reading: the zone must be as before whatever the outcome. */
async function underReading<P extends ProviderName>(provider: P, emulator: EmulatorOptionsOf[P]) {
  const { world, run } = await setUp(provider, { emulator, lagMs: [0, 100] });
  const before = zoneState(world);
  const report = await run();
  expect(zoneState(world)).toEqual(before);
  expect(report.zoneRestored).toBe(true);
  expect(report.leftBehind).toEqual([]);
  return report;
}

describe('check --write self-test under every reading of the emulators (issue 14)', { timeout: 30_000 }, () => {
  it.each(XSSERVER_READINGS)('xsserver (reading: $label)', async ({ readings, options }) => {
    const report = await underReading('xsserver', { readings, ...options });
    const seen = (point: string) => report.readings.find((r) => r.point === point);
    expect(report.outcome).toBe('ok');
    const aligned = readings.ids === 'zero-based' ? 'slot0' : readings.ids === 'one-based' ? 'slot1' : undefined;
    expect(seen('ids')).toMatchObject({
      seen: aligned ? `the positions, from ${aligned.slice(-1)}` : expect.stringMatching(/^database ids, not the positions \(ids \d+, /),
      handled: true,
    });
    expect(seen('listShape')).toMatchObject({
      seen: readings.listShape === 'array' ? 'a JSON array' : 'an object keyed by positions, with gaps',
      handled: true,
    });
    // What the check's two deletes proved DELETE takes (a position and the listed id agree where the ids are the positions).
    const truth = readings.deletes ?? 'id';
    const proven = new Set([truth, ...(truth === 'id' && aligned ? [aligned] : []), ...(truth === aligned ? ['id'] : [])]);
    const words = [
      ...(proven.has('slot0') ? ['the position counted from 0'] : []),
      ...(proven.has('slot1') ? ['the position counted from 1'] : []),
      ...(proven.has('id') ? ['the listed id'] : []),
    ];
    expect(seen('deleteIndex')).toMatchObject({
      seen: words.length > 1 ? `${words.join(' or ')} (they agree on this account's lists)` : words[0],
      handled: true,
    });
    // The probe asks for a name no account holds: the refusal shows how errors come.
    expect(seen('errors')).toMatchObject({
      seen: readings.errors === 'http-status' ? 'with an HTTP error status (404)' : 'with HTTP 200 and an error body',
      handled: true,
    });
    const reply = { recorded: 'an object with success', document: 'an object with info', empty: 'an empty object' }[readings.writeReply ?? 'recorded'];
    expect(seen('writeReply')).toMatchObject({ seen: reply });
  });

  it.each(MRDOMAIN_READINGS)('mrdomain (reading: $label)', async ({ readings }) => {
    const report = await underReading('mrdomain', { readings });
    expect(report.outcome).toBe('ok');
    const seen = (point: string) => report.readings.find((r) => r.point === point)?.seen;
    expect(seen('total')).toEqual(readings.total === 'zone' ? expect.stringMatching(/^more than the entries listed/) : 'the entries listed');
    const filter = {
      substring: 'the absolute name, whole or in part',
      exact: 'the absolute name, whole or in part',
      relative: expect.stringMatching(/^not the absolute name/),
      ignored: 'nothing: the filter is ignored',
    };
    expect(seen('filter')).toEqual(filter[readings.filter ?? 'substring']);
    expect(seen('unknownService')).toBe(`error ${readings.unknownService ?? 4001}`);
    expect(seen('createReply')).toBe(readings.createReply === 'empty' ? 'without the created entry' : 'with the created entry');
  });

  it.each(NETCUP_READINGS)('netcup CCP (reading: $label)', async ({ readings }) => {
    const report = await underReading('netcup', { readings });
    expect(report.outcome).toBe('ok');
    const seen = (point: string) => report.readings.find((r) => r.point === point)?.seen;
    // The probe asks for a registrable name no account holds.
    expect(seen('unknownDomain')).toBe(readings.unknownZone === 5031 ? 'error 5031' : 'error 5028');
    expect(seen('success')).toBe(
      readings.success ? `status "${readings.success.status}", statuscode ${readings.success.statuscode}` : 'status "success", statuscode 2000',
    );
    // The last change (deleting B) leaves the zone without the check's records, but the zone keeps its own.
    expect(seen('updateReply')).toBe(readings.updateReply === 'empty-string' ? 'without the records ("")' : 'with the records after the change');
  });

  it.each(SOURCEDESK_READINGS)('sourcedesk (reading: $label)', async ({ readings }) => {
    const report = await underReading('sourcedesk', { readings });
    expect(report.outcome).toBe('ok');
    const seen = (point: string) => report.readings.find((r) => r.point === point);
    expect(seen('ttl')).toMatchObject({ seen: 'stores the TTL asked for (300)', handled: true });
    expect(seen('numbering')).toMatchObject({ seen: readings.driver === 'dbs' ? 'by position from 0 (a driver such as dbs)' : 'by record id', handled: true });
    expect(seen('txtQuoting')).toMatchObject({ seen: readings.driver === 'dbs' ? 'plain' : expect.stringMatching(/^quoted/), handled: true });
  });
});

describe('check --write self-test: deviations and failures', { timeout: 30_000 }, () => {
  it('a provider whose add replaces the earlier value: deviation at the second add, only its own value removed, zone as before', async () => {
    const { world, run } = await setUp('sourcedesk');
    const before = zoneState(world);
    const report = await run((p) => ({
      ...p,
      // The reading "create (or overwrite)": an add drops the values already at the name.
      async appendTxt(zone, name, value) {
        for (const r of await p.listTxt(zone, name)) await p.deleteTxt(zone, name, r.value);
        return p.appendTxt(zone, name, value);
      },
    }));
    expect(report.outcome).toBe('deviation');
    expect(report.deviation).toMatch(/^add B: the zone's TXT records are not what they should be \(missing: _dns01-selftest-\S+ "/);
    expect(report.steps.at(-1)).toMatchObject({ step: 'deviation', ok: false });
    expect(report.propagation).toBeUndefined();
    expect(report.zoneRestored).toBe(true);
    expect(report.leftBehind).toEqual([]);
    expect(zoneState(world)).toEqual(before);
  });

  it('a delete that also removes another value at the name is a deviation; the zone is restored from its own values only', async () => {
    const { world, run } = await setUp('xsserver');
    const before = zoneState(world);
    const report = await run((p) => ({
      ...p,
      async deleteTxt(zone, name, value) {
        const all = await p.listTxt(zone, name);
        for (const r of all) await p.deleteTxt(zone, name, r.value);
        return all.some((r) => r.value === value) ? 'deleted' : 'absent';
      },
    }));
    expect(report.outcome).toBe('deviation');
    expect(report.deviation).toMatch(/^delete A: .*missing: _dns01-selftest-/);
    expect(report.zoneRestored).toBe(true);
    expect(zoneState(world)).toEqual(before);
  });

  it('a lookup by name that misses what the zone list shows is a deviation before anything is deleted', async () => {
    const { world, run } = await setUp('mrdomain');
    const before = zoneState(world);
    const report = await run((p) => ({ ...p, listTxt: async () => [] }));
    expect(report.outcome).toBe('deviation');
    expect(report.deviation).toMatch(/^add A: the list of _dns01-selftest-\S+ shows 0 value\(s\) where the zone list shows 1$/);
    expect(zoneState(world)).toEqual(before);
  });

  it('refuses to start when the snapshot cannot be taken: no write at all', async () => {
    const { world, run } = await setUp('sourcedesk');
    world.emulator.answerNext({ action: 'show', code: 807, message: 'zone temporarily locked', times: 10 });
    await expect(run()).rejects.toThrow(/refusing to start: no snapshot of example\.com/);
    expect(world.emulator.calls.add ?? 0).toBe(0);
    expect(world.emulator.calls.delete ?? 0).toBe(0);
  });

  it('a nameserver that never serves the value: propagation timeout (exit 7), its own values removed, zone as before', async () => {
    const { world, run } = await setUp('netcup', { lagMs: [0, 60_000], timeout: 1 });
    const before = zoneState(world);
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PropagationTimeoutError);
    expect((error as PropagationTimeoutError).exitCode).toBe(7);
    expect(zoneState(world)).toEqual(before);
  });

  it('suggestedTimeout: three times the slowest nameserver, whole minutes, at least one', () => {
    expect(suggestedTimeout(0)).toBe(60);
    expect(suggestedTimeout(19_000)).toBe(60);
    expect(suggestedTimeout(21_000)).toBe(120);
    expect(suggestedTimeout(5 * 60_000)).toBe(900);
  });
});
