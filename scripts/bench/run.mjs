#!/usr/bin/env node
// pnpm bench: builds, then runs every benchmark of the manifest
// (scripts/bench/manifest.mjs) whose needs this machine has, one after the
// other, and names those it skipped and those that failed.
//   pnpm bench                       all of them
//   pnpm bench peers nsd             only these (a word that names no benchmark
//                                    exactly selects those whose name contains it)
//   pnpm bench peers --runs 3        options from the first unknown one on go to
//                                    each benchmark (pnpm bench <name> --help lists them)
//   pnpm bench --list                what would run and what would be skipped, and why
//   pnpm bench --no-build            without building first
// Exit status: 0 when every benchmark that ran succeeded (skipped ones
// included), 1 when one failed, 2 for a usage error.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { findCurrentClients } from '../lib/current-clients.mjs';
import { BENCHMARKS } from './manifest.mjs';

const root = resolve(import.meta.dirname, '../..');

/** Needs that are no program on PATH: how to tell, and what to do about it. */
const SPECIAL_NEEDS = {
  root: { met: () => process.getuid?.() === 0, fix: 'run as root' },
  'sid-clients': { met: () => Boolean(findCurrentClients()), fix: 'node scripts/setup.mjs, as root' },
};

function onPath(program) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The needs of `bench` this machine lacks, each with what to do. */
function missingNeeds(bench) {
  return bench.needs
    .filter((need) => !(SPECIAL_NEEDS[need]?.met() ?? onPath(need)))
    .map((need) => (SPECIAL_NEEDS[need] ? `${need} (${SPECIAL_NEEDS[need].fix})` : `${need} (not on PATH)`));
}

/** Filters first; --list and --no-build anywhere; from the first other option on (or after --), the benchmarks' own options. */
function parseCommandLine(argv) {
  const own = new Set(['--list', '--no-build']);
  const dash = argv.indexOf('--');
  const head = dash < 0 ? argv : argv.slice(0, dash);
  const firstOption = head.findIndex((a) => a.startsWith('-') && !own.has(a));
  const filtersEnd = firstOption < 0 ? head.length : firstOption;
  const filters = head.slice(0, filtersEnd).filter((a) => !own.has(a));
  const forward = [...head.slice(filtersEnd).filter((a) => !own.has(a)), ...(dash < 0 ? [] : argv.slice(dash + 1))];
  return { list: head.includes('--list'), build: !head.includes('--no-build'), help: filters.length === 0 && forward[0] === '--help', filters, forward };
}

function select(filters) {
  if (filters.length === 0) return BENCHMARKS;
  const unmatched = [];
  const chosen = new Set();
  for (const word of filters) {
    const exact = BENCHMARKS.filter((b) => b.name === word);
    const matches = exact.length ? exact : BENCHMARKS.filter((b) => b.name.includes(word));
    if (matches.length === 0) unmatched.push(word);
    for (const b of matches) chosen.add(b);
  }
  if (unmatched.length) {
    console.error(`bench: no benchmark named ${unmatched.join(', ')} (the benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')})`);
    process.exit(2);
  }
  return BENCHMARKS.filter((b) => chosen.has(b));
}

const options = parseCommandLine(process.argv.slice(2));
if (options.help) {
  console.log(
    'Usage: pnpm bench [name...] [--list] [--no-build] [benchmark options]\n\n' +
      BENCHMARKS.map(
        (b) =>
          `  ${b.name.padEnd(12)} ${b.about}\n  ${''.padEnd(12)} needs: ${b.needs.join(', ') || 'node only'}; writes docs/benchmarks.md, section ${b.section}`,
      ).join('\n'),
  );
  process.exit(0);
}
const plan = select(options.filters).map((bench) => ({ bench, missing: missingNeeds(bench) }));

if (options.list) {
  for (const { bench, missing } of plan) {
    console.log(`${bench.name}: ${missing.length ? `skipped: missing ${missing.join(', ')}` : 'runs'} (section ${bench.section})`);
  }
  process.exit(0);
}

function step(file, args) {
  console.error(`bench: ${[file === process.execPath ? 'node' : file, ...args].join(' ')}`);
  return spawnSync(file, args, { stdio: 'inherit', cwd: root }).status;
}

const runnable = plan.filter((p) => p.missing.length === 0);
if (options.build && runnable.length > 0 && step('pnpm', ['build']) !== 0) {
  console.error('bench: pnpm build failed; no benchmark ran');
  process.exit(1);
}
const ran = [];
const failed = [];
const skipped = [];
for (const { bench, missing } of plan) {
  if (missing.length) {
    skipped.push(`${bench.name} (missing ${missing.join(', ')})`);
    console.error(`bench: skipped ${bench.name}: missing ${missing.join(', ')}`);
    continue;
  }
  const started = Date.now();
  const status = step(process.execPath, [join(import.meta.dirname, `${bench.name}.mjs`), ...options.forward]);
  const took = `${Math.round((Date.now() - started) / 1000)} s`;
  if (status === 0) ran.push(`${bench.name} (${took})`);
  else failed.push(`${bench.name} (exit ${status ?? 'by signal'} after ${took})`);
}
console.error(
  [
    `bench: ran ${ran.length}${ran.length ? `: ${ran.join(', ')}` : ''}`,
    `bench: skipped ${skipped.length}${skipped.length ? `: ${skipped.join('; ')}` : ''}`,
    ...(failed.length ? [`bench: FAILED ${failed.length}: ${failed.join(', ')}`] : []),
  ].join('\n'),
);
process.exit(failed.length ? 1 : 0);
