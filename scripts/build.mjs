#!/usr/bin/env node
// Builds every package: typed ESM (tsc -b, declarations included) and, for
// each "bin" in a package.json, one bundled executable (esbuild) so that a hook
// starts fast and needs nothing beside node.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const packagesDir = join(root, 'packages');
const packages = readdirSync(packagesDir)
  .map((dir) => ({ dir: join(packagesDir, dir), pkg: JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) }))
  .filter(({ dir }) => existsSync(join(dir, 'tsconfig.build.json')));

const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-b', ...packages.map(({ dir }) => join(dir, 'tsconfig.build.json'))],
  { stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// Bundled ESM needs `require` for the CommonJS dependencies it inlines.
const banner = [
  '#!/usr/bin/env node',
  "import { createRequire as __dns01CreateRequire } from 'node:module';",
  'const require = __dns01CreateRequire(import.meta.url);',
].join('\n');

const jobs = [];
for (const { dir, pkg } of packages) {
  for (const [name, out] of Object.entries(pkg.bin ?? {})) {
    const entry = join(dir, 'src/bin', `${name}.ts`);
    const outfile = join(dir, out);
    jobs.push(
      build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        banner: { js: banner },
        // --version without reading a file (see suiteVersion in packages/cli/src/runtime.ts).
        define: { __DNS01_VERSION__: JSON.stringify(pkg.version) },
        legalComments: 'none',
        logLevel: 'warning',
        tsconfig: join(root, 'tsconfig.json'),
      }).then(() => chmodSync(outfile, 0o755)),
    );
  }
  for (const extra of pkg.dns01Build?.cjs ?? []) {
    jobs.push(
      build({
        entryPoints: [join(dir, extra.entry)],
        outfile: join(dir, extra.out),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        external: extra.external ?? [],
        logLevel: 'warning',
        tsconfig: join(root, 'tsconfig.json'),
      }).then(() => {
        // `require` consumers get the same declarations as a .d.cts, so TypeScript
        // does not take the CommonJS entry for an ES module.
        if (extra.types) copyFileSync(join(dir, extra.types), join(dir, extra.types.replace(/\.d\.ts$/, '.d.cts')));
      }),
    );
  }
}
await Promise.all(jobs);
console.log(`built ${packages.length} packages, ${jobs.length} bundles`);
