#!/usr/bin/env node
// Side by side with the peers that do the same job, in one run, on the same
// netcup emulator, both nameservers lagging L seconds and the CA (Pebble)
// asking a lagging nameserver, so a peer that does not wait long enough fails:
//   - acme.sh 3.1.5 with its own dns_netcup (fixed sleep --dnssleep L) against
//     acme.sh with our dns_dns01_netcup hook (--dnssleep 0, the hook waits);
//   - lego 4.35 with its own netcup provider (polls the authoritative
//     nameservers) against lego with dns01-lego (exec provider) and against
//     lego's httpreq provider through `dns01 serve` on loopback (the gateway
//     holds the netcup credentials; lego polls the nameservers itself);
// each at every API latency asked for (the emulator answers every request
// after that fixed delay: loopback answers in about a millisecond, netcup's
// real API in tens). acme.sh's and lego's netcup endpoint is fixed in their
// code (https://ccp.netcup.net/...): they reach the emulator through an HTTPS
// interception proxy on loopback (CONNECT, a certificate for ccp.netcup.net
// from a throw-away CA, HTTPS_PROXY / https_proxy). lego asks authoritative
// nameservers on port 53 only, so this world's DNS listens on 127.53.16.x:53
// (root). API calls are counted at the emulator; our hook processes are
// counted by a wrapper, and their start-up is reported as a share of the
// whole issuance. The API calls of our other hooks: the api-calls benchmark.
//   pnpm bench peers [--runs 3] [--latency-ms 0,40] [--sizes 1,10] [--clients acme.sh,lego] [--lego-kinds own,ours,gateway] ...
// acme.sh 3.1.5 and lego 4.35 come from Debian sid through scripts/lib/current-clients.mjs
// (`node scripts/setup.mjs` sets them up, as root); --acmesh/--lego name others.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDnsServer, startNetcupEmulator, ZoneStore } from '@dns01/testkit';
import * as h from '@dns01/testkit/e2e';
import { findCurrentClients } from '../lib/current-clients.mjs';
import { benchArgs } from './lib/args.mjs';
import { machineLine, median, publish } from './lib/report.mjs';

const CLIENTS = ['acme.sh', 'lego'];
const LEGO_KINDS = ['own', 'ours', 'gateway'];
const args = benchArgs(
  'peers',
  {
    runs: { default: 1, help: 'runs per cell, its own client and ours taking turns; the median time counts' },
    'latency-ms': { default: [0, 40], help: "the API latencies to run at (the emulator's fixed delay per request)" },
    lag: { default: 3, help: 'seconds both nameservers serve every change late' },
    sizes: { default: [1, 10], help: 'names per certificate, acme.sh' },
    'lego-sizes': { default: [1, 10], help: 'names per certificate, lego' },
    clients: { default: CLIENTS, help: 'which peers' },
    'lego-kinds': { default: LEGO_KINDS, help: "lego's ways: own (its netcup provider), ours (exec + dns01-lego), gateway (httpreq through dns01 serve)" },
    interval: { default: 1, help: 'polling interval (s) of ours and of lego' },
    'startup-runs': { default: 11, help: 'runs of `dns01 --version` for the start-up of one hook process' },
    acmesh: { default: '', help: "acme.sh script (default: sid's, from scripts/setup.mjs)" },
    lego: { default: '', help: "lego executable (default: sid's)" },
  },
  { help: 'As root: the DNS listens on 127.53.16.1-3 port 53.' },
);
const { runs: RUNS, latencyMs: LATENCIES, lag: LAG, sizes, legoSizes, clients, legoKinds, interval: INTERVAL, startupRuns } = args.values;
const unknown = clients.filter((c) => !CLIENTS.includes(c));
if (unknown.length) throw new Error(`--clients: no peer ${unknown.join(', ')} (known: ${CLIENTS.join(', ')})`);
const unknownKinds = legoKinds.filter((k) => !LEGO_KINDS.includes(k));
if (unknownKinds.length || !legoKinds.includes('own')) throw new Error(`--lego-kinds: own and any of ${LEGO_KINDS.join(', ')}`);
const root = resolve(import.meta.dirname, '../..');
const RATE_LIMIT = 180;
const sid = findCurrentClients();
const ACMESH = args.values.acmesh || sid?.acmesh;
const LEGO = args.values.lego || sid?.lego;
for (const [flag, path] of [
  ['--acmesh', ACMESH],
  ['--lego', LEGO],
]) {
  if (!path || !existsSync(path)) {
    console.error(`bench peers: no ${flag.slice(2)} (sid's acme.sh 3.1.5 / lego 4.35): run \`node scripts/setup.mjs\` as root, or pass ${flag} PATH`);
    process.exit(2);
  }
}
h.requirePrograms('pebble', 'openssl');

