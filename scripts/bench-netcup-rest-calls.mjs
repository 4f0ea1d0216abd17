#!/usr/bin/env node
// Counts netcup REST API calls per challenge (the CloudDNS backend) against
// the REST emulator, side by side with the CCP backend doing the same work
// against its emulator, using the built packages (run `pnpm build` first).
// Writes the table into docs/benchmarks.md.
//
// Scenarios:
// - a separate hook process per call (acme.sh, lego exec, uacme): present of
//   the first value on a scope, present of a second value on the same scope
//   (apex + wildcard), cleanup of one value;
// - one process for a batch of N names in one zone (certbot, acme-client,
//   dns01 present with several pairs): present, then cleanup in another process.
import { providerDefinition, silentLogger } from '../packages/provider-client/dist/internal.js';
import { startNetcupEmulator, startNetcupRestEmulator, ZoneStore } from '../packages/testkit/dist/index.js';
import { machineLine, writeBenchSection } from './lib/bench-report.mjs';

const ZONE = 'example.com';
const REST_KEY = 'bench-rest-key-'.padEnd(64, 'b');
const legacy = { customerNumber: '40017', apiKey: 'bench-apikey', apiPassword: 'bench-apipw' };
const REST_OPS = ['lookup', 'list', 'add', 'delete'];
const CCP_ACTIONS = ['login', 'infoDnsZone', 'infoDnsRecords', 'updateDnsRecords', 'logout'];

/** A 43-character base64url value, as ACME gives. */
const acme = (label) => Buffer.from(label.padEnd(32, '.').slice(0, 32)).toString('base64url');

async function world(backend) {
  const store = new ZoneStore();
  store.addZone({ name: ZONE, nameservers: [{ name: 'ns1.dns01-test.net', addresses: ['127.0.0.2'] }], records: [{ name: ZONE, type: 'A', data: '192.0.2.1' }] });
  if (backend === 'rest') {
    const emulator = await startNetcupRestEmulator({ store, zones: [ZONE], apiKey: REST_KEY });
    return { store, emulator, env: { NETCUP_REST_API_KEY: REST_KEY, NETCUP_REST_ENDPOINT: emulator.endpoint }, counts: () => emulator.operationCounts() };
  }
  const emulator = await startNetcupEmulator({ store, zones: [ZONE], credentials: legacy, requestsPerMinute: 1_000_000 });
  return {
    store,
    emulator,
    env: { NETCUP_CUSTOMER_NUMBER: legacy.customerNumber, NETCUP_API_KEY: legacy.apiKey, NETCUP_API_PASSWORD: legacy.apiPassword, NETCUP_ENDPOINT: emulator.url },
    counts: () => emulator.actionCounts(),
  };
}

/** One process: a fresh provider (no memory of earlier ones), the SOA apex from "DNS". */
async function process_(w, challenges, op) {
  const definition = providerDefinition('netcup');
  const p = definition.create(definition.readConfig(w.env), { logger: silentLogger, findApex: async () => ZONE });
  try {
    await Promise.all(challenges.map(async ({ name, value }) => p[op](await p.findZone(name), name, value)));
  } finally {
    await p.close();
  }
}

const sum = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);
const diff = (after, before) => Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v > 0));

/** Runs the steps in order on one backend; returns the counts of the measured step(s). */
async function measure(backend, steps, measured) {
  const w = await world(backend);
  try {
    let result = {};
    for (const [i, [challenges, op]] of steps.entries()) {
      const before = w.counts();
      await process_(w, challenges, op);
      if (measured.includes(i)) {
        const d = diff(w.counts(), before);
        for (const [k, v] of Object.entries(d)) result[k] = (result[k] ?? 0) + v;
      }
    }
    if (w.store.records(ZONE, { type: 'TXT' }).length !== 0 && steps.at(-1)[1] === 'deleteTxt') throw new Error('cleanup left records behind');
    return result;
  } finally {
    await w.emulator.close();
  }
}

const apex = { name: `_acme-challenge.${ZONE}`, value: acme('apex') };
const wildcard = { name: `_acme-challenge.${ZONE}`, value: acme('wildcard') };
const batch = (n) => Array.from({ length: n }, (_, i) => ({ name: i === 0 ? apex.name : `_acme-challenge.san${i}.${ZONE}`, value: acme(`san${i}`) }));

const scenarios = [
  ['hook process: present, first value on a scope', [[[apex], 'appendTxt']], [0]],
  ['hook process: present, second value on the same scope (wildcard after apex)', [[[apex], 'appendTxt'], [[wildcard], 'appendTxt']], [1]],
  ['hook process: cleanup of one value', [[[apex], 'appendTxt'], [[apex], 'deleteTxt']], [1]],
  ['one process: apex + wildcard, present', [[[apex, wildcard], 'appendTxt']], [0]],
  ...[10, 50].map((n) => [`one process: ${n} names in one zone, present`, [[batch(n), 'appendTxt']], [0]]),
  ...[10, 50].map((n) => [`one process: ${n} names in one zone, cleanup`, [[batch(n), 'appendTxt'], [batch(n), 'deleteTxt']], [1]]),
];

const rows = [];
for (const [label, steps, measured] of scenarios) {
  const rest = await measure('rest', steps, measured);
  const ccp = await measure('ccp', steps, measured);
  const unexpected = Object.keys(rest).filter((k) => !REST_OPS.includes(k));
  if (unexpected.length > 0) throw new Error(`unexpected REST operations: ${unexpected.join(', ')}`);
  rows.push({ label, rest, ccp });
}

const table = [
  `| scenario | REST ${REST_OPS.join(' | ')} | REST total | CCP backend total (${CCP_ACTIONS.join(', ')}) |`,
  `|---|${REST_OPS.map(() => '---:').join('|')}|---:|---:|`,
  ...rows.map(({ label, rest, ccp }) => `| ${label} | ${REST_OPS.map((o) => rest[o] ?? 0).join(' | ')} | ${sum(rest)} | ${sum(ccp)} |`),
].join('\n');

const markdown = `## netcup REST API (CloudDNS): API calls per challenge

\`node scripts/bench-netcup-rest-calls.mjs\` (after \`pnpm build\`): the REST
backend against the REST emulator, and the CCP backend doing the same against
the CCP emulator, in one run. Each "hook process" or "one process" is a fresh
provider instance; the zone apex comes from DNS (SOA), so one \`GET
/domain?fqdn=\` finds the domain. A present lists the domain's challenge
records once per process (what is on the scope before the add), then adds; an
add onto a scope that already held a value is listed again afterwards, to
prove the earlier value is still there. A cleanup is one \`DELETE\` by value.
Goal: a hook process at most 3 calls for a present and 2 for a cleanup; one
lookup per zone in a batch.

${table}

${await machineLine()}`;

writeBenchSection('netcup-rest-api-calls', markdown);
console.log(table);
