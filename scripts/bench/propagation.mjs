#!/usr/bin/env node
// Measures the propagation check's overshoot: the time from the moment the
// last authoritative nameserver starts serving the TXT value to the moment
// waitForPropagation returns. Uses the built packages (run `pnpm build`
// first) and the test kit's DNS server on loopback: two nameservers, the
// second lagging by a random 0.3-2.5 s per run so the polling phase varies.
// Writes median, p90 and max per polling interval into docs/benchmarks.md.
//
//   pnpm bench propagation [--runs 20]
import { waitForPropagation } from '@dns01/provider-client';
import { startDnsServer, ZoneStore } from '@dns01/testkit';
import { benchArgs } from './lib/args.mjs';
import { machineLine, median, publish } from './lib/report.mjs';

const args = benchArgs('propagation', { runs: { default: 20, help: 'runs per polling interval' } });
const RUNS = args.values.runs;
const INTERVALS_MS = [1000, 500];
const ZONE = 'bench.example';
const NS_FAST = 'ns1.dns-bench.example';
const NS_SLOW = 'ns2.dns-bench.example';

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(dns, store, intervalMs, run) {
  const name = `_acme-challenge.r${intervalMs}-${run}.${ZONE}`;
  const lagMs = 300 + Math.round(Math.random() * 2200);
  dns.nameserver(NS_SLOW).setLag(lagMs);
  const record = store.add(ZONE, { name, type: 'TXT', data: `value-${run}` });
  const lastServesAt = store.publishedAt(ZONE, store.serial(ZONE)) + lagMs;
  await waitForPropagation([{ name, values: [record.data] }], {
    resolvers: [dns.resolverAddress],
    nsPort: dns.port,
    timeoutMs: 30_000,
    intervalMs,
  });
  const overshoot = Date.now() - lastServesAt;
  if (overshoot < 0) throw new Error(`returned ${-overshoot} ms before the last nameserver served the value`);
  return overshoot;
}

const store = new ZoneStore();
const dns = await startDnsServer({
  store,
  nameservers: [
    { name: NS_FAST, address: '127.0.0.2' },
    { name: NS_SLOW, address: '127.0.0.3' },
  ],
});
store.addZone({ name: ZONE, nameservers: dns.zoneNameservers() });

const rows = [];
try {
  for (const intervalMs of INTERVALS_MS) {
    const overshoots = [];
    for (let run = 0; run < RUNS; run++) overshoots.push(await measure(dns, store, intervalMs, run));
    const row = { intervalMs, median: median(overshoots), p90: percentile(overshoots, 90), max: Math.max(...overshoots) };
    rows.push(row);
    console.log(`interval ${intervalMs} ms: median ${row.median} ms, p90 ${row.p90} ms, max ${row.max} ms over ${RUNS} runs`);
  }
} finally {
  await dns.close();
}

const target = (r) => (r.median <= r.intervalMs + 100 ? 'met' : '**missed**');
publish(
  args,
  'propagation-overshoot',
  `## Propagation check: overshoot

Time from the moment the last authoritative nameserver starts serving the
TXT value to the moment \`waitForPropagation\` returns (two nameservers on
loopback, the second lagging by a random 0.3–2.5 s, ${RUNS} runs per interval).
Target: median ≤ polling interval + 100 ms.

| polling interval | median | p90 | max | target |
|---|---|---|---|---|
${rows.map((r) => `| ${r.intervalMs} ms | ${r.median} ms | ${r.p90} ms | ${r.max} ms | ${target(r)} |`).join('\n')}

Reproduce: \`${args.command}\`.
${await machineLine()}`,
);
if (rows.some((r) => r.median > r.intervalMs + 100)) process.exitCode = 1;
