// `dns01 check --write`, the built executable as a separate process, against every emulator (pnpm build first).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { interruptTwice } from './interrupt-twice.js';
import { OWN_API_PROVIDERS, runNode, runProcess, startNode, startTestWorld, type RunResult, type TestWorld } from '@dns01/testkit';

const BIN = resolve(import.meta.dirname, '../dist/bin/dns01.js');

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' first`);
});

function dns01(args: string[], env: Record<string, string | undefined>): Promise<RunResult> {
  return runNode(BIN, args, { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env } });
}

const FOREIGN = [
  { name: 'example.com', type: 'TXT' as const, data: 'v=spf1 -all' },
  { name: '_acme-challenge.example.com', type: 'TXT' as const, data: 'foreign-challenge' },
];

const zoneState = (world: TestWorld) =>
  world.store
    .records('example.com')
    .map(({ name, type, data }) => `${type} ${name} ${data}`)
    .sort();

function expectNoSecrets(world: TestWorld, r: RunResult): void {
  for (const secret of world.secrets) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
}

let world: TestWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('dns01 check --write', { timeout: 60_000 }, () => {
  test.each(OWN_API_PROVIDERS)('%s: --json report, exit 0, the zone as before', async (provider) => {
    // ns2 lags longer than the check's own API calls take, so the wait has to poll.
    // A 5 s polling interval, as a real configuration has: the check measures closer than that.
    world = await startTestWorld({ provider, records: FOREIGN, nameservers: [{ lagMs: 50 }, { lagMs: 1500 }], pollingInterval: 5 });
    const before = zoneState(world);
    const r = await dns01(['check', '--write', '--json', 'www.example.com'], world.env);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      provider,
      domain: 'www.example.com',
      zone: 'example.com',
      snapshot: 'zone',
      snapshotRecords: 2,
      outcome: 'ok',
      zoneRestored: true,
      leftBehind: [],
    });
    expect(report.propagation.nameservers.map((n: { nameserver: string }) => n.nameserver).sort()).toEqual(['ns1.dns01-test.net', 'ns2.dns01-test.net']);
    expect(report.propagation.nameservers.at(-1)).toMatchObject({ nameserver: 'ns2.dns01-test.net' });
    expect(report.propagation.nameservers.at(-1).ms).toBeGreaterThanOrEqual(1000);
    // Measured, not rounded up to the 5 s polling interval: ns2's 1.5 s lag, seen within a quarter second of it.
    expect(report.propagation.nameservers.at(-1).ms).toBeLessThan(2000);
    expect(report.propagation.suggestedTimeout).toBe(60);
    expect(report.apiCalls).toBeGreaterThan(5);
    expect(report.readings.length).toBeGreaterThan(0);
    // Progress while waiting, as dns01 wait shows it.
    expect(r.stderr).toMatch(/waiting \d+s: /);
    expect(zoneState(world)).toEqual(before);
    expectNoSecrets(world, r);
  });

  test('text report: every step, the time per nameserver, the suggested timeout, the readings, the API calls', async () => {
    world = await startTestWorld({ provider: 'xsserver', records: FOREIGN });
    const r = await dns01(['check', '--write', '--quiet', 'example.com'], world.env);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^xsserver: write check of example\.com in zone example\.com on _dns01-selftest-[a-z0-9]{10}\.example\.com$/);
    expect(lines.slice(1, 6).map((l) => l.trim().split(':')[0])).toEqual([
      'ok  snapshot',
      'ok  add-only',
      'ok  exact delete',
      'ok  propagation',
      'ok  restored',
    ]);
    expect(r.stdout).toMatch(/propagation: ns1\.dns01-test\.net after \d+ ms, ns2\.dns01-test\.net after \d+ ms/);
    expect(r.stdout).toContain("\nhow this account's API behaves where its documentation is unclear:\n");
    expect(r.stdout).toContain('suggested DNS01_PROPAGATION_TIMEOUT=60');
    expect(r.stdout).toMatch(
      /\n {2}record ids: the positions \(from 0 or 1\) or database ids: database ids, not the positions \(ids \d+, .*\) \(dns01 handles it\)\n/,
    );
    expect(r.stdout).toContain('  what DELETE /domain/@id/dns/<number> takes: the position from 0, from 1, or the listed id: the listed id (dns01 handles it)');
    expect(r.stdout).toMatch(/\nAPI calls: \d+\n/);
    expect(r.stdout).toContain('zone identical to the snapshot');
    expect(lines.at(-1)).toBe('result: everything held; dns01 works on this zone');
  });

  test('in a terminal (stdout and stderr both on it): each step once, as it happens; the report does not repeat them', async () => {
    world = await startTestWorld({ provider: 'mrdomain', records: FOREIGN });
    // script(1) runs the command on a pseudo-terminal, as a user at a shell prompt.
    const command = [process.execPath, BIN, 'check', '--write', 'example.com'].map((w) => `'${w}'`).join(' ');
    const r = await runProcess('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, HOME: '/nonexistent', TERM: 'dumb', ...world.env } });
    expect(r.status, r.stdout).toBe(0);
    for (const step of ['snapshot', 'add-only', 'exact delete', 'propagation', 'restored']) {
      // The log's line (`dns01: check --write: <step>: ...`) or the report's (`  ok  <step>: ...`): one of them.
      expect(
        r.stdout.split('\n').filter((l) => l.includes(`check --write: ${step}: `) || l.includes(`  ok  ${step}: `)),
        step,
      ).toHaveLength(1);
    }
    expect(r.stdout).toContain('result: everything held; dns01 works on this zone');
  });

  test('netcup REST, a second value replaces the first: exit 8, the report names the reading, the zone as before', async () => {
    world = await startTestWorld({ provider: 'netcup', records: FOREIGN, emulator: { rest: { secondValue: 'replace' } } });
    const before = zoneState(world);
    const r = await dns01(['check', '--write', 'example.com'], world.env);
    expect(r.status).toBe(8);
    expect(r.stdout).toMatch(/^netcup: write check of example\.com in zone example\.com on _acme-challenge\.dns01-selftest-[a-z0-9]{10}\.example\.com\n/);
    expect(r.stdout).toContain(
      '  DEVIATION  deviation: REST API: a second challenge value on a name is added beside the first, or replaces it: this account shows it replaces the value that was there',
    );
    expect(r.stdout).toContain('  the API that serves the zone: REST (CloudDNS) or CCP (legacy): REST API (CloudDNS) serves example.com (dns01 handles it)');
    expect(r.stdout).toContain('zone identical to the snapshot\nresult: deviation: ');
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^dns01: error: netcup on example\.com: REST API: a second challenge value .*Do not issue certificates through dns01 on this zone yet/,
    );
    expect(zoneState(world)).toEqual(before);
    expectNoSecrets(world, r);
  });

  test('xsserver whose list shows database ids no larger than the positions: exit 8 before any write', async () => {
    world = await startTestWorld({
      provider: 'xsserver',
      records: FOREIGN,
      emulator: { readings: { ids: 'database', deletes: 'slot0' }, databaseIds: [5, 4, 3, 2, 1], hiddenSlots: [] },
    });
    const before = zoneState(world);
    const r = await dns01(['check', '--write', '--json', 'example.com'], world.env);
    expect(r.status).toBe(8);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ outcome: 'deviation', zoneRestored: true, leftBehind: [] });
    expect(report.steps.map((s: { step: string }) => s.step)).toEqual(['snapshot', 'deviation']);
    expect(report.readings.find((p: { point: string }) => p.point === 'ids')).toMatchObject({ handled: false });
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^dns01: error: xsserver on example\.com: record ids: .* database ids no larger than the positions/);
    expect(world.emulator.server.requests.filter((q) => q.method === 'POST' || q.method === 'DELETE')).toEqual([]);
    expect(zoneState(world)).toEqual(before);
  });

  test('--write takes exactly one domain (exit 2)', async () => {
    world = await startTestWorld({ provider: 'sourcedesk' });
    for (const args of [
      ['check', '--write'],
      ['check', '--write', 'example.com', 'example.org'],
    ]) {
      const r = await dns01(args, world.env);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toMatch(/^dns01: error: check --write takes exactly one <domain>/);
    }
  });

  test('a nameserver that never serves the value: exit 7, its values removed, the zone as before', async () => {
    world = await startTestWorld({ provider: 'mrdomain', records: FOREIGN, nameservers: [{}, { lagMs: Number.POSITIVE_INFINITY }] });
    const before = zoneState(world);
    const r = await dns01(['check', '--write', '--timeout', '1', 'example.com'], world.env);
    expect(r.status).toBe(7);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^dns01: error: .*ns2\.dns01-test\.net/);
    expect(zoneState(world)).toEqual(before);
  });

  test('two quick interrupts during its wait: exit 130, naming the value still at stake', { timeout: 60_000 }, async () => {
    world = await startTestWorld({ provider: 'netcup', nameservers: [{}, { lagMs: Number.POSITIVE_INFINITY }], propagationTimeout: 60 });
    const txt = () => world!.store.records('example.com', { type: 'TXT' });
    // Its values: A and B side by side, then B alone while it waits for B (every change seen, none sampled).
    let sawBoth = false;
    const waitingForB = world.store.until(() => {
      sawBoth ||= txt().length === 2;
      return sawBoth && txt().length === 1;
    });
    const run = startNode(BIN, ['check', '--write', 'example.com'], { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...world.env }, timeoutMs: 55_000 });
    await Promise.race([
      waitingForB,
      run.done.then((end) => Promise.reject(new Error(`check --write ended (status ${end.status}) before it waited for B: ${end.stderr}`))),
    ]);
    const [record] = txt();
    expect(sawBoth).toBe(true);
    const status = await interruptTwice(run, world);
    expect(status).toBe(130);
    expect(run.stderr).toContain(`left behind: TXT ${record!.name} "${record!.data}"`);
  });

  test('a zone the account does not hold: exit 5 before any write', async () => {
    world = await startTestWorld({ provider: 'netcup', foreignZones: ['example.org'] });
    const r = await dns01(['check', '--write', 'example.org'], world.env);
    expect(r.status).toBe(5);
  });
});
