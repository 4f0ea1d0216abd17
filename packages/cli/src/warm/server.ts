import { chmodSync, statSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { clearSecrets, ensurePrivateDir } from '@dns01/provider-client/internal';
import { runMain, type Interrupts, type Main, type RunOptions } from '../runtime.js';
import { jsonLines, startingMarker, WARM_IDLE_MS, WARM_SERVE_VARIABLE, type WarmInterrupt, type WarmReply, type WarmRequest } from './socket.js';

/**
 * An executable's entry point: runs its main, or, started by the launcher
 * with DNS01_WARM_SERVE, serves calls as its warm process.
 */
export function runExecutable(name: string, main: Main, options: RunOptions = {}): void {
  const socketPath = process.env[WARM_SERVE_VARIABLE];
  if (socketPath) void serveWarm(name, main, options, socketPath);
  else void runMain(name, main, options);
}

function isRequest(value: unknown): value is WarmRequest {
  const r = value as Partial<WarmRequest> | null;
  return (
    typeof r === 'object' && r !== null && Array.isArray(r.argv) && r.argv.every((a) => typeof a === 'string') &&
    typeof r.env === 'object' && r.env !== null && typeof r.cwd === 'string'
  );
}

/** Is a process listening on `path`? */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * The warm process: one call at a time, each run by runMain exactly as the
 * executable would run it (its argv, environment and working directory, the
 * output and the exit code sent back to the launcher), then idle until the
 * next; ends WARM_IDLE_MS after the last call. A call that arrives while
 * another runs (a wait can take minutes) is answered "busy" and the launcher
 * runs it itself. Nothing is kept between calls beyond what any process of a
 * run shares through the run cache; a call never sees another's environment
 * or secrets.
 */
async function serveWarm(name: string, main: Main, options: RunOptions, socketPath: string): Promise<void> {
  // Short-lived calls: V8's optimising compiler would only compete for the CPU.
  setFlagsFromString('--liftoff-only');
  const unmark = () => {
    try {
      unlinkSync(startingMarker(socketPath));
    } catch {
      // a stale marker another launcher replaced
    }
  };
  process.once('exit', unmark);
  try {
    ensurePrivateDir(dirname(dirname(socketPath)));
    ensurePrivateDir(dirname(socketPath));
    if (await answers(socketPath)) return; // another warm process was quicker
    unlinkSync(socketPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') process.exit(0);
  }
  let busy = false;
  let ours: number | undefined;
  let idle: NodeJS.Timeout | undefined;
  const server = createServer();
  const stop = () => {
    server.close();
    try {
      if (statSync(socketPath).ino === ours) unlinkSync(socketPath);
    } catch {
      // gone already
    }
    process.exit(0);
  };
  const idleAgain = () => {
    clearTimeout(idle);
    idle = setTimeout(stop, WARM_IDLE_MS);
  };

  server.on('connection', (conn: Socket) => {
    const send = (reply: WarmReply) => {
      if (!conn.destroyed) conn.write(`${JSON.stringify(reply)}\n`);
    };
    if (busy) {
      send({ busy: true });
      conn.end();
      return;
    }
    busy = true;
    clearTimeout(idle);
    const listeners = new Set<(signal: NodeJS.Signals) => void>();
    let request: WarmRequest | undefined;
    const interrupt = (signal: NodeJS.Signals) => listeners.forEach((listener) => listener(signal));
    conn.on(
      'data',
      jsonLines((message) => {
        if (request === undefined) {
          request = message as WarmRequest;
          if (!isRequest(request)) {
            conn.destroy();
            return;
          }
          void serve(request);
        } else if (typeof (message as WarmInterrupt).signal === 'string') {
          interrupt((message as WarmInterrupt).signal);
        }
      }),
    );
    let finished = false;
    // A launcher gone mid-call (killed): the call stops as on SIGTERM, cleaning up what it created.
    conn.on('close', () => {
      if (!finished) interrupt('SIGTERM');
    });
    conn.on('error', () => undefined);

    const interrupts: Interrupts = {
      on(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      exitNow(code) {
        send({ exit: code });
        conn.end();
      },
    };
    const serve = async ({ argv, env, cwd }: WarmRequest) => {
      try {
        process.chdir(cwd);
      } catch {
        send({ busy: true }); // the launcher runs it where its directory is
        conn.end();
        finished = true;
        busy = false;
        idleAgain();
        return;
      }
      // Secrets are registered as each call reads them: none of an earlier call's stays (nor its warnings).
      clearSecrets();
      const code = await runMain(name, main, {
        ...options,
        argv,
        env,
        writeOut: (text) => send({ out: text }),
        writeErr: (line) => send({ err: line }),
        exit: false,
        statusLine: false,
        interrupts,
      });
      clearSecrets();
      finished = true;
      send({ exit: code });
      conn.end();
      process.exitCode = 0;
      process.chdir('/');
      busy = false;
      idleAgain();
    };
  });
  server.on('error', () => process.exit(0));
  server.listen(socketPath, () => {
    chmodSync(socketPath, 0o600);
    ours = statSync(socketPath).ino;
    // Its socket removed or replaced (the state directory deleted, a test's end): nobody can reach it any more.
    setInterval(() => {
      if (!busy && statSync(socketPath, { throwIfNoEntry: false })?.ino !== ours) stop();
    }, 1000).unref();
    unmark();
    idleAgain();
  });
}
