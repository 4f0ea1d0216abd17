import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { isPrivateDir } from '@dns01/provider-client/state-paths';
import { jsonLines, STARTING_STALE_MS, startingMarker, WARM_SERVE_VARIABLE, warmSocket, type WarmReply, type WarmRequest } from './socket.js';

/**
 * What every executable's file in dist/bin/ is (scripts/build.mjs builds it
 * once per executable, naming its bundle): node's start-up plus this file,
 * then the call handed to the executable's warm process, which has the
 * bundle (zod, undici, the providers) loaded already. The first call of a
 * run finds none: it starts one in the background and runs the bundle
 * itself, as do calls while the warm process is busy with another, calls
 * in a terminal, and DNS01_WARM=0. docs/architecture.md, "Warm process".
 */
declare const __DNS01_NAME__: string;
declare const __DNS01_BUNDLE__: string;

const bundle = join(__dirname, __DNS01_BUNDLE__);
const env = process.env;

function runHere(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is CommonJS, loaded into this very process
  require(bundle);
}

/**
 * Starts the warm process in the background (its own session, no terminal,
 * only PATH from this environment), unless one is starting already: the
 * marker file, made exclusively, keeps the calls of a quick run from
 * starting one each while the first still loads.
 */
function startWarm(socketPath: string): void {
  const marker = startingMarker(socketPath);
  try {
    if (Date.now() - statSync(marker).mtimeMs < STARTING_STALE_MS) return;
    unlinkSync(marker);
  } catch {
    // no marker: nobody is starting one
  }
  try {
    closeSync(openSync(marker, 'wx', 0o600));
    spawn(process.execPath, [bundle], { detached: true, stdio: 'ignore', cwd: '/', env: { PATH: env.PATH ?? '', [WARM_SERVE_VARIABLE]: socketPath } }).unref();
  } catch {
    // the call runs here either way
  }
}

function viaWarm(): void {
  let socket;
  try {
    socket = warmSocket(env, __DNS01_NAME__, bundle);
  } catch {
    socket = undefined;
  }
  if (!socket) return runHere();
  // The request carries the environment, credentials included: only ever to a socket in a private directory of this user.
  if (!isPrivateDir(socket.base) || !isPrivateDir(socket.dir)) {
    try {
      mkdirSync(socket.dir, { recursive: true, mode: 0o700 });
    } catch {
      // checked next
    }
    if (isPrivateDir(socket.base) && isPrivateDir(socket.dir)) startWarm(socket.path);
    return runHere();
  }
  const path = socket.path;
  const conn = connect(path);
  let answered = false;
  let settled = false;
  const forward = (signal: NodeJS.Signals) => conn.write(`${JSON.stringify({ signal })}\n`);
  const fallBack = (start: boolean) => {
    if (settled) return;
    settled = true;
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    conn.destroy();
    if (start) startWarm(path);
    runHere();
  };
  conn.on('connect', () => {
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const request: WarmRequest = { argv: process.argv.slice(2), env, cwd: process.cwd() };
    conn.write(`${JSON.stringify(request)}\n`);
  });
  conn.on(
    'data',
    jsonLines((message) => {
      const reply = message as WarmReply;
      if ('busy' in reply) return fallBack(false);
      answered = true;
      if ('out' in reply) process.stdout.write(reply.out);
      else if ('err' in reply) process.stderr.write(`${reply.err}\n`);
      else if ('exit' in reply) {
        settled = true;
        process.exit(reply.exit);
      }
    }),
  );
  // No warm process (yet), or it went away before answering: run here. Once it has
  // answered, the call may be half done: say so rather than run it twice.
  conn.on('error', () => undefined);
  conn.on('close', () => {
    if (settled) return;
    if (!answered) return fallBack(true);
    settled = true;
    process.stderr.write(`${__DNS01_NAME__}: error: the warm ${__DNS01_NAME__} process stopped during the call; run it again (DNS01_WARM=0 runs without it)\n`);
    process.exit(1);
  });
}

// `dns01 serve` is a long-lived server of its own: never handed to a warm process.
if (env.DNS01_WARM === '0' || env[WARM_SERVE_VARIABLE] || process.stderr.isTTY || process.argv[2] === 'serve') runHere();
else viaWarm();
