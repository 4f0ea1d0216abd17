// What the gateway does on its own: the sweeper, the ledger's leftovers at a
// restart, a stop with requests in flight, CNAME following.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { until } from '@dns01/testkit/support';
import { acmeValue, APEX, rigPerTest, WEB } from './rig.js';

const startRig = rigPerTest();

it('the sweeper deletes exactly the records older than the maximum age, and says so in the audit log', async () => {
  const rig = await startRig({ clients: [WEB], env: { DNS01_SERVE_MAX_AGE: '1' }, world: { records: [{ name: APEX, type: 'TXT', data: 'foreign-kept' }] } });
  const value = acmeValue('swept');
  expect((await rig.post('/update', { subdomain: 'example.com', txt: value }, { id: 'web1', style: 'api-key' })).status).toBe(200);
  expect(rig.world.txt(APEX)).toContain(value);
  await until(() => rig.gateway.ledger.size === 0, 50);
  expect(rig.gateway.ledger.size).toBe(0);
  expect(rig.world.txt(APEX)).toEqual(['foreign-kept']);
  const audit = readFileSync(join(rig.stateDir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(audit.at(-1)).toMatchObject({ client: 'web1', source: 'gateway', action: 'sweep', name: APEX, value, result: 'deleted' });
});

it('a restart deletes exactly the records the ledger holds from the last run', async () => {
  const rig = await startRig({ clients: [WEB], world: { records: [{ name: APEX, type: 'TXT', data: 'foreign-kept' }] } });
  const values = ['left-1', 'left-2'].map(acmeValue);
  for (const value of values) expect((await rig.post('/present', { fqdn: APEX, value }, { id: 'web1' })).status).toBe(200);
  expect(rig.world.txt('_acme-challenge.example.com').sort()).toEqual(['foreign-kept', ...values].sort());
  const ledgerFile = JSON.parse(readFileSync(join(rig.stateDir, 'ledger.json'), 'utf8')) as { records: { value: string; state: string }[] };
  expect(ledgerFile.records.map((r) => r.value).sort()).toEqual([...values].sort());
  const restarted = await rig.restart();
  expect(restarted.ledger.size).toBe(0);
  expect(rig.world.txt(APEX)).toEqual(['foreign-kept']);
  expect(JSON.parse(readFileSync(join(rig.stateDir, 'ledger.json'), 'utf8'))).toEqual({ version: 1, records: [] });
});

it('a stop while requests are in flight answers every one of them, and the ledger names every record', async () => {
  const rig = await startRig({ clients: [WEB] });
  // Every provider request takes a while, so the stop comes while all of them wait.
  rig.world.emulator.server.inject({ fault: { kind: 'delay', ms: 400 }, times: 1000 });
  const values = Array.from({ length: 8 }, (_, i) => acmeValue(`inflight-${i}`));
  const replies = values.map((value, i) => rig.post('/present', { fqdn: `_acme-challenge.n${i}.example.com`, value }, { id: 'web1' }));
  await until(() => rig.world.emulator.server.requests.length > 0);
  const stopped = rig.gateway.stop();
  const statuses = (await Promise.all(replies)).map((r) => r.status);
  await stopped;
  expect(statuses).toEqual(values.map(() => 200));
  for (let i = 0; i < values.length; i++) expect(rig.world.txt(`_acme-challenge.n${i}.example.com`)).toEqual([values[i]]);
  const ledgerFile = JSON.parse(readFileSync(join(rig.stateDir, 'ledger.json'), 'utf8')) as { records: { value: string; state: string }[] };
  expect(ledgerFile.records.map((r) => [r.value, r.state]).sort()).toEqual(values.map((v) => [v, 'present']).sort());
  // A new connection is refused once stopping began.
  await expect(fetch(`${rig.gateway.url}/health`)).rejects.toThrow();
  rig.world.emulator.server.clearFaults();
  await rig.restart();
  for (let i = 0; i < values.length; i++) expect(rig.world.txt(`_acme-challenge.n${i}.example.com`)).toEqual([]);
});

it('a CNAME at the challenge name is followed; the scope applies to the name asked for', async () => {
  const rig = await startRig({
    clients: [WEB],
    world: { records: [{ name: APEX, type: 'CNAME', data: '_acme-challenge.delegated.other.org' }] },
  });
  const value = acmeValue('cname');
  expect((await rig.post('/present', { fqdn: APEX, value }, { id: 'web1' })).status).toBe(200);
  expect(rig.world.txt('_acme-challenge.delegated.other.org')).toEqual([value]);
  expect(rig.gateway.ledger.all().map((e) => [e.asked, e.name])).toEqual([[APEX, '_acme-challenge.delegated.other.org']]);
  // Asking for the target directly is outside this client's scope.
  expect((await rig.post('/present', { fqdn: '_acme-challenge.delegated.other.org', value }, { id: 'web1' })).status).toBe(403);
  expect((await rig.post('/cleanup', { fqdn: APEX, value }, { id: 'web1' })).status).toBe(200);
  expect(rig.world.txt('_acme-challenge.delegated.other.org')).toEqual([]);
});

it('a cleanup that arrives while its present is still being written waits for it, so nothing is left behind', async () => {
  const rig = await startRig({ clients: [WEB] });
  // A slow disk: the ledger's write before the add takes 200 ms, and the cleanup comes in that time.
  const ledger = rig.gateway.ledger;
  const flush = ledger.flush.bind(ledger);
  ledger.flush = () => new Promise((r) => setTimeout(r, 200)).then(flush);
  for (let round = 0; round < 3; round++) {
    const value = acmeValue(`race-${round}`);
    const presenting = rig.post('/present', { fqdn: APEX, value }, { id: 'web1' });
    await until(() => rig.gateway.ledger.size > 0, 5);
    expect(rig.gateway.ledger.all().map((e) => e.state)).toEqual(['adding']);
    const cleaned = await rig.post('/cleanup', { fqdn: APEX, value }, { id: 'web1' });
    expect([(await presenting).status, cleaned.status]).toEqual([200, 200]);
    expect(rig.world.txt(APEX)).toEqual([]);
    expect(rig.gateway.ledger.size).toBe(0);
  }
});

it('a present is answered only once the ledger on disk says whose the record is: a crash right after the reply never deletes a record the provider had already', async () => {
  const value = acmeValue('found-before');
  const rig = await startRig({ clients: [WEB], world: { records: [{ name: APEX, type: 'TXT', data: value }] } });
  // A slow disk: every ledger write takes 200 ms.
  const ledger = rig.gateway.ledger;
  const flush = ledger.flush.bind(ledger);
  ledger.flush = () => new Promise((r) => setTimeout(r, 200)).then(flush);
  expect((await rig.post('/present', { fqdn: APEX, value }, { id: 'web1' })).status).toBe(200);
  // What a start after a crash at this moment would read: the provider's own record, `found`, never deleted.
  const onDisk = JSON.parse(readFileSync(join(rig.stateDir, 'ledger.json'), 'utf8')) as { records: { value: string; state: string }[] };
  expect(onDisk.records.map((r) => [r.value, r.state])).toEqual([[value, 'found']]);
});

it(
  'an add whose outcome is unknown (the provider failed during the write) is deleted at the next sweep, not after the maximum age',
  { timeout: 60_000 },
  async () => {
    const rig = await startRig({ clients: [WEB] });
    const value = acmeValue('unknown-outcome');
    // The session and the zone are known first; then every write fails.
    expect((await rig.post('/present', { fqdn: '_acme-challenge.warm.example.com', value: acmeValue('warm') }, { id: 'web1' })).status).toBe(200);
    rig.world.emulator.server.inject({ fault: { kind: 'status', status: 503 }, times: 10_000 });
    const failed = await rig.post('/present', { fqdn: APEX, value }, { id: 'web1' });
    expect(failed.status).toBe(502);
    expect(failed.json()).toMatchObject({ error: 'provider_error', detail: expect.stringMatching(/503/) as unknown });
    const audit = () =>
      readFileSync(join(rig.stateDir, 'audit.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    // The gateway's own delete of it, at once, fails too while the provider is down (its retries take a few seconds).
    await until(() => audit().some((l) => l.action === 'sweep' && l.value === value), 50);
    expect(
      rig.gateway.ledger
        .all()
        .filter((e) => e.value === value)
        .map((e) => e.state),
    ).toEqual(['adding']);
    rig.world.emulator.server.clearFaults();
    await rig.gateway.records.sweep();
    expect(rig.gateway.ledger.all().filter((e) => e.value === value)).toEqual([]);
    expect(
      audit()
        .filter((l) => l.value === value)
        .map((l) => [l.action, l.name, l.result]),
    ).toEqual([
      ['present', APEX, 'provider_error'],
      ['sweep', APEX, 'error'],
      ['sweep', APEX, 'absent'],
    ]);
  },
);
