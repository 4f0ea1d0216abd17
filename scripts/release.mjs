#!/usr/bin/env node
// The release flow: every package carries the same version.
//   node scripts/release.mjs version <x.y.z>   set it everywhere; CHANGELOG.md's "Unreleased" becomes "<x.y.z> (date)"
//   node scripts/release.mjs pack [--out DIR]  one tarball per published package (default ./release), workspace deps resolved
//   node scripts/release.mjs check             same version everywhere, no workspace: left in a tarball's manifest
// Publishing is then `npm publish <tarball>` for each (docs/install.md#releasing).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const changelogPath = join(root, 'CHANGELOG.md');
const UNRELEASED = '## Unreleased';

/** Every package of the workspace, published or not, in a stable order. */
export function workspacePackages() {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const path = join(dir, name, 'package.json');
      return { dir: join(dir, name), path, pkg: JSON.parse(readFileSync(path, 'utf8')) };
    });
}

export const publishedPackages = () => workspacePackages().filter(({ pkg }) => !pkg.private);

function die(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

/** The changelog with its Unreleased section turned into the version's, and a new empty Unreleased above it. */
export function releaseChangelog(text, version, date) {
  const start = text.indexOf(`${UNRELEASED}\n`);
  if (start < 0) throw new Error(`CHANGELOG.md has no "${UNRELEASED}" section`);
  const bodyStart = start + UNRELEASED.length + 1;
  const next = text.indexOf('\n## ', bodyStart);
  const body = text.slice(bodyStart, next < 0 ? undefined : next + 1).trim();
  if (body === '') throw new Error(`CHANGELOG.md: "${UNRELEASED}" is empty; write down what changed first`);
  if (text.includes(`\n## ${version} `)) throw new Error(`CHANGELOG.md already has a section for ${version}`);
  const rest = next < 0 ? '' : text.slice(next + 1);
  return `${text.slice(0, start)}${UNRELEASED}\n\n## ${version} (${date})\n\n${body}\n\n${rest}`.replace(/\n{3,}/g, '\n\n');
}

function setVersion(version) {
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) die(`"${version}" is not a semver version (x.y.z)`);
  const date = new Date().toISOString().slice(0, 10);
  let changelog;
  try {
    changelog = releaseChangelog(readFileSync(changelogPath, 'utf8'), version, date);
  } catch (error) {
    die(error.message);
  }
  for (const { path, pkg } of workspacePackages()) {
    pkg.version = version;
    writeFileSync(path, `${JSON.stringify(pkg, null, 2)}\n`);
  }
  writeFileSync(changelogPath, changelog);
  console.log(`every package is now ${version}; CHANGELOG.md has its section.`);
  console.log(`next: pnpm install && pnpm test && git commit -am "release ${version}" && git tag v${version}`);
  console.log('then: node scripts/release.mjs pack && for t in release/*.tgz; do npm publish "$t"; done');
}

/** Packs every published package (or those given) into `out` with pnpm (which resolves workspace:*); returns the tarball paths. */
export function packAll(out, packages = publishedPackages()) {
  mkdirSync(out, { recursive: true });
  const tarballs = [];
  for (const { dir, pkg } of packages) {
    const result = spawnSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) die(`pnpm pack of ${pkg.name} failed:\n${result.stderr}${result.stdout}`);
    const file = result.stdout.trim().split('\n').pop();
    tarballs.push(resolve(out, file.split('/').pop()));
  }
  return tarballs;
}

/** The package.json inside a tarball. */
export function tarballManifest(tarball) {
  const result = spawnSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot read package.json in ${tarball}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function check(out) {
  const versions = new Set(workspacePackages().map(({ pkg }) => pkg.version));
  if (versions.size !== 1) die(`the packages carry different versions: ${[...versions].join(', ')}`);
  for (const tarball of packAll(out)) {
    const manifest = tarballManifest(tarball);
    const deps = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
    const left = Object.entries(deps).filter(([, range]) => String(range).startsWith('workspace:'));
    if (left.length > 0) die(`${tarball}: unresolved ${left.map(([n, r]) => `${n}@${r}`).join(', ')}`);
    console.log(`${tarball.split('/').pop()}: ok`);
  }
}

if (process.argv[1] === import.meta.filename) {
  const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
  const out = resolve(values.out ?? join(root, 'release'));
  const [command, arg] = positionals;
  if (command === 'version' && arg) setVersion(arg);
  else if (command === 'pack') for (const tarball of packAll(out)) console.log(tarball);
  else if (command === 'check') check(out);
  else die('usage: node scripts/release.mjs version <x.y.z> | pack [--out DIR] | check [--out DIR]');
}
