#!/usr/bin/env node
// How soon `dns01 wait` returns after the lagging nameserver starts serving
// the values, against Debian's NSD (a real authoritative server) rather than
// the test kit's: two NSD instances on 127.0.54.2/.3 (one port picked now)
// serve one zone; each round the first is reloaded with 62 TXT records at
// _acme-challenge (too many for UDP: TCP fallback), `dns01 wait` starts, and
// the second is reloaded 1-3 s later. Measured: the wait process's exit minus
// the moment the second instance first answered with the new serial (asked
// over UDP every ~5 ms, so that moment is a few ms late and the figure that
// much low).
//   pnpm bench nsd [--runs 10]
import * as h from '@dns01/testkit/e2e';
import { benchArgs } from './lib/args.mjs';
import { machineLine, median, publish } from './lib/report.mjs';

const args = benchArgs('nsd', { runs: { default: 10, help: 'runs per polling interval' } });
const RUNS = args.values.runs;
const INTERVALS_S = [1, 0.5];
const ORIGIN = 'nsd-bench.test';
const NAME = `_acme-challenge.${ORIGIN}`;
const ADDRESSES = ['127.0.54.2', '127.0.54.3'];
const TXT_COUNT = 62;

const digest = (round, i) => `r${round}-${String(i).padStart(3, '0')}-${'Q'.repeat(40)}`.slice(0, 43);
const zone = (serial, round) => ({
  origin: ORIGIN,
  serial,
  lines: [
    '@ IN NS ns1',
    '@ IN NS ns2',
    `ns1 IN A ${ADDRESSES[0]}`,
    `ns2 IN A ${ADDRESSES[1]}`,
    ...(round === undefined ? [] : Array.from({ length: TXT_COUNT }, (_, i) => `_acme-challenge IN TXT "${digest(round, i)}"`)),
  ],
});

const port = await h.freePort();
const [fast, slow] = await Promise.all(ADDRESSES.map((address) => h.startNsd({ address, port, zone: zone(1) })));
const dns01 = h.hookExecutable('dns01');
let serial = 1;
let round = 0;

async function measure(intervalS) {
  round += 1;
  serial += 1;
  const next = zone(serial, round);
  await fast.reload(next);
  const env = {
    PATH: process.env.PATH,
    HOME: '/nonexistent',
    DNS01_RESOLVERS: `${ADDRESSES[0]}:${port}`,
    DNS01_NS_PORT: String(port),
    DNS01_POLLING_INTERVAL: String(intervalS),
    DNS01_PROPAGATION_TIMEOUT: '60',
    DNS01_LOG_LEVEL: 'quiet',
  };
  let exitedAt;
  const waiting = h
    .run(dns01, ['wait', '--record', `${NAME}=${digest(round, 7)}`, '--record', `${NAME}=${digest(round, 41)}`], { env, timeoutMs: 90_000 })
    .then((r) => ((exitedAt = Date.now()), r));
  await new Promise((r) => setTimeout(r, 1000 + Math.random() * 2000));
  if (exitedAt !== undefined) throw new Error('dns01 wait returned before the lagging instance was reloaded');
  const servedAt = await slow.reload(next);
  const result = await waiting;
  if (result.code !== 0) throw new Error(h.explain(result));
  return exitedAt - servedAt;
}

const rows = [];
try {
  for (const intervalS of INTERVALS_S) {
    const overshoots = [];
    for (let i = 0; i < RUNS; i++) overshoots.push(await measure(intervalS));
    const sorted = [...overshoots].sort((a, b) => a - b);
    const row = {
      intervalS,
      median: median(overshoots),
      min: sorted[0],
      max: sorted.at(-1),
      within: overshoots.filter((ms) => ms <= intervalS * 1000 + 100).length,
    };
    rows.push(row);
    console.error(`interval ${intervalS} s: ${overshoots.join(', ')} ms`);
  }
  const stats = await slow.stats();
  rows.tcp = stats['num.tcp'];
  rows.truncated = stats['num.truncated'];
} finally {
  h.killAll();
  await Promise.allSettled([fast.stop(), slow.stop()]);
}

const nsdVersion = /NSD version (\S+)/.exec((await h.run('nsd', ['-v'], { timeoutMs: 5000 })).output)?.[1] ?? '';
const markdown = `## Propagation check against NSD (a real authoritative server)

\`dns01 wait\` (as a process) for two of ${TXT_COUNT} TXT values at one name, two
Debian NSD ${nsdVersion} instances on loopback, the second reloaded 1–3 s after the first; the time from
the second instance first answering with the new serial to \`dns01 wait\` exiting, ${RUNS} runs per
polling interval. The RRset does not fit a UDP reply: the lagging instance truncated ${rows.truncated}
UDP replies and answered ${rows.tcp} TCP queries in this run. \`pnpm test\` runs the same setup once
(test/e2e/nsd-propagation.test.ts) and asserts the order, not the time.

| polling interval | median | min | max | runs within interval + 100 ms |
|---|---:|---:|---:|---:|
${rows.map((r) => `| ${r.intervalS} s | ${r.median} ms | ${r.min} ms | ${r.max} ms | ${r.within} of ${RUNS} |`).join('\n')}

Reproduce: \`${args.command}\` (needs nsd: \`node scripts/setup.mjs\`).
The moment the instance serves is seen by asking it for its SOA over UDP every ~5 ms, so each figure
may be a few ms low. 2 shared cores with other work running: expect ±50 ms of noise.
${await machineLine()}`;
publish(args, 'propagation-nsd', markdown);
