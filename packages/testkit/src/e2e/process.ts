import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellWords } from '@dns01/provider-client/internal';

export { shellWords };

/** What a finished command left behind. */
export interface RunResult {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** stdout and stderr together, for assertions that look at "any output". */
  readonly output: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Killed (with its whole process group) after this long. */
  timeoutMs: number;
  input?: string;
}

const running = new Set<ChildProcess>();

/** Kills a process and everything it started (each child leads its own group). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Stops every process this module started that still runs: for afterAll and process exit. */
export function killAll(): void {
  for (const child of running) killGroup(child);
  running.clear();
}
process.once('exit', killAll);

/**
 * Runs a command to completion, bounded in time, capturing its output. Never
 * throws for a non-zero exit: the caller asserts on the result.
 */
export function run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const command = shellWords([file, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`cannot start ${command}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({
        command,
        code,
        signal,
        stdout,
        stderr,
        timedOut,
        get output() {
          return `${stdout}\n${stderr}`;
        },
      });
    });
  });
}

/** Formats a result for an assertion message: the command, how it ended, the tail of its output. */
export function explain(result: RunResult, tail = 4000): string {
  const how = result.timedOut ? 'timed out' : result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
  const out = result.output.trim();
  return `${result.command}: ${how}\n${out.length > tail ? `…${out.slice(-tail)}` : out}`;
}

/**
 * Every running process (pid and command line), this one aside, whose
 * command line or environment names `path`: after a run, a path only the
 * test's own processes name shows whether any of them outlived it.
 */
export function processesNaming(path: string): string[] {
  const read = (pid: string, file: string) => {
    try {
      return readFileSync(join('/proc', pid, file), 'utf8');
    } catch {
      return ''; // gone, or not ours to read
    }
  };
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid) && Number(pid) !== process.pid)
    .filter((pid) => read(pid, 'cmdline').includes(path) || read(pid, 'environ').includes(path))
    .map((pid) => `${pid}: ${read(pid, 'cmdline').replace(/\0/g, ' ')}`);
}

/** A long-running process (a server): its output so far and a way to stop it. */
export interface Daemon {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts a server process; resolves once `ready(outputSoFar)` is true, rejects if it exits or takes too long. */
export function startDaemon(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; readyTimeoutMs: number; ready: (output: string) => boolean },
): Promise<Daemon> {
  const command = shellWords([file, ...args]);
  const child = spawn(file, args, { env: options.env ?? process.env, cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const daemon: Daemon = {
    child,
    output: () => output,
    async stop() {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child), 3000);
      await exited;
      clearTimeout(timer);
      running.delete(child);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void daemon.stop();
      reject(new Error(`${command} not ready after ${options.readyTimeoutMs} ms:\n${output}`));
    }, options.readyTimeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      if (options.ready(output)) {
        clearTimeout(timer);
        resolve(daemon);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`cannot start ${command}: ${error.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`${command} exited (${code}) before it was ready:\n${output}`));
    });
  });
}
