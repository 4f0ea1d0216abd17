// Docs a stranger reads (issue 26): the README starts with how to use dns01,
// and no page runs over 2,000 words unless it is a reference table (named below).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const MAX_WORDS = 2000;
/** Pages allowed over the limit: the reference tables, and only those. */
const OVER_THE_LIMIT = new Set([
  'docs/configuration.md', // reference: every setting
  'docs/security.md', // reference: threat, defence, test
  'docs/benchmarks.md', // reference: the measurements
  'docs/modules.md', // reference: every package and module, checked against the tree
]);

function pages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? pages(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

test('the README opens with "Use it": its first section, before the developers\'', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
  expect(sections[0]).toMatch(/^Use it/);
  expect(sections.indexOf('Develop')).toBeGreaterThan(0);
});

test(`no page of docs/ or the README over ${MAX_WORDS} words, but the reference tables`, () => {
  const over = [join(ROOT, 'README.md'), ...pages(join(ROOT, 'docs'))]
    .map((path) => ({ page: relative(ROOT, path), words: words(readFileSync(path, 'utf8')) }))
    .filter((p) => p.words > MAX_WORDS && !OVER_THE_LIMIT.has(p.page));
  expect(over).toEqual([]);
});
