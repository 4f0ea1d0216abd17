import { statSync } from 'node:fs';
import { join } from 'node:path';
import { isPrivateDir, stateBaseCandidates } from '@dns01/provider-client/state-paths';

/** Set in the warm process's environment: the socket it serves. */
export const WARM_SERVE_VARIABLE = 'DNS01_WARM_SERVE';

/** A warm process ends this long after its last call: longer than a CA takes to validate a run's names between its adds and its removals. */
export const WARM_IDLE_MS = 60_000;

/** A warm process that has not listened this long after its start was made failed: another may start. */
export const STARTING_STALE_MS = 10_000;

/** Made by the launcher that starts a warm process, removed by that process once it listens. */
export const startingMarker = (socketPath: string) => `${socketPath}.starting`;

/** Linux's limit for a socket path is 107 bytes; a longer one is not used. */
const MAX_SOCKET_PATH = 100;

export interface WarmSocket {
  /** The private state directory it lives in, and its `warm` subdirectory. */
  base: string;
  dir: string;
  path: string;
}

/**
 * The socket of the warm process for one executable: in the private state
 * directory, named by the executable, its bundle (size and time, so an
 * upgrade never talks to a process of the old code) and node's version.
 * Undefined when the path would be too long.
 */
export function warmSocket(env: Record<string, string | undefined>, name: string, bundle: string): WarmSocket | undefined {
  const candidates = stateBaseCandidates(env);
  const base = candidates.find((dir) => isPrivateDir(dir)) ?? candidates[0]!;
  const dir = join(base, 'warm');
  const st = statSync(bundle);
  const id = `${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}-${process.version.replace(/[^0-9.]/g, '')}`;
  const path = join(dir, `${name}-${id}.sock`);
  return path.length > MAX_SOCKET_PATH ? undefined : { base, dir, path };
}

/** What the launcher sends, first line of a connection. */
export interface WarmRequest {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
}

/** What the warm process sends back, one JSON object per line. */
export type WarmReply = { busy: true } | { out: string } | { err: string } | { exit: number };

/** Later lines from the launcher: an interrupt it received. */
export interface WarmInterrupt {
  signal: NodeJS.Signals;
}

/** Splits a stream's chunks into lines and parses each as JSON; a line that is not JSON is skipped. */
export function jsonLines(onMessage: (message: unknown) => void): (chunk: Buffer | string) => void {
  let buffered = '';
  return (chunk) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line === '') continue;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        continue;
      }
      onMessage(message);
    }
  };
}
