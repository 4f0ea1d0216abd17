#!/usr/bin/env node
// Runs in a package's directory before `pnpm pack` / `pnpm publish`: the
// package ships the repository's LICENSE (one file at the top, copied here and
// ignored by git) and must be built, or the tarball would lack its dist/.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = process.cwd();
const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));
for (const entry of pkg.files ?? []) {
  if (entry.startsWith('!') || existsSync(join(dir, entry))) continue;
  console.error(`${pkg.name}: ${entry} is missing; run 'pnpm build' at the top of the repository first`);
  process.exit(1);
}
