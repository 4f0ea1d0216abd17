#!/usr/bin/env node
// API calls per challenge of the clients that start one hook process per
// challenge (acme.sh through the package's harness, lego's exec provider,
// dehydrated without HOOK_CHAIN, uacme), on every provider's emulator, with
// the run cache (the processes of a run share session, zones and record ids)
// and without it (each process on its own). The built executables run as
// processes, exactly as each client calls them; DNS01_WAIT=0 where the client
// would wait per call (waiting makes no API calls). Run `pnpm build` first.
// Usage: node scripts/bench-hook-calls.mjs [names]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machineLine, writeBenchSection } from './lib/bench-report.mjs';

const root = resolve(import.meta.dirname, '..');
const names = Number(process.argv[2] ?? 10);
const { startTestWorld, runProcess } = await import(resolve(root, 'packages/testkit/dist/index.js'));
const bin = (pkg, name) => resolve(root, `packages/${pkg}/dist/bin/${name}.js`);
const DNS01 = bin('cli', 'dns01');
const HARNESS = resolve(root, 'packages/acmesh-hook/test/acmesh-harness.sh');
const PROVIDERS = ['netcup', 'xsserver', 'mrdomain', 'sourcedesk'];

/** Which requests are zone lookups, per provider (the rest: record reads and changes, sessions). */
const isZoneLookup = {
  netcup: (r) => r.body.includes('"action":"infoDnsZone"'),
  xsserver: (r) => r.url.includes('/domain/name/'),
  mrdomain: (r) => r.url.includes('/service/getinfo'),
  sourcedesk: (r) => /\/dns\/list(\?|$)/.test(r.url),
};
const isSession = (r) => r.body.includes('"action":"login"') || r.body.includes('"action":"logout"');

const domains = Array.from({ length: names }, (_, i) => (i === 0 ? 'example.com' : `h${i}.example.com`));
const value = (i) => `bench-value-${i}-${'x'.repeat(20)}`;

async function node(file, args, env) {
  const r = await runProcess(process.execPath, [file, ...args], { env, timeoutMs: 60_000 });
  if (r.status !== 0) throw new Error(`${file} ${args[0]} exited ${r.status}: ${r.stderr.trim()}`);
}

/** Each client's calls for one run: present every challenge, then clean every one up. */
const clients = {
  'acme.sh (dns_dns01_*)': async (world, env) => {
    const r = await runProcess('sh', [HARNESS, resolve(root, `packages/acmesh-hook/dnsapi/dns_dns01_${world.provider}.sh`), ...domains.map((d, i) => `${d}=${value(i)}`)], {
      env: { ...env, DNS01_CLI: DNS01, HARNESS_ACCOUNT_CONF: join(env.WORK, 'account.conf') },
      timeoutMs: 120_000,
    });
    if (r.status !== 0) throw new Error(`acme.sh harness exited ${r.status}: ${r.stderr.trim()}`);
  },
  'lego (dns01-lego)': async (world, env) => {
    for (const [i, d] of domains.entries()) await node(bin('lego-exec', 'dns01-lego'), ['present', `_acme-challenge.${d}.`, value(i)], env);
    for (const [i, d] of domains.entries()) await node(bin('lego-exec', 'dns01-lego'), ['cleanup', `_acme-challenge.${d}.`, value(i)], env);
  },
  'dehydrated (dns01-dehydrated, no HOOK_CHAIN)': async (world, env) => {
    const hook = bin('dehydrated-hook', 'dns01-dehydrated');
    for (const [i, d] of domains.entries()) await node(hook, ['deploy_challenge', d, 'token', value(i)], env);
    for (const [i, d] of domains.entries()) await node(hook, ['clean_challenge', d, 'token', value(i)], env);
    await node(hook, ['exit_hook'], env);
  },
  'uacme (dns01-uacme)': async (world, env) => {
    const hook = bin('uacme-hook', 'dns01-uacme');
    for (const [i, d] of domains.entries()) {
      await node(hook, ['begin', 'dns-01', d, 'token', value(i)], env);
      await node(hook, ['done', 'dns-01', d, 'token', value(i)], env);
    }
  },
};

async function measure(provider, client, shared) {
  const world = await startTestWorld({ provider, ...(provider === 'netcup' ? { emulator: { requestsPerMinute: 1_000_000 } } : {}) });
  const work = mkdtempSync(join(tmpdir(), 'dns01-bench-calls-'));
  try {
    const env = {
      PATH: process.env.PATH,
      HOME: '/nonexistent',
      WORK: work,
      DNS01_LOG_LEVEL: 'quiet',
      DNS01_WAIT: '0',
      ...world.env,
      DNS01_STATE_DIR: join(work, 'state'),
      DNS01_RUN_CACHE: shared ? '1' : '0',
    };
    await clients[client](world, env);
    const left = domains.flatMap((d) => world.txt(`_acme-challenge.${d}`));
    if (left.length) throw new Error(`${client} on ${provider} left ${left.length} record(s) behind`);
    const requests = world.emulator.server.requests;
    return {
      total: requests.length,
      zone: requests.filter(isZoneLookup[provider]).length,
      session: requests.filter(isSession).length,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await world.close();
  }
}

const rows = [];
for (const client of Object.keys(clients)) {
  for (const provider of PROVIDERS) {
    const alone = await measure(provider, client, false);
    const shared = await measure(provider, client, true);
    rows.push({ client, provider, alone, shared });
    console.error(`${client} ${provider}: ${alone.total} -> ${shared.total}`);
  }
}

const per = (n) => (n / names).toFixed(1);
const table = [
  '| client | provider | calls per challenge, each process alone | with the run cache | zone lookups per run (alone → cached) | netcup logins + logouts per run (alone → cached) |',
  '|---|---|---:|---:|---|---|',
  ...rows.map(
    ({ client, provider, alone, shared }) =>
      `| ${client} | ${provider} | ${per(alone.total)} | ${per(shared.total)} | ${alone.zone} → ${shared.zone} | ${provider === 'netcup' ? `${alone.session} → ${shared.session}` : '—'} |`,
  ),
].join('\n');

const markdown = `## API calls per challenge: clients that start a process per challenge

\`node scripts/bench-hook-calls.mjs ${names}\` (after \`pnpm build\`): one run of ${names} names in one
zone (present every challenge, then clean each up, in the order each client calls its hook), the
built executables started as the client starts them, against each provider's emulator; calls
counted at the emulator and divided by ${names}. acme.sh runs through the package's harness
(packages/acmesh-hook/test/acmesh-harness.sh: acme.sh's own variables, each add and rm in a
subshell). "Alone" (\`DNS01_RUN_CACHE=0\`): every process logs in, looks the zone up and
logs out itself. "With the run cache": the processes of the run share the netcup
session, the zones found and the ids of the records created (0600 files in the private state
directory); the zone is the apex the DNS names (the first add proves it; no infoDnsZone) and
the session is kept for the next run instead of logged out (netcup ends it after 15 idle minutes).
Targets (issue 17): on netcup at most 2 calls per challenge once a session exists (one add,
one delete: the rest of the row is the run's one login);
acme.sh with this hook at most half the calls of acme.sh's own dns_netcup, which made 7.0 per
challenge in issue 17's measurement (real acme.sh 3.1, 10 names); the side-by-side run against
the real acme.sh and lego is the peer benchmark's.

${table}

${await machineLine()}`;

writeBenchSection('hook-api-calls', markdown);
console.log(table);
