import { lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { readSettings, setting } from './config.js';

export const stateDirSetting = setting<string | undefined>({
  names: ['DNS01_STATE_DIR'],
  schema: z.string(),
  default: undefined,
  description:
    'the private directory for state that outlives one process (certbot runs, host-wide locks, the run cache): mode 0700, files 0600, never a shared predictable path; a directory that is a symlink, foreign or open to others is refused and the next candidate is used; when none is usable, exit 3 naming the path',
  docs: {
    default: 'root: `/run/dns01`, else `/var/lib/dns01`; others: `$XDG_RUNTIME_DIR/dns01`, else `$XDG_STATE_HOME/dns01`, else `~/.local/state/dns01`',
  },
});

/**
 * Where the private state directory may be, best first, and whether a path
 * is one.
 *
 * root: /run/dns01, else /var/lib/dns01 (both root-owned parents).
 * others: $XDG_RUNTIME_DIR/dns01, else $XDG_STATE_HOME/dns01, else ~/.local/state/dns01.
 * DNS01_STATE_DIR overrides all of them (tests, unusual set-ups).
 */
export function stateBaseCandidates(env: Record<string, string | undefined>, uid: number | undefined = process.getuid?.()): string[] {
  const explicit = readSettings(env, { dir: stateDirSetting }).dir;
  if (explicit !== undefined) return [explicit];
  if (uid === 0) return ['/run/dns01', '/var/lib/dns01'];
  const out: string[] = [];
  if (env.XDG_RUNTIME_DIR) out.push(join(env.XDG_RUNTIME_DIR, 'dns01'));
  if (env.XDG_STATE_HOME) out.push(join(env.XDG_STATE_HOME, 'dns01'));
  out.push(join(env.HOME || homedir(), '.local', 'state', 'dns01'));
  return out;
}

/** A directory (not a symlink) of this user that nobody else may enter; false when it does not exist. */
export function isPrivateDir(path: string, uid: number | undefined = process.getuid?.()): boolean {
  try {
    const st = lstatSync(path);
    return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}