const ZONE = 'netcup-peers.example';
const NETCUP_HOST = 'ccp.netcup.net';
const RESOLVER = '127.53.16.1';
const NAMESERVERS = [
  { name: 'ns1.dns01-test.net', address: '127.53.16.2' },
  { name: 'ns2.dns01-test.net', address: '127.53.16.3' },
];
// A 50-character key would do too: acme.sh picks netcup's REST API only for 64-character keys.
const credentials = { customerNumber: '40017', apiKey: 'peers-bench-apikey-7f3a9', apiPassword: 'peers-bench-apipw-Q8z2' };
const namesFor = (n) => [ZONE, ...Array.from({ length: n - 1 }, (_, i) => `h${i + 1}.${ZONE}`)];

/**
 * `name` in `binDir` as a wrapper that notes each start in `log` (one line a
 * process), then becomes the built executable: how many hook processes a run
 * started. A `sh` and an `echo` more per process, about a millisecond.
 */
function countingWrapper(binDir, name, log) {
  const wrapper = join(binDir, name);
  rmSync(wrapper, { force: true });
  writeFileSync(wrapper, `#!/bin/sh\necho >> '${log}'\nexec '${h.hookExecutable(name)}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/**
 * One issuance world: zone, DNS on :53 (lagging), emulator at `latencyMs`, interception proxy, Pebble asking a
 * lagging nameserver; with `gateway`, a running `dns01 serve` on loopback holding the netcup credentials and one
 * client for the zone (started before the clock, as a long-lived server is).
 */
async function startPeerWorld(latencyMs, { gateway = false } = {}) {
  const store = new ZoneStore();
  const dns = await startDnsServer({
    store,
    port: 53,
    resolverAddress: RESOLVER,
    nameservers: NAMESERVERS.map((ns) => ({ ...ns, lagMs: LAG * 1000 })),
  }).catch((error) => {
    throw new Error(`cannot listen on ${RESOLVER}-${NAMESERVERS.at(-1).address} port 53 (root needed; lego queries nameservers on 53 only): ${error.message}`);
  });
  const closers = [() => dns.close()];
  const close = async () => {
    h.killAll();
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    store.addZone({ name: ZONE, nameservers: dns.zoneNameservers(), records: [{ name: ZONE, type: 'A', data: '192.0.2.10' }] });
    // The limit is counted, not enforced, so every run goes to the end (the table says who would be locked out).
    const emulator = await startNetcupEmulator({ store, zones: [ZONE], credentials, requestsPerMinute: 1_000_000 });
    emulator.server.setLatency(latencyMs);
    closers.push(() => emulator.close());
    const proxy = await h.startInterceptProxy({ [NETCUP_HOST]: { host: '127.0.0.1', port: Number(new URL(emulator.url).port) } });
    closers.push(() => proxy.close());
    const pebble = await h.startPebble({ dnsServer: `${NAMESERVERS[1].address}:53` });
    closers.push(() => pebble.close());
    const dir = mkdtempSync(join(tmpdir(), 'dns01-peers-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const bundle = join(dir, 'ca-bundle.pem');
    writeFileSync(bundle, readFileSync(pebble.tls.caCertPath, 'utf8') + readFileSync(proxy.tls.caCertPath, 'utf8'));
    const binDir = join(dir, 'bin');
    const PATH = h.installHookBins(binDir);
    const hookLog = join(dir, 'hook-processes');
    writeFileSync(hookLog, '');
    const env = {
      PATH,
      HOME: dir,
      LANG: 'C.UTF-8',
      https_proxy: proxy.url,
      HTTPS_PROXY: proxy.url,
      no_proxy: '127.0.0.1,localhost',
      NO_PROXY: '127.0.0.1,localhost',
    };
    const ours = {
      DNS01_PROVIDER: 'netcup',
      NETCUP_CUSTOMER_NUMBER: credentials.customerNumber,
      NETCUP_API_KEY: credentials.apiKey,
      NETCUP_API_PASSWORD: credentials.apiPassword,
      NETCUP_ENDPOINT: emulator.endpoint,
      DNS01_RESOLVERS: `${RESOLVER}:53`,
      DNS01_NS_PORT: '53',
      DNS01_POLLING_INTERVAL: String(INTERVAL),
      DNS01_PROPAGATION_TIMEOUT: '120',
      DNS01_LOG_LEVEL: 'quiet',
    };
    let served;
    if (gateway) {
      const serve = await h.startGatewayProcess({ PATH, ...ours }, { DNS01_LOG_LEVEL: 'info' });
      closers.push(() => serve.stop());
      served = { url: serve.url, client: await serve.addClient('bench', [ZONE, `*.${ZONE}`]), audit: () => serve.audit() };
    }
    return {
      store,
      emulator,
      proxy,
      gateway: served,
      pebble,
      dir,
      bundle,
      env,
      ours,
      /** The executable `name` as a wrapper that counts its processes. */
      counted: (name) => countingWrapper(binDir, name, hookLog),
      hookProcesses: () => readFileSync(hookLog, 'utf8').split('\n').length - 1,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const acmeshHow = {
  own: `\`--dnssleep ${LAG}\`, a fixed sleep equal to the lag (the best a hook without an authoritative check can do; without it acme.sh asks public DNS-over-HTTPS resolvers, which cannot see the test zone)`,
  ours: '`--dnssleep 0`; the add of the last challenge waits until every authoritative nameserver serves every record',
};
function acmesh(kind) {
  return async (w, names) => {
    const home = join(w.dir, 'acme.sh');
    mkdirSync(join(home, 'dnsapi'), { recursive: true });
    symlinkSync(join(root, 'packages/acmesh-hook/dnsapi/dns_dns01_netcup.sh'), join(home, 'dnsapi', 'dns_dns01_netcup.sh'));
    const env =
      kind === 'own'
        ? { ...w.env, NC_CID: credentials.customerNumber, NC_Apikey: credentials.apiKey, NC_Apipw: credentials.apiPassword }
        : { ...w.env, ...w.ours, DNS01_CLI: w.counted('dns01') };
    return h.run(
      ACMESH,
      [
        '--issue',
        '--home',
        home,
        '--config-home',
        join(home, 'config'),
        '--server',
        w.pebble.directoryUrl,
        '--ca-bundle',
        w.bundle,
        '--dns',
        kind === 'own' ? 'dns_netcup' : 'dns_dns01_netcup',
        '--dnssleep',
        kind === 'own' ? String(LAG) : '0',
        '--keylength',
        'ec-256',
        '--accountkeylength',
        'ec-256',
        ...names.flatMap((d) => ['-d', d]),
      ],
      // ACME_PACKAGED=1 as Debian's /usr/bin/acme.sh sets it: no self-upgrade, no install checks.
      { env: { ...env, CURL_CA_BUNDLE: w.bundle, ACME_PACKAGED: '1' }, timeoutMs: 600_000 },
    );
  };
}

const legoHow = {
  own: `lego polls the authoritative nameservers itself every ${INTERVAL} s (\`NETCUP_POLLING_INTERVAL=${INTERVAL}\`, as ours; its default is 30 s)`,
  ours: 'exec + dns01-lego, which waits for every authoritative nameserver; `--dns.disable-cp`, `EXEC_SEQUENCE_INTERVAL=1`, `EXEC_POLLING_INTERVAL=1` as docs/clients/lego.md says',
  gateway: `\`--dns httpreq\` to \`dns01 serve\` on 127.0.0.1 (started before the clock, as the long-lived server it is; its netcup session opens with the first request), lego polls the authoritative nameservers itself every ${INTERVAL} s (\`HTTPREQ_POLLING_INTERVAL=${INTERVAL}\`)`,
};
function lego(kind) {
  return async (w, names) => {
    const common = { ...w.env, LEGO_CA_CERTIFICATES: w.bundle, SSL_CERT_FILE: w.bundle };
    const env =
      kind === 'own'
        ? {
            ...common,
            NETCUP_CUSTOMER_NUMBER: credentials.customerNumber,
            NETCUP_API_KEY: credentials.apiKey,
            NETCUP_API_PASSWORD: credentials.apiPassword,
            NETCUP_POLLING_INTERVAL: String(INTERVAL),
            NETCUP_PROPAGATION_TIMEOUT: '120',
          }
        : kind === 'gateway'
          ? {
              ...common,
              ...h.httpreqEnv(w.gateway.url, w.gateway.client, 'default'),
              HTTPREQ_POLLING_INTERVAL: String(INTERVAL),
              HTTPREQ_PROPAGATION_TIMEOUT: '120',
            }
          : {
              ...common,
              ...w.ours,
              EXEC_PATH: w.counted('dns01-lego'),
              EXEC_SEQUENCE_INTERVAL: '1',
              EXEC_POLLING_INTERVAL: '1',
              EXEC_PROPAGATION_TIMEOUT: '150',
            };
    const provider = { own: 'netcup', ours: 'exec', gateway: 'httpreq' }[kind];
    // lego dials the nameservers by host name through the system resolver: in a mount
    // namespace of its own, /etc/resolv.conf names the test resolver (the machine's stays as it is).
    const resolvConf = join(w.dir, 'resolv.conf');
    writeFileSync(resolvConf, `nameserver ${RESOLVER}\n`);
    return h.run(
      'unshare',
      [
        '--mount',
        'sh',
        '-c',
        'mount --bind "$0" /etc/resolv.conf && exec "$@"',
        resolvConf,
        LEGO,
        '--accept-tos',
        '--email',
        'bench@example.com',
        '--server',
        w.pebble.directoryUrl,
        '--path',
        join(w.dir, 'lego'),
        '--key-type',
        'ec256',
        '--dns',
        provider,
        ...(kind === 'ours' ? ['--dns.disable-cp'] : []),
        '--dns.resolvers',
        `${RESOLVER}:53`,
        ...names.flatMap((d) => ['--domains', d]),
        'run',
      ],
      { env, timeoutMs: 300_000 },
    );
  };
}

/** The most requests within any 60 s: what netcup's limit of about 180 a minute is measured against. */
function peakPerMinute(times) {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] >= 60_000) i++;
    peak = Math.max(peak, j - i + 1);
  }
  return peak;
}

