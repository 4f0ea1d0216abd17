#!/usr/bin/env node
// Runs every benchmark (scripts/bench-*.mjs) on the built packages; each one
// writes its own section of docs/benchmarks.md.
//   pnpm bench                 all of them
//   pnpm bench propagation     only those whose name contains "propagation"
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = resolve(import.meta.dirname);
const filter = process.argv[2];
const scripts = readdirSync(dir)
  .filter((f) => /^bench-.+\.mjs$/.test(f) && (!filter || f.includes(filter)))
  .sort();

const step = (cmd, args) => {
  console.error(`bench: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: resolve(dir, '..') });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

step('pnpm', ['build']);
for (const script of scripts) step(process.execPath, [join(dir, script)]);
console.error(`bench: ${scripts.length} benchmarks written to docs/benchmarks.md`);
