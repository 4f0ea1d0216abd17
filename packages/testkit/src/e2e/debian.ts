import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Debian package that provides each program the e2e tests run. */
export const DEBIAN_PACKAGES = {
  pebble: 'pebble',
  certbot: 'certbot',
  lego: 'lego',
  dehydrated: 'dehydrated',
  uacme: 'uacme',
  openssl: 'openssl',
  curl: 'curl',
  'update-ca-certificates': 'ca-certificates',
  nsd: 'nsd',
  'nsd-control': 'nsd',
} as const;
export type Program = keyof typeof DEBIAN_PACKAGES;

function onPath(program: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** The exact command that installs the packages (what .ci/run does). */
export function aptGetCommand(packages: readonly string[]): string {
  return `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/**
 * Throws (failing the test, never skipping it) when a program is missing,
 * with the command that installs its package.
 */
export function requirePrograms(...programs: Program[]): void {
  const missing = programs.filter((p) => !onPath(p));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((p) => DEBIAN_PACKAGES[p]))];
  throw new Error(`missing ${missing.join(', ')} (Debian package ${packages.join(', ')}). Install with: ${aptGetCommand(packages)}`);
}
