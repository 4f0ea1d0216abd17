#!/usr/bin/env node
// The gateway under load: 1, 10 and 100 concurrent clients, each in a loop
// of httpreq present + cleanup of a fresh value on a name of its own, against
// the netcup emulator answering every API request after a fixed delay (the
// test kit's API latency knob, 40 ms by default). Measures challenges per
// second sustained, HTTP requests per second, p50/p99 latency of present and
// cleanup, and provider API calls per challenge; with no budget (the
// gateway's own capacity) and with the default budget of 120 requests a
// minute over a whole minute. Uses the built packages (pnpm build).
//
//   pnpm bench gateway [--latency-ms 40] [--seconds 10]
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addClient, readGatewaySettings, startGateway } from '@dns01/gateway';
import { closeHttp, silentLogger } from '@dns01/provider-client';
import { startTestWorld } from '@dns01/testkit';
import { benchArgs } from './lib/args.mjs';
import { machineLine, publish } from './lib/report.mjs';

const args = benchArgs('gateway', {
  'latency-ms': { default: 40, help: 'the fixed delay of every provider API answer' },
  seconds: { default: 10, help: 'how long each run without a budget lasts (the budget run lasts a minute)' },
});
const LATENCY_MS = args.values.latencyMs;
const UNLIMITED = 100_000;
const RUNS = [
  { clients: 1, seconds: args.values.seconds, budget: UNLIMITED },
  { clients: 10, seconds: args.values.seconds, budget: UNLIMITED },
  { clients: 100, seconds: args.values.seconds, budget: UNLIMITED },
  { clients: 100, seconds: 60, budget: 120 },
];
const percentile = (values, p) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const value = (seed) => createHash('sha256').update(seed).digest('base64url');

async function run({ clients, seconds, budget }) {
  const world = await startTestWorld({ provider: 'netcup', zones: ['example.com'], emulator: { requestsPerMinute: 1_000_000 } });
  world.emulator.server.setLatency(LATENCY_MS);
  const stateDir = mkdtempSync(join(tmpdir(), 'dns01-bench-gateway-'));
  const env = {
    ...world.env,
    DNS01_SERVE_STATE_DIR: stateDir,
    DNS01_SERVE_LISTEN: '127.0.0.1:0',
    DNS01_SERVE_PROVIDER_BUDGET: String(budget),
    DNS01_SERVE_CLIENT_RATE: '100000',
    DNS01_SERVE_AUDIT_LOG: 'off',
  };
  const settings = readGatewaySettings(env);
  const ids = Array.from({ length: clients }, (_, i) => `bench-${i}`);
  const secrets = {};
  for (const [i, id] of ids.entries()) secrets[id] = await addClient(settings.clientsFile, { id, names: [`c${i}.example.com`], from: [] });
  const gateway = await startGateway({ env, settings, logger: silentLogger });
  const present = [];
  const cleanup = [];
  let failed = 0;
  const timed = async (list, path, body, auth) => {
    const t = performance.now();
    const res = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.text();
    list.push(performance.now() - t);
    if (res.status !== 200) failed += 1;
  };
  // Warm-up: every client proves its secret once (scrypt), and the session logs in.
  await Promise.all(
    ids.map((id, i) =>
      timed(
        [],
        '/cleanup',
        { fqdn: `_acme-challenge.c${i}.example.com`, value: value('warm') },
        `Basic ${Buffer.from(`${id}:${secrets[id]}`).toString('base64')}`,
      ),
    ),
  );
  const callsBefore = gateway.session.apiCalls();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let challenges = 0;
  await Promise.all(
    ids.map(async (id, i) => {
      const auth = `Basic ${Buffer.from(`${id}:${secrets[id]}`).toString('base64')}`;
      for (let n = 0; performance.now() < deadline; n++) {
        const body = { fqdn: `_acme-challenge.c${i}.example.com.`, value: value(`${id}-${n}`) };
        await timed(present, '/present', body, auth);
        await timed(cleanup, '/cleanup', body, auth);
        challenges += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const calls = gateway.session.apiCalls() - callsBefore;
  const left = world.store.records('example.com', { type: 'TXT' }).length;
  await gateway.stop();
  await world.close();
  await closeHttp();
  rmSync(stateDir, { recursive: true, force: true });
  if (left !== 0 || failed !== 0) throw new Error(`${clients} clients: ${failed} failed requests, ${left} records left`);
  return {
    clients,
    budget,
    seconds: elapsed,
    challenges,
    challengesPerSecond: challenges / elapsed,
    requestsPerSecond: (2 * challenges) / elapsed,
    present: [percentile(present, 50), percentile(present, 99)],
    cleanup: [percentile(cleanup, 50), percentile(cleanup, 99)],
    callsPerChallenge: calls / challenges,
    calls,
  };
}

const rows = [];
for (const r of RUNS) {
  const result = await run(r);
  console.error(`${r.clients} clients, budget ${r.budget}: ${result.challenges} challenges in ${result.seconds.toFixed(1)} s, ${result.calls} API calls`);
  rows.push(result);
}

const ms = (v) => `${Math.round(v)}`;
const table = [
  '| clients | budget (requests/min) | time | challenges | challenges/s | HTTP requests/s | present p50 / p99 (ms) | cleanup p50 / p99 (ms) | API calls per challenge |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.clients} | ${r.budget >= UNLIMITED ? 'none' : r.budget} | ${r.seconds.toFixed(0)} s | ${r.challenges} | ${r.challengesPerSecond.toFixed(1)} | ${r.requestsPerSecond.toFixed(1)} | ${ms(r.present[0])} / ${ms(r.present[1])} | ${ms(r.cleanup[0])} / ${ms(r.cleanup[1])} | ${r.callsPerChallenge.toFixed(3)} |`,
  ),
].join('\n');

publish(
  args,
  'gateway',
  `## Gateway

\`${args.command}\`: \`dns01 serve\` in front of the
netcup emulator, which answers every API request after ${LATENCY_MS} ms (the
test kit's API latency knob). Each client loops: httpreq \`/present\` of a fresh
value on a name of its own, then \`/cleanup\` of it, over keep-alive HTTP on
loopback; every client proved its secret once before the clock starts (one
scrypt each). "challenges/s" is present + cleanup pairs per second sustained,
"HTTP requests/s" twice that. Every request answered 200; nothing left in the
zone. With no budget the figures are the gateway's own capacity: one batch
per zone at a time, so the more clients wait, the more changes share one
\`updateDnsRecords\` call. With the default budget (120 requests a minute,
netcup locks out at about 180) over a whole minute, the budget sets the
pace: requests wait for it, batches grow, and the account never sees more
than 120 requests in any minute.
${machineLine()}

${table}`,
);
