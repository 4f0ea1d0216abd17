#!/usr/bin/env node
// API calls per issuance: every provider (netcup's two APIs apart) by every
// way a client calls our executables, each with the run cache and without
// it. One run presents every challenge of N names in one zone (the apex, its
// wildcard, hosts below), then cleans each up, in the order and with the
// arguments the client uses; the built executables run as processes, as the
// client starts them, against the provider's emulator; every request is
// counted there and sorted into session, zone lookup, record read and write.
//   pnpm bench api-calls [--names 10] [--filter netcup]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestWorld } from '@dns01/testkit';
import { hookExecutable, run, explain } from '@dns01/testkit/e2e';
import { benchArgs } from './lib/args.mjs';
import { machineLine, publish } from './lib/report.mjs';

const args = benchArgs('api-calls', {
  names: { default: [10], help: 'names per certificate (one row set per size)' },
  filter: { default: '', help: 'only the rows whose "provider client" contains this (e.g. netcup-rest, lego)' },
});
const root = resolve(import.meta.dirname, '../..');
const ACMESH_HARNESS = resolve(root, 'packages/acmesh-hook/test/acmesh-harness.sh');
const ZONE = 'example.com';

/** How each provider's requests sort: session (log in/out), zone (which zone, which domain id), read (list records), write (add, delete). */
const KIND_OF = {
  netcup: (r) =>
    ({ login: 'session', logout: 'session', infoDnsZone: 'zone', infoDnsRecords: 'read', updateDnsRecords: 'write' })[/"action":"(\w+)"/.exec(r.body)?.[1]],
  'netcup-rest': (r) => (r.method !== 'GET' ? 'write' : /\/domain(\?|$)/.test(r.url) ? 'zone' : 'read'),
  xsserver: (r) => (r.method !== 'GET' ? 'write' : /\/dns(\?|$)/.test(r.url) ? 'read' : 'zone'),
  mrdomain: (r) => (/\/service\/dns(create|delete)\b/.test(r.url) ? 'write' : /\/service\/dns/.test(r.url) ? 'read' : 'zone'),
  sourcedesk: (r) => ({ list: 'zone', show: 'read', add: 'write', delete: 'write' })[/\/dns\/(\w+)/.exec(r.url)?.[1]],
};
const KINDS = ['session', 'zone', 'read', 'write'];
/** Each row's world: the provider, and emulator options (netcup's limit counted, not enforced; REST: only the REST key, so only the REST API). */
const PROVIDERS = {
  netcup: { provider: 'netcup', emulator: { requestsPerMinute: 1_000_000 } },
  'netcup-rest': { provider: 'netcup', emulator: { rest: { legacyCredentials: false } } },
  xsserver: { provider: 'xsserver' },
  mrdomain: { provider: 'mrdomain' },
  sourcedesk: { provider: 'sourcedesk' },
};

/** The certificate's names: the apex, its wildcard (a second value at the same name), then hosts. */
const certificateNames = (n) => [ZONE, `*.${ZONE}`, ...Array.from({ length: n }, (_, i) => `h${i + 1}.${ZONE}`)].slice(0, n);
const base = (name) => name.replace(/^\*\./, '');
const value = (i) => Buffer.from(`api-calls-bench-value-${i}`.padEnd(32, '.')).toString('base64url');

