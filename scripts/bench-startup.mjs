#!/usr/bin/env node
// What each start-up means would buy the hook executables on Node 20, side by
// side in one run: `dns01 --help` (loading the bundle, no work) as before
// (every zod locale), as shipped (English only), as a CommonJS bundle, as a bundle holding only the netcup provider (what a
// per-provider split or lazily imported providers would load), and through
// vm.Script with a V8 code cache (Node 20 has no module.enableCompileCache).
// The variants are built into a temporary directory; nothing shipped changes.
// Usage: node scripts/bench-startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { machineLine, median, writeBenchSection } from './bench/lib/report.mjs';
import { zodEnglishOnly } from './lib/zod-english-only.mjs';

const root = resolve(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 21);
const dir = mkdtempSync(join(tmpdir(), 'dns01-bench-startup-'));

// The bins end with a top-level await, which CommonJS cannot hold.
const entry = join(root, 'packages/cli/src/bin/.bench-startup-entry.ts');
writeFileSync(entry, readFileSync(join(root, 'packages/cli/src/bin/dns01.ts'), 'utf8').replace(/^await runMain/m, 'void runMain'));
const common = { entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', tsconfig: join(root, 'tsconfig.json'), plugins: [zodEnglishOnly] };
const otherProviders = {
  name: 'netcup-only',
  setup(b) {
    b.onResolve({ filter: /\.\/(mrdomain|xsserver|sourcedesk)\/index\.js$/ }, (a) => ({ path: a.path.split('/')[1], namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, (a) => ({ contents: `export const ${a.path} = {};`, loader: 'js' }));
  },
};
try {
  await build({ ...common, outfile: join(dir, 'all.cjs') });
  await build({ ...common, outfile: join(dir, 'netcup-only.cjs'), plugins: [zodEnglishOnly, otherProviders] });
  // As shipped before: ESM, with every zod locale; and ESM with English only.
  const esm = { ...common, entryPoints: [join(root, 'packages/cli/src/bin/dns01.ts')], format: 'esm', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } };
  await build({ ...esm, plugins: [], outfile: join(dir, 'esm-all-locales.mjs') });
  await build({ ...esm, outfile: join(dir, 'esm-english.mjs') });
} finally {
  rmSync(entry, { force: true });
}

// A loader that compiles the bundle with a V8 code cache made by an earlier run.
// --liftoff-only is set first because runMain sets it and V8 checks the flags.
writeFileSync(
  join(dir, 'cached.cjs'),
  `'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
require('node:v8').setFlagsFromString('--liftoff-only');
const file = __dirname + '/all.cjs';
let cachedData;
try { cachedData = readFileSync(file + '.cache'); } catch {}
const script = new (require('node:vm').Script)(require('node:module').wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
if (!cachedData || script.cachedDataRejected) process.on('exit', () => writeFileSync(file + '.cache', script.createCachedData()));
const m = { exports: {} };
script.runInThisContext()(m.exports, require, m, file, __dirname);
`,
);
// Reports the process's own CPU time, less disturbed by a busy machine than wall time.
writeFileSync(
  join(dir, 'report.cjs'),
  `process.on('exit', () => { const c = process.cpuUsage(); require('node:fs').appendFileSync(process.env.BENCH_REPORT, ((c.user + c.system) / 1000).toFixed(2) + '\\n'); });`,
);

const variants = [
  { name: 'node (empty script, for reference)', args: ['-e', ''] },
  { name: "ESM bundle with every zod locale (as shipped before)", args: [join(dir, 'esm-all-locales.mjs'), '--help'] },
  { name: 'ESM bundle, English only', args: [join(dir, 'esm-english.mjs'), '--help'] },
  { name: 'the bundle as shipped (CommonJS, English only)', args: [join(root, 'packages/cli/dist/bin/dns01.js'), '--help'] },
  { name: 'CommonJS bundle, netcup only (what split or lazy providers would load)', args: [join(dir, 'netcup-only.cjs'), '--help'] },
  { name: 'CommonJS bundle through vm.Script with a V8 code cache', args: [join(dir, 'cached.cjs'), '--help'] },
];
const report = join(dir, 'cpu');
const results = variants.map(() => ({ wall: [], cpu: [] }));
try {
  // Round-robin, so a change in the machine's load hits every variant alike; the first round warms up.
  for (let i = 0; i <= runs; i++) {
    variants.forEach((v, k) => {
      rmSync(report, { force: true });
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, ['-r', join(dir, 'report.cjs'), ...v.args], { env: { PATH: process.env.PATH, BENCH_REPORT: report, ...v.env }, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (r.status !== 0) throw new Error(`${v.name} exited ${r.status}: ${r.stderr}`);
      if (i > 0) {
        results[k].wall.push(ms);
        results[k].cpu.push(Number(readFileSync(report, 'utf8').trim()));
      }
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const base = { wall: median(results[0].wall), cpu: median(results[0].cpu) };
const table = [
  '| variant | wall median | CPU median | CPU over node |',
  '|---|---:|---:|---:|',
  ...variants.map((v, k) => {
    const wall = median(results[k].wall);
    const cpu = median(results[k].cpu);
    return `| ${v.name} | ${Math.round(wall)} ms | ${Math.round(cpu)} ms | ${k === 0 ? '' : `${Math.round(cpu - base.cpu)} ms`} |`;
  }),
].join('\n');

const markdown = `## Start-up: what each means buys (Node 20)

\`node scripts/bench-startup.mjs ${runs}\` (after \`pnpm build\`): \`dns01 --help\` (loading the bundle,
no work), ${runs} runs of each variant, round-robin in one run. The variants are built into a
temporary directory by the script; "CPU" is the process's own user + system time (less disturbed
by a busy machine than wall time).

${table}

A V8 startup snapshot (\`node --build-snapshot\`) of the bundle cannot be made on Node 20: node:http
fails to load in the snapshot builder ("methods.toSorted is not a function").

${await machineLine()}`;

writeBenchSection('startup', markdown);
console.log(table);
