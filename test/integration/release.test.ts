// scripts/release.mjs version: one version for every package, and the
// changelog's "Unreleased" section becomes that version's. Run on a copy of
// the repository's manifests and changelog.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKAGES = readdirSync(join(ROOT, 'packages')).sort();
let copy: string;

beforeEach(() => {
  copy = mkdtempSync(join(tmpdir(), 'dns01-release-'));
  mkdirSync(join(copy, 'scripts'));
  copyFileSync(join(ROOT, 'scripts/release.mjs'), join(copy, 'scripts/release.mjs'));
  for (const name of PACKAGES) {
    mkdirSync(join(copy, 'packages', name), { recursive: true });
    copyFileSync(join(ROOT, 'packages', name, 'package.json'), join(copy, 'packages', name, 'package.json'));
  }
  writeFileSync(join(copy, 'CHANGELOG.md'), '# Changelog\n\nIntro.\n\n## Unreleased\n\n- a new thing\n\n## 0.1.0 (2026-11-01)\n\n- first\n');
});
afterEach(() => rmSync(copy, { recursive: true, force: true }));

const release = (...args: string[]) => spawnSync(process.execPath, [join(copy, 'scripts/release.mjs'), ...args], { encoding: 'utf8' });
const versions = () => PACKAGES.map((n) => JSON.parse(readFileSync(join(copy, 'packages', n, 'package.json'), 'utf8')).version as string);

test('version sets every package and turns Unreleased into the version section', () => {
  const r = release('version', '0.2.0');
  expect(r.status, r.stderr).toBe(0);
  expect(new Set(versions())).toEqual(new Set(['0.2.0']));
  const date = new Date().toISOString().slice(0, 10);
  expect(readFileSync(join(copy, 'CHANGELOG.md'), 'utf8')).toBe(
    `# Changelog\n\nIntro.\n\n## Unreleased\n\n## 0.2.0 (${date})\n\n- a new thing\n\n## 0.1.0 (2026-11-01)\n\n- first\n`,
  );
});

test('refuses an empty Unreleased section, a released version and a malformed one, changing nothing', () => {
  expect(release('version', '0.2.0').status).toBe(0);
  const again = release('version', '0.3.0');
  expect(again.status).toBe(1);
  expect(again.stderr).toMatch(/"## Unreleased" is empty/);
  writeFileSync(join(copy, 'CHANGELOG.md'), '## Unreleased\n\n- more\n\n## 0.2.0 (2026-12-01)\n');
  expect(release('version', '0.2.0').stderr).toMatch(/already has a section for 0\.2\.0/);
  expect(release('version', 'two').stderr).toMatch(/not a semver version/);
  expect(new Set(versions())).toEqual(new Set(['0.2.0']));
});

test('the repository itself: one version everywhere and a changelog with an Unreleased section', () => {
  const all = PACKAGES.map((n) => JSON.parse(readFileSync(join(ROOT, 'packages', n, 'package.json'), 'utf8')).version as string);
  expect(new Set(all).size).toBe(1);
  expect(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')).toMatch(/^## Unreleased$/m);
});
