import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The workspace root, found upwards (from src/e2e or dist/e2e of the test kit alike). */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
  }
}
export const REPO_ROOT = findRepoRoot(import.meta.dirname);
