// docs/modules.md's module tables against the tree: every module of a folder is listed, and
// nothing listed is missing. A module is a file or a folder directly in it (a folder of the table's own
// is named with a trailing slash, `providers/<name>/` stands for every provider folder).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const MODULES = readFileSync(join(ROOT, 'docs/modules.md'), 'utf8');

/** The module names in the first column of the table under `heading`: every `code span` of the cell. */
function listedModules(heading: string): string[] {
  const start = MODULES.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/modules.md has no heading "${heading}"`);
  const lines = MODULES.slice(start + heading.length + 2).split('\n');
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|')));
  const rows = table
    .slice(
      0,
      table.findIndex((l) => !l.startsWith('|')),
    )
    .slice(2);
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

/** What `name` covers in `dir`: its own entry, or for `providers/<name>/` every folder in providers/. */
function covered(dir: string, name: string): string[] {
  if (name.includes('<name>')) {
    const [parent] = name.split('/<name>');
    return readdirSync(join(dir, parent!), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `${parent}/${e.name}/`);
  }
  return [name];
}

const entry = (dir: string, path: string) => {
  const full = join(dir, path.replace(/\/$/, ''));
  return existsSync(full) && statSync(full).isDirectory() === path.endsWith('/');
};

/** Every file and folder of `dir` (folders with a trailing slash), and those of the subfolders the table lists files of. */
function modulesOf(dir: string, listed: readonly string[]): string[] {
  const own = (sub: string) => readdirSync(join(dir, sub), { withFileTypes: true }).map((e) => `${sub}${e.name}${e.isDirectory() ? '/' : ''}`);
  const opened = new Set(listed.filter((n) => /\/[^/]+\.ts$/.test(n)).map((n) => n.slice(0, n.lastIndexOf('/') + 1)));
  // A folder whose files the table lists one by one (providers/: registry.ts, all.ts) stands for its files,
  // its subfolders for themselves.
  return [...own(''), ...[...opened].flatMap(own)].filter((m) => !opened.has(m));
}

describe.each([
  { heading: '## The core, module by module (`packages/provider-client/src`)', dir: 'packages/provider-client/src' },
  { heading: '### The provider kit, module by module (`packages/provider-client/src/kit`)', dir: 'packages/provider-client/src/kit' },
  { heading: '## The gateway (`packages/gateway/src`)', dir: 'packages/gateway/src' },
])('docs/modules.md: $heading', ({ heading, dir }) => {
  const base = join(ROOT, dir);
  const listed = listedModules(heading);

  it('lists only modules that exist', () => {
    expect(listed.length).toBeGreaterThan(3);
    expect(listed.filter((name) => covered(base, name).every((path) => !entry(base, path)))).toEqual([]);
  });

  it(`lists every module of ${dir}`, () => {
    const named = new Set(listed.flatMap((name) => covered(base, name)));
    expect(modulesOf(base, listed).filter((m) => !named.has(m))).toEqual([]);
  });
});

describe('a backend written on the provider kit', () => {
  const providers = join(ROOT, 'packages/provider-client/src/providers');
  const backends = readdirSync(providers, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) =>
      existsSync(join(providers, e.name, 'provider.ts'))
        ? [`${e.name}/provider.ts`]
        : readdirSync(join(providers, e.name)).map((sub) => `${e.name}/${sub}/provider.ts`),
    )
    .filter((file) => existsSync(join(providers, file)));

  it.each(backends)("%s stays within 150 lines (the shape of lego's Present/CleanUp; the kit does the rest)", (file) => {
    const lines = readFileSync(join(providers, file), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(150);
  });

  it('finds every backend (the five and the gateway relay)', () => {
    expect(backends.sort()).toEqual([
      'gateway/provider.ts',
      'mrdomain/provider.ts',
      'netcup/ccp/provider.ts',
      'netcup/rest/provider.ts',
      'sourcedesk/provider.ts',
      'xsserver/provider.ts',
    ]);
  });
});
