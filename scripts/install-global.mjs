#!/usr/bin/env node
// pnpm install-global [certbot|acmesh|lego|dehydrated|uacme|all ...] [--prefix DIR]
// From a checkout, before the packages are on the registry: builds, packs the
// dns01 command and the chosen hooks (with every @dns01 package they depend
// on) as scripts/release.mjs packs a release, and installs them globally with
// one `npm install -g`, as the published packages will install
// (docs/install.md). npm fetches the third-party dependencies from its registry.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packAll, publishedPackages } from './release.mjs';

const root = resolve(import.meta.dirname, '..');

function die(message) {
  console.error(`install-global: ${message}`);
  process.exit(1);
}

/** Runs a command with the output shown; stops on failure. */
function step(command, args, options = {}) {
  console.log(`+ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) die(`${command} ${args[0]} failed (exit ${result.status ?? result.signal})`);
}

const packages = publishedPackages();
const byName = new Map(packages.map((p) => [p.pkg.name, p]));
/** The hooks by the name given on the command line: the package directory's first word (certbot-hook -> certbot). */
const hooks = new Map(
  packages.filter(({ pkg }) => pkg.name !== '@dns01/cli' && (pkg.bin || pkg.publishConfig?.bin)).map((p) => [p.dir.split('/').pop().split('-')[0], p]),
);

const { values, positionals } = parseArgs({ options: { prefix: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
if (values.help) {
  console.log(`usage: pnpm install-global [${[...hooks.keys(), 'all'].join('|')} ...] [--prefix DIR]`);
  console.log('Builds and installs the dns01 command and the hooks named, globally (npm install -g; as root for /usr/local).');
  process.exit(0);
}
const unknown = positionals.filter((h) => h !== 'all' && !hooks.has(h));
if (unknown.length > 0) die(`no hook ${unknown.join(', ')}: choose from ${[...hooks.keys(), 'all'].join(', ')}`);
const chosen = positionals.includes('all') ? [...hooks.values()] : positionals.map((h) => hooks.get(h));

/** The packages to install: the CLI, the hooks chosen, and every @dns01 package they depend on (npm takes those from the tarballs). */
const wanted = new Set();
const add = (name) => {
  if (wanted.has(name)) return;
  wanted.add(name);
  for (const dep of Object.keys(byName.get(name).pkg.dependencies ?? {})) if (byName.has(dep)) add(dep);
};
for (const p of [byName.get('@dns01/cli'), ...chosen]) add(p.pkg.name);

step(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root });
const out = mkdtempSync(join(tmpdir(), 'dns01-install-global-'));
try {
  const tarballs = packAll(
    out,
    packages.filter(({ pkg }) => wanted.has(pkg.name)),
  );
  step('npm', ['install', '--global', ...(values.prefix ? ['--prefix', resolve(values.prefix)] : []), '--no-audit', '--no-fund', ...tarballs]);
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(`installed: ${[...wanted].join(', ')}`);
if (chosen.some(({ pkg }) => pkg.name === '@dns01/acmesh-hook')) console.log('next, as the user who runs acme.sh: dns01-acmesh install');