/** The start-up of one hook process: median wall time of `dns01 --version`, in ms, measured in this run. */
async function hookStartupMs() {
  const times = [];
  for (let i = 0; i <= startupRuns; i++) {
    const started = performance.now();
    const r = await h.run(process.execPath, [h.hookExecutable('dns01'), '--version'], {
      env: { PATH: process.env.PATH, HOME: '/nonexistent' },
      timeoutMs: 30_000,
    });
    if (r.code !== 0) throw new Error(h.explain(r));
    if (i > 0) times.push(performance.now() - started);
  }
  return median(times);
}

/** One issuance in a fresh world: time from client start to exit, API calls at the emulator, our hook processes. */
async function measure(client, peer, kind, n, latencyMs) {
  const w = await startPeerWorld(latencyMs, { gateway: kind === 'gateway' });
  try {
    const started = performance.now();
    const result = await peer(w, namesFor(n));
    const seconds = (performance.now() - started) / 1000;
    const counts = w.emulator.actionCounts();
    const peak = peakPerMinute(w.emulator.server.requests.map((q) => q.at));
    const calls = Object.values(counts).reduce((a, b) => a + b, 0);
    const left = w.store.records(ZONE, { type: 'TXT' }).length;
    const ok = result.code === 0;
    if (!ok) console.error(`${client} (${kind}), ${n} names, ${latencyMs} ms FAILED:\n${h.explain(result, 3000)}`);
    const intercepted = w.proxy.connects.filter((c) => c.startsWith(NETCUP_HOST)).length;
    const processes = kind === 'ours' ? w.hookProcesses() : undefined;
    // Where the gateway's share of the time goes: its requests and the time it took to answer them (the audit log's ms).
    const answered = w.gateway?.audit().filter((l) => l.action === 'present' || l.action === 'cleanup');
    const gateway = answered && { requests: answered.length, seconds: answered.reduce((sum, l) => sum + Number(l.ms ?? 0), 0) / 1000 };
    console.error(
      `${client} (${kind}), ${n} names, API latency ${latencyMs} ms: ${ok ? 'ok' : 'FAILED'} in ${seconds.toFixed(1)} s, ${calls} API calls ${JSON.stringify(counts)}, ` +
        `${intercepted} CONNECTs to ${NETCUP_HOST}, ${processes ?? '-'} hook processes, ${left} TXT left` +
        (gateway ? `, the gateway answered ${gateway.requests} requests in ${gateway.seconds.toFixed(2)} s` : ''),
    );
    const reason = ok ? '' : (/(?:error|Error|ERROR)[^\n]*/.exec(result.output)?.[0] ?? h.explain(result, 200)).slice(0, 160);
    return { client, kind, n, latencyMs, ok, seconds, counts, calls, peak, left, reason, processes, gateway };
  } finally {
    await w.close();
  }
}

