#!/usr/bin/env node
// Start-up of the hook executables, on this node (Node 20 here) and on Node 24
// (the sid chroot of scripts/lib/current-clients.mjs, when it is set up), side
// by side: what loading the bundle costs (`dns01 --help`, no work), what a
// later hook call of a run costs (`dns01 present --no-wait` against the netcup
// emulator, session and zone in the run cache: one API call), with and
// without node's compile cache, and what other means of cutting start-up
// would buy (the bundle alone with the cache from the start, one provider's
// code only, node:http2 left in, the ESM bundles shipped before). The variants
// are built into a temporary directory; nothing shipped changes.
//   pnpm bench startup [--runs 21] [--skip-node24]
// Inside the chroot it runs itself as `startup.mjs --measure <dir> <runs>`, which prints one node's figures as JSON.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchArgs } from './lib/args.mjs';
import { machineLine, median, publish } from './lib/report.mjs';
import { zodEnglishOnly } from '../lib/zod-english-only.mjs';

const root = resolve(import.meta.dirname, '../..');
const SHIPPED = join(root, 'packages/cli/dist/bin/dns01.js');
const version = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')).version;
const present = (value) => ['present', '--no-wait', 'example.com', value];

/**
 * The rows. `file` is in the variants' directory unless absolute. `cache`: a
 * compile-cache row (Node >= 22.1; "n/a" before): the shipped executable with
 * the private state directory existing, or a variant with a cache directory
 * of its own (BENCH_CACHE, or NODE_COMPILE_CACHE when `viaEnv`). `noCache`:
 * the shipped executable with node's compile cache off.
 */
const ROWS = [
  { name: 'node (empty script, for reference)', args: () => ['-e', ''] },
  { name: 'dns01 --help as shipped, compile cache on (Node >= 22.1, the state directory exists)', file: SHIPPED, args: () => ['--help'], cache: true },
  {
    name: 'dns01 --help as shipped, no compile cache (Node 20; NODE_DISABLE_COMPILE_CACHE=1 on Node 24)',
    file: SHIPPED,
    args: () => ['--help'],
    noCache: true,
  },
  { name: '… the bundle alone, without the loader (as before)', file: 'bundle.cjs', args: () => ['--help'] },
  { name: '… the bundle alone, module.enableCompileCache() called first in it', file: 'entry-cache.cjs', args: () => ['--help'], cache: true },
  {
    name: "… the bundle alone in Node's compile cache from the start (NODE_COMPILE_CACHE, which only the user can set)",
    file: 'bundle.cjs',
    args: () => ['--help'],
    cache: true,
    viaEnv: true,
  },
  {
    name: "… the bundle alone, netcup's provider only (what loading only the named provider's code would load)",
    file: 'netcup-only.cjs',
    args: () => ['--help'],
  },
  { name: '… the bundle alone with node:http2 (as built before)', file: 'with-http2.cjs', args: () => ['--help'] },
  { name: '… ESM with every zod locale (as shipped before issue 17)', file: 'esm-all-locales.mjs', args: () => ['--help'] },
  { name: '… ESM, English only', file: 'esm-english.mjs', args: () => ['--help'] },
  { name: 'dns01 present --no-wait as shipped, compile cache on: a later hook call of a run', file: SHIPPED, args: present, world: true, cache: true },
  { name: '… no compile cache (Node 20; NODE_DISABLE_COMPILE_CACHE=1 on Node 24)', file: SHIPPED, args: present, world: true, noCache: true },
  { name: '… the bundle alone, without the loader (as before)', file: 'bundle.cjs', args: present, world: true },
];

