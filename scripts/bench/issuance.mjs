#!/usr/bin/env node
// Issuance benchmark: 1, 10 and 50 names through certbot (with the certbot
// hook) and through acme-client (with the plugin), against Pebble, on the
// netcup emulator whose two nameservers both lag L seconds. Reports total
// time minus L (what the suite adds on top of the unavoidable propagation)
// beside what the same run costs with a fixed propagation sleep (certbot DNS
// plugins) and with 30 s polling (lego's netcup default), both modelled from
// the measured run.
//   pnpm bench issuance [--lag 3] [--scale 1] [--sizes 1,10,50] [--latency-ms 0]
// --scale multiplies the two alternatives' sleep and interval and our own
// polling interval (the netcup default, 5 s), e.g. 0.1 for a world sped up 10×.
import * as h from '@dns01/testkit/e2e';
import * as sid from '../lib/current-clients.mjs';
import { benchArgs } from './lib/args.mjs';
import { machineLine, publish } from './lib/report.mjs';

const args = benchArgs('issuance', {
  lag: { default: 3, help: 'seconds both nameservers serve every change late' },
  scale: { default: 1, help: 'multiplies the modelled sleep and interval and our polling interval' },
  sizes: { default: [1, 10, 50], help: 'names per certificate' },
  'latency-ms': { default: 0, help: "the emulator's fixed delay per API request" },
});
const { lag, scale, sizes, latencyMs } = args.values;
const FIXED_SLEEP = 60 * scale; // certbot DNS plugins' usual --<plugin>-propagation-seconds default
const LEGO_INTERVAL = 30 * scale; // lego's NETCUP_POLLING_INTERVAL default; lego sleeps it before each check
const OUR_INTERVAL = 5 * scale; // the netcup provider's default DNS01_POLLING_INTERVAL

h.requirePrograms('certbot', 'pebble', 'openssl');
const { BOOKWORM } = h.debianSuites(sid);

const zone = h.zoneOf('netcup');
/** N names of the zone: the apex, then h1.<zone>, h2.<zone>, ... */
const namesFor = (n) => [zone, ...Array.from({ length: n - 1 }, (_, i) => `h${i + 1}.${zone}`)];
const clients = [
  { label: 'certbot + hook', run: (ctx) => h.certbotCertonly(ctx).then((r) => ({ ok: r.code === 0, detail: h.explain(r) })) },
  {
    label: 'acme-client + plugin',
    run: (ctx) =>
      h
        .acmeClients(BOOKWORM)
        .find((c) => c.name.includes('acme-client') && c.name.includes('ESM'))
        .issue(ctx)
        .then(
          () => ({ ok: true }),
          (e) => ({ ok: false, detail: String(e) }),
        ),
  },
];

/** A fresh world per run: a failed run (rate limit, records left) must not spoil the next. */
async function measure(client, n) {
  const e2e = await h.startE2eWorld('netcup', {
    suite: BOOKWORM,
    nameservers: [{ lagMs: lag * 1000 }, { lagMs: lag * 1000 }],
    records: [],
    pollingInterval: OUR_INTERVAL,
    propagationTimeout: 120,
  });
  e2e.world.emulator.server.setLatency(latencyMs);
  try {
    const ctx = await e2e.context({ DNS01_LOG_LEVEL: 'quiet' });
    ctx.domains = namesFor(n);
    const started = performance.now();
    const result = await client.run(ctx);
    const total = (performance.now() - started) / 1000;
    if (!result.ok) {
      const reason = /error: ([^\n]*)/.exec(result.detail)?.[1] ?? 'see the run';
      console.error(`${client.label}, ${n} names FAILED: ${result.detail.slice(-2000)}`);
      return { client: client.label, n, failed: reason.length > 140 ? `${reason.slice(0, 140)}…` : reason };
    }
    const ours = total - lag;
    const fixed = ours + (FIXED_SLEEP - lag);
    const polled = ours + (Math.ceil(lag / LEGO_INTERVAL) * LEGO_INTERVAL - lag);
    console.error(`${client.label}, ${n} names: ${total.toFixed(1)} s (overhead ${ours.toFixed(1)} s)`);
    return { client: client.label, n, total, ours, fixed, polled };
  } finally {
    await e2e.close();
  }
}

const rows = [];
for (const client of clients) for (const n of sizes) rows.push(await measure(client, n));

const s = (x) => x.toFixed(1);
const table = [
  `| client | names | total (s) | ours: total − L (s) | fixed ${s(FIXED_SLEEP)} s sleep: total − L (s, modelled) | ${s(LEGO_INTERVAL)} s polling: total − L (s, modelled) |`,
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) =>
    r.failed
      ? `| ${r.client} | ${r.n} | failed: ${r.failed.replace(/\|/g, '/')} | | | |`
      : `| ${r.client} | ${r.n} | ${s(r.total)} | ${s(r.ours)} | ${s(r.fixed)} | ${s(r.polled)} |`,
  ),
];
const markdown = `## Issuance: our overhead over the propagation lag

${await machineLine()} \`${args.command}\`:
Pebble (no VA sleeps), the netcup emulator${latencyMs ? ` answering each API request after ${latencyMs} ms` : ''}, both nameservers lagging L = ${lag} s, our polling interval
${s(OUR_INTERVAL)} s (the netcup default${scale === 1 ? '' : ` × ${scale}`}). One run per cell; the names are the apex and h1…h(N−1).

"ours" is measured: the whole issuance (client start to certificate on disk) minus L.
The other two columns are **modelled, not run**: the same run with its wait for every
nameserver replaced by a fixed sleep of ${s(FIXED_SLEEP)} s (certbot DNS plugins' default
propagation seconds${scale === 1 ? '' : ', scaled'}; it wastes sleep − L, and fails outright when L is longer), or by lego-style
polling that sleeps ${s(LEGO_INTERVAL)} s before each check (lego's netcup default${scale === 1 ? '' : ', scaled'}; the first
check after L lands at ⌈L/interval⌉ × interval).

${table.join('\n')}`;
publish(args, 'issuance', markdown);
