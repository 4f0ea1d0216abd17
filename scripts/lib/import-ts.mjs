// Lets a plain-node script (demo, benchmarks) use TypeScript modules of the
// repo, e.g. the e2e harness: bundles the entry with esbuild into .tmp/ and
// imports it. Dependencies (@dns01/* included: built) stay external and load
// from node_modules as usual.
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '../..');

/** Imports a TypeScript module (path relative to the repo root). */
export async function importTs(entry) {
  const dir = join(root, '.tmp');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `${basename(entry, '.ts')}-${process.pid}.mjs`);
  await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // Not the repo's tsconfig: its paths map @dns01/* to sources; here they load built, from node_modules.
    tsconfigRaw: {},
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}
