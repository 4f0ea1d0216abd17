// 50 clients, 200 challenges in one zone at once, through the netcup
// emulator (its ~180 requests/minute lockout on): every request answered,
// the zone's foreign records intact, nothing left after the cleanups, and
// the provider requests counted and within the budget.
import { expect, it } from 'vitest';
import { acmeValue, rigPerTest } from './rig.js';

const CLIENTS = 50;
const BUDGET = 120;
const startRig = rigPerTest();

const clients = Array.from({ length: CLIENTS }, (_, i) => ({ id: `client-${i}`, names: [`c${i}.example.com`, `*.c${i}.example.com`] }));
/** Four challenges per client: apex and wildcard (one name, two values) and two names below. */
const challenges = clients.flatMap((c, i) => [
  { id: c.id, fqdn: `_acme-challenge.c${i}.example.com.`, value: acmeValue(`${c.id}-apex`) },
  { id: c.id, fqdn: `_acme-challenge.c${i}.example.com.`, value: acmeValue(`${c.id}-wildcard`) },
  { id: c.id, fqdn: `_acme-challenge.a.c${i}.example.com.`, value: acmeValue(`${c.id}-a`) },
  { id: c.id, fqdn: `_acme-challenge.b.c${i}.example.com.`, value: acmeValue(`${c.id}-b`) },
]);

it(
  '200 challenges from 50 clients at once: all answered, foreign records intact, nothing left, provider requests within the budget',
  { timeout: 120_000 },
  async () => {
    const foreign = [
      { name: '_acme-challenge.c0.example.com', type: 'TXT' as const, data: 'foreign-challenge-kept' },
      { name: 'example.com', type: 'TXT' as const, data: 'v=spf1 -all' },
      { name: 'www.example.com', type: 'A' as const, data: '192.0.2.1' },
    ];
    const rig = await startRig({ clients, env: { DNS01_SERVE_PROVIDER_BUDGET: String(BUDGET) }, world: { records: foreign } });
    const snapshot = () =>
      rig.world.store
        .records('example.com')
        .map(({ name, type, data }) => `${type} ${name} ${data}`)
        .sort();
    const before = snapshot();
    expect(challenges).toHaveLength(200);
    const started = Date.now();
    const presented = await Promise.all(challenges.map((c) => rig.post('/present', { fqdn: c.fqdn, value: c.value }, { id: c.id })));
    expect(presented.map((r) => r.status)).toEqual(challenges.map(() => 200));
    for (const c of challenges) expect(rig.world.txt(c.fqdn.slice(0, -1))).toContain(c.value);
    expect(rig.gateway.ledger.size).toBe(200);

    const cleaned = await Promise.all(challenges.map((c) => rig.post('/cleanup', { fqdn: c.fqdn, value: c.value }, { id: c.id })));
    expect(cleaned.map((r) => r.status)).toEqual(challenges.map(() => 200));
    expect(rig.gateway.ledger.size).toBe(0);
    expect(snapshot()).toEqual(before);

    const sent = rig.world.emulator.server.requests;
    const elapsed = Date.now() - started;
    // Everything happened within one budget window: the count is the window's count.
    expect(elapsed).toBeLessThan(60_000);
    expect(sent.length).toBeLessThanOrEqual(BUDGET);
    expect(rig.gateway.session.apiCalls()).toBe(sent.length);
    const counts = rig.world.emulator.actionCounts();
    console.log(`200 challenges, 50 clients: ${sent.length} provider requests (${JSON.stringify(counts)}) in ${elapsed} ms`);
  },
);

it('a budget far below the burst: the requests wait for it, never exceed it in any window, and batch all the more', { timeout: 120_000 }, async () => {
  const windowMs = 2_000;
  const budget = 4;
  const rig = await startRig({ clients, env: { DNS01_SERVE_PROVIDER_BUDGET: String(budget) }, budgetWindowMs: windowMs });
  const presented = await Promise.all(challenges.map((c) => rig.post('/present', { fqdn: c.fqdn, value: c.value }, { id: c.id })));
  expect(presented.map((r) => r.status)).toEqual(challenges.map(() => 200));
  const cleaned = await Promise.all(challenges.map((c) => rig.post('/cleanup', { fqdn: c.fqdn, value: c.value }, { id: c.id })));
  expect(cleaned.map((r) => r.status)).toEqual(challenges.map(() => 200));
  expect(rig.world.txt('_acme-challenge.c7.example.com')).toEqual([]);
  const times = rig.world.emulator.server.requests.map((r) => r.at).sort((a, b) => a - b);
  // The emulator sees a request a little after the budget let it go (more on a loaded machine): counted in a window shortened by that slack.
  const slackMs = 500;
  for (let i = 0; i < times.length; i++) expect(times.filter((t) => t >= times[i]! && t < times[i]! + windowMs - slackMs).length).toBeLessThanOrEqual(budget);
  expect(rig.gateway.budget.queueDepth).toBe(0);
  console.log(`budget ${budget}/${windowMs} ms: ${times.length} provider requests for 200 challenges, ${JSON.stringify(rig.world.emulator.actionCounts())}`);
});