async function node(name, argv, env) {
  const r = await run(process.execPath, [hookExecutable(name), ...argv], { env, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(explain(r));
}
const eachName = async (names, call) => {
  for (const [i, d] of names.entries()) await call(d, i);
};

/** Each way a client calls our executables: present every challenge, then clean each up. */
const CLIENTS = {
  'acme.sh (dns_dns01_*, one process per add and rm)': async (names, env, provider) => {
    const hook = resolve(root, `packages/acmesh-hook/dnsapi/dns_dns01_${provider}.sh`);
    const r = await run('sh', [ACMESH_HARNESS, hook, ...names.map((d, i) => `${d}=${value(i)}`)], {
      env: { ...env, DNS01_CLI: hookExecutable('dns01'), HARNESS_ACCOUNT_CONF: join(env.HOME, 'account.conf') },
      timeoutMs: 180_000,
    });
    if (r.code !== 0) throw new Error(explain(r));
  },
  'certbot (dns01-certbot: the last auth creates all, the first cleanup deletes all)': async (names, env) => {
    const certbot = (d, i) => ({
      ...env,
      CERTBOT_DOMAIN: base(d),
      CERTBOT_VALIDATION: value(i),
      CERTBOT_ALL_DOMAINS: names.join(','),
      CERTBOT_REMAINING_CHALLENGES: String(names.length - 1 - i),
    });
    await eachName(names, (d, i) => node('dns01-certbot', ['auth'], certbot(d, i)));
    await eachName(names, (d, i) => node('dns01-certbot', ['cleanup'], certbot(d, i)));
  },
  'lego (exec + dns01-lego, one process per call)': async (names, env) => {
    await eachName(names, (d, i) => node('dns01-lego', ['present', `_acme-challenge.${base(d)}.`, value(i)], env));
    await eachName(names, (d, i) => node('dns01-lego', ['cleanup', `_acme-challenge.${base(d)}.`, value(i)], env));
  },
  'dehydrated (HOOK_CHAIN=no)': async (names, env) => {
    await eachName(names, (d, i) => node('dns01-dehydrated', ['deploy_challenge', base(d), 'token', value(i)], env));
    await eachName(names, (d, i) => node('dns01-dehydrated', ['clean_challenge', base(d), 'token', value(i)], env));
    await node('dns01-dehydrated', ['exit_hook'], env);
  },
  'dehydrated (HOOK_CHAIN=yes: one call for all names)': async (names, env) => {
    const triples = names.flatMap((d, i) => [base(d), 'token', value(i)]);
    await node('dns01-dehydrated', ['deploy_challenge', ...triples], env);
    await node('dns01-dehydrated', ['clean_challenge', ...triples], env);
    await node('dns01-dehydrated', ['exit_hook'], env);
  },
  'uacme (dns01-uacme: begin and done per name)': async (names, env) => {
    await eachName(names, async (d, i) => {
      await node('dns01-uacme', ['begin', 'dns-01', base(d), 'token', value(i)], env);
      await node('dns01-uacme', ['done', 'dns-01', base(d), 'token', value(i)], env);
    });
  },
  'dns01 CLI (`present` and `cleanup` with every name at once)': async (names, env) => {
    const pairs = names.flatMap((d, i) => [base(d), value(i)]);
    await node('dns01', ['present', ...pairs], env);
    await node('dns01', ['cleanup', ...pairs], env);
  },
};

/** One run of `client` on a fresh world of `provider`: the requests by kind. */
async function measure(provider, client, names, runCache) {
  const { provider: name, emulator } = PROVIDERS[provider];
  const world = await startTestWorld({ provider: name, zones: [ZONE], ...(emulator ? { emulator } : {}) });
  const home = mkdtempSync(join(tmpdir(), 'dns01-bench-calls-'));
  try {
    const env = { PATH: process.env.PATH, HOME: home, DNS01_LOG_LEVEL: 'quiet', ...world.env, DNS01_RUN_CACHE: runCache ? '1' : '0' };
    await CLIENTS[client](names, env, name);
    const left = [...new Set(names.map(base))].flatMap((d) => world.txt(`_acme-challenge.${d}`));
    if (left.length) throw new Error(`${client} on ${provider} left ${left.length} record(s) behind`);
    // A world with netcup's REST API runs the CCP emulator beside it: each server's requests sort by its own API.
    const servers = [
      [world.emulator.server, name],
      [world.emulator.rest?.server, 'netcup-rest'],
    ].filter(([server]) => server);
    const kinds = Object.fromEntries(KINDS.map((k) => [k, 0]));
    let total = 0;
    for (const [server, api] of servers) {
      for (const r of server.requests) {
        const kind = KIND_OF[api](r);
        if (!kind) throw new Error(`${api}: cannot sort the request ${r.method} ${r.url}`);
        kinds[kind] += 1;
        total += 1;
      }
    }
    return { total, kinds };
  } finally {
    rmSync(home, { recursive: true, force: true });
    await world.close();
  }
}

const rows = [];
for (const n of args.values.names) {
  const names = certificateNames(n);
  for (const provider of Object.keys(PROVIDERS)) {
    for (const client of Object.keys(CLIENTS)) {
      if (!`${provider} ${client}`.includes(args.values.filter)) continue;
      const alone = await measure(provider, client, names, false);
      const cached = await measure(provider, client, names, true);
      rows.push({ n, provider, client, alone, cached });
      console.error(`${n} names, ${provider}, ${client}: ${alone.total} -> ${cached.total}`);
    }
  }
}
if (rows.length === 0) throw new Error(`--filter ${args.values.filter}: no row matches`);

const per = (calls, n) => `${calls} (${(calls / n).toFixed(1)})`;
const kinds = (m) => KINDS.map((k) => m.kinds[k]).join(' / ');
const table = [
  '| provider | client (how it calls our executables) | names | calls (per challenge), each process alone | with the run cache | alone: session / zone / read / write | cached: session / zone / read / write |',
  '|---|---|---:|---:|---:|---|---|',
  ...rows.map(
    ({ n, provider, client, alone, cached }) =>
      `| ${provider} | ${client} | ${n} | ${per(alone.total, n)} | ${per(cached.total, n)} | ${kinds(alone)} | ${kinds(cached)} |`,
  ),
].join('\n');

const markdown = `## API calls per issuance: provider × client × run cache

\`${args.command}\`: one issuance of N names in one zone (${ZONE}, \`*.${ZONE}\`, h1.${ZONE}, …: the
wildcard puts a second value at the apex's name), present every challenge, then clean each up, in
the order and with the arguments each client uses; the built executables started as processes, as
the client starts them, against each provider's emulator (no API latency: counts do not depend on
it); every request counted at the emulator and sorted: **session** (netcup's login and logout),
**zone** (which zone or domain id holds the name), **read** (listing records), **write** (add,
delete). netcup is the CCP API (customer number, API key and password), netcup-rest the REST API
alone (only \`NETCUP_REST_API_KEY\`). acme.sh runs through the package's harness
(packages/acmesh-hook/test/acmesh-harness.sh: acme.sh's own variables, each add and rm in a
subshell). "Alone" (\`DNS01_RUN_CACHE=0\`): every process logs in, finds the zone and logs out
itself. "With the run cache": the processes of a run share the netcup session, the zones found and
the ids of the records created (0600 files in the private state directory); the zone is the apex
the DNS names (the first add proves it) and the netcup session is kept for the next run instead of
logged out (netcup ends it after 15 idle minutes).

Targets (issue 17): on netcup at most 2 calls per challenge once a session exists (one add, one
delete; the rest is the run's one login); acme.sh with our hook at most half the calls of acme.sh's
own dns_netcup, which makes 7.0 per challenge (the peers section measures both side by side).
netcup locks an account out after about 180 requests a minute.

${table}

${await machineLine()}`;

publish(args, 'api-calls', markdown);
