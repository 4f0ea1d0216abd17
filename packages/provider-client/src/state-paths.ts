import { lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the private state directory may be, best first, and whether a path
 * is one. Without any import beyond node's own, so the executables' launcher
 * (packages/cli/src/warm/launcher.ts) can find the warm process's socket
 * without loading the suite.
 *
 * root: /run/dns01, else /var/lib/dns01 (both root-owned parents).
 * others: $XDG_RUNTIME_DIR/dns01, else $XDG_STATE_HOME/dns01, else ~/.local/state/dns01.
 * DNS01_STATE_DIR overrides all of them (tests, unusual set-ups).
 */
export function stateBaseCandidates(env: Record<string, string | undefined>, uid: number | undefined = process.getuid?.()): string[] {
  if (env.DNS01_STATE_DIR) return [env.DNS01_STATE_DIR];
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
