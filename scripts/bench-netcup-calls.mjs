#!/usr/bin/env node
// Counts netcup API calls per certificate issuance (present + cleanup of N
// challenge records in one zone) against the netcup emulator, using the built
// packages (run `pnpm build` first). Writes the table into docs/benchmarks.md.
//
// Two ways of running an issuance are compared:
// - together: one process presents all N challenges at once, another cleans
//   them up (acme-client plugin, `createRecords`): appends are coalesced
//   into one updateDnsRecords call per zone;
// - one process per name: a hook started once per challenge (acme.sh,
//   lego exec, uacme, dehydrated without HOOK_CHAIN): every process logs in
//   and out; and the same with the run cache, as the executables run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSession, providerDefinition, silentLogger } from '../packages/provider-client/dist/internal.js';
import { startNetcupEmulator, ZoneStore } from '../packages/testkit/dist/index.js';
import { machineLine, writeBenchSection } from './lib/bench-report.mjs';

const ZONE = 'example.com';
const credentials = { customerNumber: '40017', apiKey: 'bench-apikey', apiPassword: 'bench-apipw' };
const ACTIONS = ['login', 'infoDnsZone', 'infoDnsRecords', 'updateDnsRecords', 'logout'];
const RATE_LIMIT = 180;

async function withEmulator(work) {
  const store = new ZoneStore();
  store.addZone({ name: ZONE, nameservers: [{ name: 'ns1.dns01-test.net', addresses: ['127.0.0.2'] }], records: [{ name: ZONE, type: 'A', data: '192.0.2.1' }] });
  // The limit is counted here rather than enforced, so every scenario runs to the end.
  const emulator = await startNetcupEmulator({ store, zones: [ZONE], credentials, requestsPerMinute: 1_000_000 });
  try {
    await work(emulator);
    if (store.records(ZONE, { type: 'TXT' }).length !== 0) throw new Error('cleanup left records behind');
    return emulator.actionCounts();
  } finally {
    await emulator.close();
  }
}

const envOf = (emulator) => ({
  NETCUP_CUSTOMER_NUMBER: credentials.customerNumber,
  NETCUP_API_KEY: credentials.apiKey,
  NETCUP_API_PASSWORD: credentials.apiPassword,
  NETCUP_ENDPOINT: emulator.url,
});
// findApex stands in for the DNS SOA lookup the flow does before asking the API.
const deps = { logger: silentLogger, findApex: async () => ZONE };

function provider(emulator, shared) {
  if (shared) return openSession({ ...envOf(emulator), DNS01_STATE_DIR: shared.dir }, { ...deps, provider: 'netcup', shareRun: {} }).provider;
  const definition = providerDefinition('netcup');
  return definition.create(definition.readConfig(envOf(emulator)), deps);
}

async function phase(emulator, challenges, op, shared) {
  const p = provider(emulator, shared);
  try {
    await Promise.all(challenges.map(async ({ name, value }) => p[op](await p.findZone(name), name, value)));
  } finally {
    await p.close();
  }
}

const challengesFor = (n) => Array.from({ length: n }, (_, i) => ({ name: `_acme-challenge.san${i}.${ZONE}`, value: `token-${i}` }));

const together = (n) =>
  withEmulator(async (emulator) => {
    await phase(emulator, challengesFor(n), 'appendTxt');
    await phase(emulator, challengesFor(n), 'deleteTxt');
  });

const perName = (n) =>
  withEmulator(async (emulator) => {
    for (const c of challengesFor(n)) await phase(emulator, [c], 'appendTxt');
    for (const c of challengesFor(n)) await phase(emulator, [c], 'deleteTxt');
  });

/** Hook processes that share the run cache (acme.sh, lego, uacme with this suite). */
const perNameShared = (n) =>
  withEmulator(async (emulator) => {
    const dir = mkdtempSync(join(tmpdir(), 'dns01-bench-netcup-'));
    try {
      const all = challengesFor(n);
      for (const c of all) await phase(emulator, [c], 'appendTxt', { dir });
      for (const c of all) await phase(emulator, [c], 'deleteTxt', { dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

const rows = [];
for (const n of [1, 10, 50]) {
  for (const [mode, run] of [['together', together], ['one process per name', perName], ['one process per name, run cache', perNameShared]]) {
    const counts = await run(n);
    const total = ACTIONS.reduce((sum, a) => sum + (counts[a] ?? 0), 0);
    const unexpected = Object.keys(counts).filter((a) => !ACTIONS.includes(a));
    if (unexpected.length > 0) throw new Error(`unexpected actions: ${unexpected.join(', ')}`);
    rows.push({ n, mode, counts, total });
  }
}

const table = [
  `| names | how | ${ACTIONS.join(' | ')} | total | over ${RATE_LIMIT}/min if within a minute |`,
  `|---:|---|${ACTIONS.map(() => '---:').join('|')}|---:|---|`,
  ...rows.map(
    ({ n, mode, counts, total }) =>
      `| ${n} | ${mode} | ${ACTIONS.map((a) => counts[a] ?? 0).join(' | ')} | ${total} | ${total > RATE_LIMIT ? 'yes: lockout' : 'no'} |`,
  ),
].join('\n');

const markdown = `## netcup: API calls per issuance

\`node scripts/bench-netcup-calls.mjs\` (after \`pnpm build\`): present then clean up N
challenge records in one zone against the netcup emulator; the zone apex comes
from DNS (SOA), so infoDnsZone only confirms it. "together" is one process for
all names (appends and deletes coalesced per zone into one updateDnsRecords
call each); "one process per name" is a hook started per challenge, each on its
own ("run cache": the processes share the session, the zone and the ids of the
records created; the zone is the apex the DNS names, proven by the first add
instead of infoDnsZone, and the session is kept for the next run, not logged
out). Each add goes out without a
listing first (its reply lists the zone); each delete goes by the ids the add's
reply listed.
netcup locks an account out after about ${RATE_LIMIT} requests per minute.
Before issue 17 (measured 2026-11-23): together 10 calls for any N; one process
per name 10 per name (each process: login, infoDnsZone, infoDnsRecords,
updateDnsRecords, logout), 500 for 50 names.

${table}

${await machineLine()}`;

writeBenchSection('netcup-api-calls', markdown);
console.log(table);