const ACTIONS = ['login', 'infoDnsZone', 'infoDnsRecords', 'updateDnsRecords', 'logout'];
/** Several runs of one client and kind as one row: the median time, the most calls, every time kept. */
function combine(runs) {
  const times = runs.map((r) => r.seconds);
  const most = runs.reduce((a, b) => (b.calls > a.calls ? b : a));
  const failed = runs.find((r) => !r.ok);
  const gateway = most.gateway && { requests: most.gateway.requests, seconds: median(runs.map((r) => r.gateway.seconds)) };
  return {
    ...most,
    ok: !failed,
    reason: failed?.reason ?? '',
    seconds: median(times),
    times,
    peak: Math.max(...runs.map((r) => r.peak)),
    left: Math.max(...runs.map((r) => r.left)),
    gateway,
  };
}
async function cell(client, peer, n, latencyMs, kinds = ['own', 'ours']) {
  const runs = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) for (const kind of kinds) runs[kind].push(await measure(client, peer(kind), kind, n, latencyMs));
  return kinds.map((k) => combine(runs[k]));
}

const startupMs = await hookStartupMs();
console.error(`one hook process starts in ${startupMs.toFixed(0)} ms (median of ${startupRuns} runs of dns01 --version)`);
const peerRows = [];
for (const latencyMs of LATENCIES) {
  if (clients.includes('acme.sh')) for (const n of sizes) peerRows.push(...(await cell('acme.sh 3.1.5', acmesh, n, latencyMs)));
  if (clients.includes('lego')) for (const n of legoSizes) peerRows.push(...(await cell('lego 4.35.2', lego, n, latencyMs, legoKinds)));
}

