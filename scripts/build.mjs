#!/usr/bin/env node
// Builds every package: typed ESM (tsc -b, declarations included) and, for
// each "bin" in a package.json, one bundled executable (esbuild) so that a hook
// starts fast and needs nothing beside node.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { undiciWithoutHttp2 } from './lib/undici-without-http2.mjs';
import { zodEnglishOnly } from './lib/zod-english-only.mjs';
import { lazyPromClient, PROM_CLIENT_BUNDLE } from './lib/lazy-prom-client.mjs';

const root = resolve(import.meta.dirname, '..');
const packagesDir = join(root, 'packages');
const packages = readdirSync(packagesDir)
  .map((dir) => ({ dir: join(packagesDir, dir), pkg: JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) }))
  .filter(({ dir }) => existsSync(join(dir, 'tsconfig.build.json')));

const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', ...packages.map(({ dir }) => join(dir, 'tsconfig.build.json'))], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// The executables are CommonJS bundles (about 10 ms less start-up than ESM on
// Node 20: docs/benchmarks.md, "Start-up"); dist/bin/package.json says so to
// node, since the packages themselves are ESM. runMain never rejects, so the
// bins need no top-level await.
// Each executable is one self-contained file: a small loader
// (packages/provider-client/src/compile-cache.ts) that turns node's compile
// cache on where node has one, then the bundle, kept in a comment so that node
// does not compile it before the loader has run.
const banner = '#!/usr/bin/env node';
const { BUNDLE_MARK, COMMENT_END, COMMENT_END_ESCAPED } = await import(pathToFileURL(join(packagesDir, 'provider-client/dist/compile-cache.js')).href);
/** What every bundle is: one CommonJS file for node 20, no legal comments, in memory (written only when changed). */
const bundleBasics = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', legalComments: 'none', logLevel: 'warning', write: false };
const common = {
  ...bundleBasics,
  tsconfig: join(root, 'tsconfig.json'),
};
const loader = build({
  ...common,
  stdin: {
    contents: "import { runEmbeddedBundle } from './compile-cache.js';\nrunEmbeddedBundle(__filename, module);\n",
    resolveDir: join(packagesDir, 'provider-client/src'),
    loader: 'ts',
  },
}).then((r) => r.outputFiles[0].text);

/**
 * Writes `text` to `file` unless it already holds it, through a new file renamed
 * over it: a build beside running tests (pnpm install-global in the install
 * test) never leaves an executable half written or rewrites one unchanged.
 */
function writeIfChanged(file, text, mode) {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return chmodSync(file, mode);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, file);
}

/** The executable: the loader, then the bundle in a comment (its comment ends escaped). */
async function writeExecutable(outfile, bundled) {
  const bundle = bundled.outputFiles[0].text;
  for (const mark of [BUNDLE_MARK, COMMENT_END_ESCAPED]) if (bundle.includes(mark)) throw new Error(`${outfile}: the bundle holds ${JSON.stringify(mark)}`);
  writeIfChanged(outfile, `${banner}\n${await loader}${BUNDLE_MARK}${bundle.replaceAll(COMMENT_END, COMMENT_END_ESCAPED)}${COMMENT_END}\n`, 0o755);
}

const jobs = [];
for (const { dir, pkg } of packages) {
  // The built executables are declared in publishConfig.bin, which pnpm pack puts in the packed manifest: in the
  // workspace no package links another's executable before it is built (a fresh clone's pnpm install warned).
  for (const [name, out] of Object.entries({ ...pkg.bin, ...pkg.publishConfig?.bin })) {
    const entry = join(dir, 'src/bin', `${name}.ts`);
    const outfile = join(dir, out);
    mkdirSync(dirname(outfile), { recursive: true });
    writeIfChanged(join(dirname(outfile), 'package.json'), '{ "type": "commonjs" }\n', 0o644);
    // A bundle beside the bin, left by a build of the warm-process launcher, must not be packed.
    rmSync(outfile.replace(/\.js$/, '.bundle.js'), { force: true });
    jobs.push(
      build({
        ...common,
        entryPoints: [entry],
        // --version without reading a file (see suiteVersion in packages/cli/src/runtime.ts); so the
        // bundle never reaches its package.json fallback, whose import.meta (empty in CommonJS) esbuild would warn about.
        define: { __DNS01_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': 'undefined' },
        plugins: [zodEnglishOnly, undiciWithoutHttp2, lazyPromClient],
        outfile,
        metafile: true,
      }).then(async (result) => {
        await writeExecutable(outfile, result);
        // The gateway's metrics are in this executable: prom-client goes beside it, in a bundle of its own.
        const lazy = Object.values(result.metafile.outputs).some((o) => o.imports.some((i) => i.path === `./${PROM_CLIENT_BUNDLE}`));
        if (!lazy) return undefined;
        return build({
          entryPoints: [createRequire(join(packagesDir, 'gateway/package.json')).resolve('prom-client')],
          outfile: join(dirname(outfile), PROM_CLIENT_BUNDLE),
          ...bundleBasics,
        }).then((r) => writeIfChanged(join(dirname(outfile), PROM_CLIENT_BUNDLE), r.outputFiles[0].text, 0o644));
      }),
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