async function buildVariants(dir) {
  const { build } = await import('esbuild');
  const { undiciWithoutHttp2 } = await import('../lib/undici-without-http2.mjs');
  const common = {
    entryPoints: [join(root, 'packages/cli/src/bin/dns01.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    define: { __DNS01_VERSION__: JSON.stringify(version) },
    legalComments: 'none',
    logLevel: 'error',
    tsconfig: join(root, 'tsconfig.json'),
    plugins: [zodEnglishOnly, undiciWithoutHttp2],
  };
  const otherProviders = {
    name: 'netcup-only',
    setup(b) {
      b.onResolve({ filter: /\.\/(mrdomain|xsserver|sourcedesk)\/index\.js$/ }, (a) => ({ path: a.path.split('/')[1], namespace: 'absent' }));
      b.onLoad({ filter: /.*/, namespace: 'absent' }, (a) => ({ contents: `export const ${a.path} = {};`, loader: 'js' }));
    },
  };
  const esm = { ...common, format: 'esm', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } };
  await Promise.all([
    build({ ...common, outfile: join(dir, 'bundle.cjs') }),
    build({ ...common, outfile: join(dir, 'netcup-only.cjs'), plugins: [...common.plugins, otherProviders] }),
    build({ ...common, outfile: join(dir, 'with-http2.cjs'), plugins: [zodEnglishOnly] }),
    build({ ...esm, plugins: [], outfile: join(dir, 'esm-all-locales.mjs') }),
    build({ ...esm, plugins: [zodEnglishOnly], outfile: join(dir, 'esm-english.mjs') }),
  ]);
  writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  writeFileSync(
    join(dir, 'entry-cache.cjs'),
    `require('node:module').enableCompileCache?.(process.env.BENCH_CACHE);\n${readFileSync(join(dir, 'bundle.cjs'), 'utf8')}`,
  );
  // The process's own CPU time (user + system), less disturbed by a busy machine than wall time.
  writeFileSync(
    join(dir, 'report.cjs'),
    `process.on('exit', () => { const c = process.cpuUsage(); require('node:fs').appendFileSync(process.env.BENCH_REPORT, ((c.user + c.system) / 1000).toFixed(2) + '\\n'); });`,
  );
}

/** Runs every row `runs` times, round-robin after one warm-up round, on this node; wall and CPU medians per row (null: not measurable here). */
async function measure(dir, runs) {
  const hasCache = typeof (await import('node:module')).enableCompileCache === 'function';
  const { startTestWorld } = await import('@dns01/testkit');
  // netcup's rate limit (180 requests/minute) would lock the benchmark's account out.
  const world = await startTestWorld({ provider: 'netcup', emulator: { requestsPerMinute: 1_000_000 } });
  const work = mkdtempSync(join(dir, `measure-${process.versions.node}-`));
  const report = join(work, 'cpu');
  // The shipped executable's compile cache is in the state directory, which exists from the start.
  const state = join(work, 'state');
  mkdirSync(state, { mode: 0o700 });
  const rows = ROWS.map((row, k) => {
    const file = row.file && (row.file.startsWith('/') ? row.file : join(dir, row.file));
    const env = { PATH: process.env.PATH, HOME: '/nonexistent', DNS01_LOG_LEVEL: 'quiet', BENCH_REPORT: report };
    if (row.world) Object.assign(env, world.env);
    Object.assign(env, { DNS01_STATE_DIR: state });
    if (row.noCache) env.NODE_DISABLE_COMPILE_CACHE = '1';
    if (row.cache && file !== SHIPPED) {
      const cacheDir = join(work, `cache-${k}`);
      mkdirSync(cacheDir, { mode: 0o700 });
      Object.assign(env, row.viaEnv ? { NODE_COMPILE_CACHE: cacheDir } : { BENCH_CACHE: cacheDir });
    }
    return { row, file, env, wall: [], cpu: [] };
  });
  const run = ({ file, row, env }, value) =>
    new Promise((done, fail) => {
      rmSync(report, { force: true });
      const started = process.hrtime.bigint();
      const child = spawn(process.execPath, ['-r', join(dir, 'report.cjs'), ...(file ? [file] : []), ...row.args(value)], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('error', fail);
      child.on('close', (code) => {
        const wall = Number(process.hrtime.bigint() - started) / 1e6;
        if (code !== 0) fail(new Error(`${row.name} exited ${code}: ${stderr.trim()}`));
        else done({ wall, cpu: Number(readFileSync(report, 'utf8').trim()) });
      });
    });
  try {
    for (let i = 0; i <= runs; i++) {
      for (const [k, r] of rows.entries()) {
        if (r.row.cache && !hasCache) continue;
        const measured = await run(r, `bench-${i}-${k}`);
        if (i > 0) {
          r.wall.push(measured.wall);
          r.cpu.push(measured.cpu);
        }
        const zone = world.store.zoneFor('_acme-challenge.example.com');
        const added = world.store.records(zone, { name: '_acme-challenge.example.com', type: 'TXT' }).map((rec) => rec.id);
        if (added.length) world.store.remove(zone, added);
      }
    }
  } finally {
    await world.close();
  }
  return { node: process.version, rows: rows.map((r) => (r.wall.length === 0 ? null : { wall: median(r.wall), cpu: median(r.cpu) })) };
}

if (process.argv[2] === '--measure') {
  console.log(JSON.stringify(await measure(process.argv[3], Number(process.argv[4]))));
  process.exit(0);
}

const args = benchArgs('startup', {
  runs: { default: 21, help: 'rounds after the warm-up round, on each node' },
  'skip-node24': { default: false, help: 'this node only (Node 24 runs in the sid chroot, which needs root and node scripts/setup.mjs)' },
});
const runs = args.values.runs;
const withNode24 = !args.values.skipNode24;
if (!existsSync(SHIPPED)) throw new Error('run pnpm build first');
const dir = mkdtempSync(join(tmpdir(), 'dns01-bench-startup-'));
const columns = [];
try {
  await buildVariants(dir);
  columns.push(await measure(dir, runs));
  if (withNode24) {
    const { chrootCommand, findCurrentClients } = await import('../lib/current-clients.mjs');
    const clients = findCurrentClients();
    if (!clients) throw new Error('Node 24 is in the sid chroot, which is not set up: run, as root, `node scripts/setup.mjs` (or pass --skip-node24)');
    const [file, chrootArgs] = chrootCommand(clients, ['node', import.meta.filename, '--measure', dir, String(runs)]);
    const inside = spawnSync(file, chrootArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
    if (inside.status !== 0) throw new Error(`the Node 24 run in the sid chroot failed (exit ${inside.status})`);
    columns.push(JSON.parse(inside.stdout.trim().split('\n').at(-1)));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const ms = (n) => `${Math.round(n)} ms`;
const cell = (c, k) => (c.rows[k] ? `${ms(c.rows[k].wall)} / ${ms(c.rows[k].cpu)}` : 'n/a');
const overNode = (c, k) => (c.rows[k] && k > 0 ? `+${Math.round(c.rows[k].cpu - c.rows[0].cpu)}` : '');
const table = [
  `| variant | ${columns.map((c) => `Node ${c.node}: wall / CPU | CPU over node`).join(' | ')} |`,
  `|---|${columns.map(() => '---:|---:').join('|')}|`,
  ...ROWS.map((row, k) => `| ${row.name} | ${columns.map((c) => `${cell(c, k)} | ${overNode(c, k)}`).join(' | ')} |`),
].join('\n');

const markdown = `## Start-up (Node 20 and Node 24)

\`${args.command}\` (Node 24 runs in the sid chroot that \`node scripts/setup.mjs\` makes, as
root): each row ${runs} times after one warm-up round,
round-robin, first on this node, then on Node 24. Medians of wall time and of the process's own
CPU time (user + system: less disturbed by a busy machine than wall time). "CPU over node" is
what the row costs beyond node's own start-up. The present rows are a later hook call of a run:
\`dns01 present --no-wait\` against the netcup emulator on loopback with the session and the zone
in the run cache (one API call, no SOA walk). The compile-cache rows need Node >= 22.1 ("n/a"
before) and each keeps its cache in a private directory of its own, filled by the warm-up round.
The variants are built into a temporary directory by the script; only the rows "as shipped" are
what users run.

${table}

How to read it:
- Each executable is one file: a loader of about 15 KB, then the bundle in a comment
  (scripts/build.mjs). On Node >= 22.1 the loader turns node's compile cache on in the private
  state directory (\`compile-cache/\`; only when the state directory exists already, never a
  shared path), then compiles the bundle: the rows "compile cache on" against "no compile cache".
  Reading and scanning its own file is what the loader costs ("no compile cache" against "the
  bundle alone").
- \`module.enableCompileCache()\` called in the bundle itself caches nothing that matters: node
  has compiled the bundle before its first line runs, and nothing is loaded after it. The most a
  compile cache can do is the \`NODE_COMPILE_CACHE\` row (the bundle compiled from the cache from
  the start), which only the user can set.
- Loading only the named provider's code would save what the netcup-only row shows against "the
  bundle alone" (not done: the provider registry is being rewritten). node:http2, which undici
  loads for an HTTP/2 client the suite never enables, is left out of the bundles
  (scripts/lib/undici-without-http2.mjs): "with node:http2" shows what that saves.
- What remains of a call is node's own start-up and evaluating undici and zod: small beside the
  seconds a run waits for DNS ("Side by side with the peers").

Until issue 25 a warm process per executable took the later calls of a run (its figures:
"History", below).

${await machineLine()}`;

publish(args, 'startup', markdown);