const perChallenge = (calls, n) => (calls / n).toFixed(1);
const breakdown = (counts) =>
  ACTIONS.map((a) => counts[a] ?? 0).join(' / ') + (Object.keys(counts).some((a) => !ACTIONS.includes(a)) ? ` (+ ${JSON.stringify(counts)})` : '');
const label = (r) => `${r.client} + ${{ own: 'its own netcup client', ours: 'our hook', gateway: 'httpreq through dns01 serve' }[r.kind]}`;
const latency = (ms) => (ms === 0 ? 'loopback' : `${ms} ms`);
const names = (n) => `${n} ${n === 1 ? 'name' : 'names'}`;
/** Our hook processes' start-up (or the gateway's time answering) as a share of the whole issuance. */
const startupShare = (r) => {
  if (r.gateway)
    return `gateway: ${r.gateway.requests} requests answered in ${r.gateway.seconds.toFixed(1)} s, ${((100 * r.gateway.seconds) / r.seconds).toFixed(0)} %`;
  if (r.processes === undefined) return '—';
  const seconds = (r.processes * startupMs) / 1000;
  return `${r.processes}: ${seconds.toFixed(1)} s, ${((100 * seconds) / r.seconds).toFixed(0)} %`;
};
const peerTable = [
  `| client | API latency | names | result | total (s) | API calls | per challenge | login / infoDnsZone / infoDnsRecords / updateDnsRecords / logout | most in any 60 s (limit ${RATE_LIMIT}) | our hook processes: start-up, share of total (gateway: its time answering) |`,
  '|---|---|---:|---|---:|---:|---:|---|---:|---|',
  ...peerRows.map(
    (r) =>
      `| ${label(r)} | ${latency(r.latencyMs)} | ${r.n} | ${r.ok ? (r.left ? `ok, ${r.left} TXT left` : 'ok') : `failed: ${r.reason.replace(/\|/g, '/')}`} | ${r.seconds.toFixed(1)}${r.times.length > 1 ? ` (${r.times.map((t) => t.toFixed(1)).join(', ')})` : ''} | ${r.calls} | ${perChallenge(r.calls, r.n)} | ${breakdown(r.counts)} | ${r.peak}${r.peak > RATE_LIMIT ? ' (lockout)' : ''} | ${startupShare(r)} |`,
  ),
].join('\n');
/** Ours against the peer's own client, same client, size and latency: the ratios the targets are stated in. */
const ratios = peerRows
  .filter((r) => r.kind !== 'own')
  .map((ours) => {
    const own = peerRows.find((r) => r.kind === 'own' && r.client === ours.client && r.n === ours.n && r.latencyMs === ours.latencyMs);
    const what = `${ours.client}${ours.kind === 'gateway' ? ' through dns01 serve' : ''}, ${names(ours.n)}, API latency ${latency(ours.latencyMs)}`;
    if (!own?.ok || !ours.ok) return `- ${what}: not comparable (a run failed)`;
    return `- ${what}: ours takes ${(ours.seconds / own.seconds).toFixed(2)}× the time and makes ${(ours.calls / own.calls).toFixed(2)}× the API calls of its own client`;
  })
  .join('\n');
