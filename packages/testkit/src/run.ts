import { spawn } from 'node:child_process';

export interface RunResult {
  /** Exit code; null when the process was killed. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The whole environment of the child (nothing is inherited). */
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Killed with SIGKILL after this long (default 30 s). */
  timeoutMs?: number;
}

/**
 * Runs a command as a separate process without blocking the event loop, so
 * the emulators and the DNS server of the same test process keep answering.
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** Runs a built executable (a .js file) with the node running the tests. */
export function runNode(script: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return runProcess(process.execPath, [script, ...args], options);
}
