import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

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

/** A process started by startProcess: its output so far, what it shows, and its end. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** What it wrote so far. */
  readonly stdout: string;
  readonly stderr: string;
  /**
   * Resolves once its stderr shows `pattern` (a test waits for this instead of
   * sleeping); rejects when the process ends first. The test's timeout bounds the wait.
   */
  stderrShows(pattern: string | RegExp): Promise<void>;
  /** Its end: status, signal and all it wrote. */
  readonly done: Promise<RunResult>;
}

/**
 * Starts a command as a separate process without blocking the event loop, so
 * the emulators and the DNS server of the same test process keep answering.
 */
export function startProcess(command: string, args: readonly string[], options: RunOptions): RunningProcess {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const output = new EventEmitter<{ stderr: [] }>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    output.emit('stderr');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
  const shows = (pattern: string | RegExp) => (typeof pattern === 'string' ? stderr.includes(pattern) : pattern.test(stderr));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    stderrShows: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (shows(pattern)) return resolve();
        const check = () => {
          if (!shows(pattern)) return;
          output.off('stderr', check);
          resolve();
        };
        output.on('stderr', check);
        done.then(
          (end) =>
            shows(pattern)
              ? resolve()
              : reject(new Error(`the process ended (status ${end.status}, signal ${end.signal}) before its stderr showed ${String(pattern)}: ${stderr}`)),
          reject,
        );
      }),
    done,
  };
}

/** Runs a command as a separate process to its end (startProcess). */
export function runProcess(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return startProcess(command, args, options).done;
}

/** Runs a built executable (a .js file) with the node running the tests. */
export function runNode(script: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return runProcess(process.execPath, [script, ...args], options);
}

/** Starts a built executable (a .js file) with the node running the tests (startProcess). */
export function startNode(script: string, args: readonly string[], options: RunOptions): RunningProcess {
  return startProcess(process.execPath, [script, ...args], options);
}
