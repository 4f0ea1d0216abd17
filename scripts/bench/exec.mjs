#!/usr/bin/env node
// Median wall time of one `present` without waiting, per executable, each run
// as its own process against the netcup emulator on loopback: the overhead an
// ACME client pays per hook call.
// Target: <= 2 x node.
//   pnpm bench exec [--runs 21]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startTestWorld } from '@dns01/testkit';
import { benchArgs } from './lib/args.mjs';
import { machineLine, median, publish } from './lib/report.mjs';

const root = resolve(import.meta.dirname, '../..');
const args = benchArgs('exec', { runs: { default: 21, help: 'rounds after the warm-up round' } });
const runs = args.values.runs;
/** A hook call may take at most this many times `node` running an empty script, measured in the same run. */
const TARGET_RATIO = 2;

/** Each executable with the arguments and variables of one present that does not wait. */
const DNS01 = 'packages/cli/dist/bin/dns01.js';
const present = (v) => ['present', '--no-wait', 'example.com', v];
const executables = [
  { name: 'node (empty script, for reference)', file: null, args: () => ['-e', ''] },
  { name: 'dns01 --help (loads the bundle, no work)', file: DNS01, args: () => ['--help'] },
  {
    name: "dns01 present --no-wait, DNS01_RUN_CACHE=0 (as a run's first call: login, zone lookup, add, logout)",
    file: DNS01,
    args: present,
    env: () => ({ DNS01_RUN_CACHE: '0' }),
  },
  { name: 'dns01 present --no-wait (a later call of a run: session and zone cached, one add)', file: DNS01, args: present, judged: true },
  {
    name: 'dns01-certbot auth (not the last challenge: no API call)',
    file: 'packages/certbot-hook/dist/bin/dns01-certbot.js',
    args: () => ['auth'],
    env: (v) => ({
      CERTBOT_DOMAIN: 'example.com',
      CERTBOT_VALIDATION: v,
      CERTBOT_ALL_DOMAINS: 'example.com,bench.example.com',
      CERTBOT_REMAINING_CHALLENGES: '1',
    }),
    judged: true,
  },
  {
    name: 'dns01-lego present (DNS01_WAIT=0)',
    file: 'packages/lego-exec/dist/bin/dns01-lego.js',
    args: (v) => ['present', '_acme-challenge.example.com.', v],
    env: () => ({ DNS01_WAIT: '0' }),
    judged: true,
  },
  {
    name: 'dns01-dehydrated deploy_challenge (DNS01_WAIT=0)',
    file: 'packages/dehydrated-hook/dist/bin/dns01-dehydrated.js',
    args: (v) => ['deploy_challenge', 'example.com', 'token', v],
    env: () => ({ DNS01_WAIT: '0' }),
    judged: true,
  },
  {
    name: 'dns01-uacme begin (DNS01_WAIT=0)',
    file: 'packages/uacme-hook/dist/bin/dns01-uacme.js',
    args: (v) => ['begin', 'dns-01', 'example.com', 'token', v],
    env: () => ({ DNS01_WAIT: '0' }),
    judged: true,
  },
];

function run(args, env) {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', fail);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) fail(new Error(`${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      else done(ms);
    });
  });
}

// netcup's rate limit (180 requests/minute) would lock the benchmark's account out.
const world = await startTestWorld({ provider: 'netcup', emulator: { requestsPerMinute: 1_000_000 } });
const { mkdtempSync, rmSync } = await import('node:fs');
const { tmpdir } = await import('node:os');
const state = mkdtempSync(resolve(tmpdir(), 'dns01-bench-'));
const rows = [];
try {
  // The run cache lives in the benchmark's own state directory; the warm-up run fills it.
  const baseEnv = { PATH: process.env.PATH, HOME: '/nonexistent', DNS01_LOG_LEVEL: 'quiet', ...world.env, DNS01_STATE_DIR: state };
  const present = executables.map((exe) => ({ exe, file: exe.file && resolve(root, exe.file), times: [] }));
  const runnable = present.filter((p) => !p.file || existsSync(p.file));
  // Round-robin, so a change in the machine's load hits every executable alike; round 0 warms up.
  for (let i = 0; i < runs + 1; i++) {
    for (const p of runnable) {
      const value = `bench-${i}-${Math.random().toString(36).slice(2, 10)}`;
      const ms = await run(p.file ? [p.file, ...p.exe.args(value)] : p.exe.args(value), { ...baseEnv, ...p.exe.env?.(value) });
      if (i > 0) p.times.push(ms);
      const zone = world.store.zoneFor('_acme-challenge.example.com');
      const ours = world.store.records(zone, { name: '_acme-challenge.example.com', type: 'TXT' }).map((r) => r.id);
      if (ours.length) world.store.remove(zone, ours);
    }
  }
  for (const { exe, times } of present) {
    rows.push(
      times.length === 0
        ? { name: exe.name, missing: true }
        : { name: exe.name, judged: exe.judged, median: median(times), min: Math.min(...times), max: Math.max(...times) },
    );
  }
} finally {
  rmSync(state, { recursive: true, force: true });
  await world.close();
}

const fmt = (n) => `${Math.round(n)} ms`;
const nodeMedian = rows[0].median;
const table = [
  '| executable | median | min | max | × node | target (≤ 2 × node) |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => {
    if (r.missing) return `| ${r.name} | not built | | | | |`;
    const ratio = r.median / nodeMedian;
    const judged = !r.judged ? '' : ratio <= TARGET_RATIO ? 'met' : 'not met';
    return `| ${r.name} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${ratio.toFixed(1)} | ${judged} |`;
  }),
].join('\n');
const markdown = `## Executable overhead (\`present\` without waiting)

Wall time of one hook call as its own process against the netcup emulator on
loopback, ${runs} rounds after one warm-up round, each round running every
executable once (so a change in the machine's load hits all alike); the record
is removed between runs. Target (issue 17): median at most ${TARGET_RATIO} ×
\`node\` running an empty script in the same run.
Reproduce: \`${args.command}\`.

${table}

The target applies to a hook call of a run, the rows marked. The warm-up round
left the netcup session and the zone in the run cache (the benchmark's own state
directory), so a later call makes one API call (updateDnsRecords) and no SOA
walk. What a call spends beyond that is loading the bundle (the \`--help\` row):
what each means of cutting it buys is in "Start-up" below. Runs on a busy
machine vary widely: compare rows within one run, never across runs. The
certbot row is an auth call that is not the run's last: it only notes the
challenge.

${await machineLine()}`;
publish(args, 'exec-overhead', markdown);