const markdown = `## Side by side with the peers (acme.sh, lego) on netcup

${await machineLine()} ${RUNS > 1 ? `${RUNS} runs per cell, its own client and ours taking turns; the total is the median, every run's in brackets.` : 'One run per cell.'} 2 shared cores:
expect a second or more of noise on each total; the API-call counts are exact.

Reproduce (as root: the DNS listens on 127.53.16.1-3 port 53): \`node scripts/setup.mjs && ${args.command}\`
(setup puts Debian sid's acme.sh 3.1.5 and lego 4.35.2, \`apt-get download\` + \`dpkg-deb -x\`, in a private cache).

The world: the netcup emulator, both authoritative nameservers serving every change L = ${LAG} s late,
Pebble (bookworm, no VA sleep) asking a lagging nameserver, so a client that does not wait for the
lag fails validation. **API latency**: the emulator answers every request after a fixed delay,
${LATENCIES.map(latency).join(' and ')} (\`--latency-ms\`; loopback answers in about a millisecond, netcup's real API
in tens, so the latency rows are what users feel). acme.sh and lego have netcup's endpoint in their code: they reach the emulator
through an HTTPS interception proxy on loopback (CONNECT to ccp.netcup.net, a certificate for that
name from a throw-away CA, \`https_proxy\`/\`HTTPS_PROXY\`; \`CURL_CA_BUNDLE\`/\`--ca-bundle\` for
acme.sh, \`SSL_CERT_FILE\` for lego). Our hooks use \`NETCUP_ENDPOINT\`. Total = client start to
certificate. API calls counted at the emulator, for the whole issuance (present and cleanup).
Our polling interval: ${INTERVAL} s (\`DNS01_POLLING_INTERVAL\`; the netcup default is 5 s).
The last column counts our hook processes (a wrapper notes each start) and puts their start-up,
processes × ${startupMs.toFixed(0)} ms (the median \`dns01 --version\` of this run), against the whole issuance;
for the gateway, the requests it answered and the time it took to answer them (its audit log's \`ms\`).

How each waited for the lag:
${[
  ...(clients.includes('acme.sh') ? [`- acme.sh + its own dns_netcup: ${acmeshHow.own};`, `- acme.sh + our hook: ${acmeshHow.ours};`] : []),
  ...(clients.includes('lego')
    ? [
        `- lego + its own netcup: ${legoHow.own};`,
        ...(legoKinds.includes('ours')
          ? [`- lego + our hook: ${legoHow.ours}. lego runs exec challenges one after the other, so each name waits for the lag on its own;`]
          : []),
        ...(legoKinds.includes('gateway')
          ? [`- lego + httpreq through dns01 serve: ${legoHow.gateway}. httpreq takes lego's parallel path: every present first, then the checks.`]
          : []),
      ]
    : []),
].join('\n')}

${peerTable}

${ratios}

Targets (issue 25), acme.sh with our hook against its own dns_netcup at 1 and 10 names: at most
1.0× the time at 40 ms API latency, at most 0.5× the API calls; (issue 28) lego with httpreq
through dns01 serve against lego's own netcup at 10 names, 40 ms: the same. The API calls of our
other hooks (certbot, dehydrated, uacme, the CLI) are the api-calls section's; the gateway's own
capacity is the gateway section's.`;
publish(args, 'peers', markdown);
