import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import {
  closeHttp,
  createLogger,
  describeError,
  Dns01Error,
  ExitCode,
  InvalidInputError,
  openDnsSession,
  openSession,
  type CallOptions,
  type DnsContext,
  type Env,
  type FlowContext,
  type Logger,
  type PropagationSettings,
  type RecordLedger,
  type ProviderName,
  type Session,
  type WaitStatus,
} from '@dns01/provider-client';
import {
  applyConfigFile,
  cleanupCommand,
  loadConfigFile,
  type LedgerRecord,
  logSettingSpecs,
  onShortSecret,
  readSettings,
  redact,
  redactExcept,
  settingIsSet,
  statusLineSetting,
  type LogFormat,
  type LogLevel,
} from '@dns01/provider-client/internal';
import { createLiveStatus } from './status-line.js';

/**
 * What every dns01 executable shares: the effective environment (config file
 * overridden by the process environment), the logger, cancellation on
 * SIGINT/SIGTERM, the provider session and HTTP agent closed at the end, and
 * one redacted error line with the right exit code.
 */
export interface RunContext {
  /** The executable's name, used as the prefix of the error line. */
  readonly name: string;
  /** Arguments after the executable (process.argv.slice(2) by default). */
  readonly argv: readonly string[];
  /** Config file values overridden by the process environment. */
  readonly env: Env;
  /** The config file that was read, if any. */
  readonly configFile: string | undefined;
  /** Logs to stderr; replaced by `setLogging` (flags win over DNS01_LOG_*). */
  readonly logger: Logger;
  /** Aborted on SIGINT or SIGTERM, so a wait stops and cleans up. */
  readonly signal: AbortSignal;
  setLogging(options: LoggingFlags): void;
  /**
   * A session on the provider of the environment (see openSession), closed
   * when main returns. The provider shares its API session, zones and record
   * ids with the run's other hook processes and the next runs (the run
   * cache): an API session is kept when main returns, until it expires by
   * itself. `shareRun: false` for a call that must talk to the provider
   * itself (`dns01 check`, `zones`, `persist`).
   */
  session(options?: SessionFlags): Session;
  /** A session's flow context for this run: `session(options).flow(ctx.call)`. */
  flow(options?: SessionFlags): FlowContext;
  /** The DNS-only context for this run (`dns01 wait`, `persist check`): no provider, no credentials. */
  dns(options?: Pick<SessionFlags, 'overrides'>): DnsContext;
  /** What every call of this run carries: its signal, logger, status line and record ledger. */
  readonly call: CallOptions;
  /**
   * Writes a result line to stdout, redacted except inside `fields`: the
   * record names, values and zones of the line, which are never secret and
   * which clients parse (a one-letter password must not corrupt them).
   */
  out(text: string, fields?: readonly string[]): void;
  /** Writes lines to stderr as they are (a usage text after a usage error), redacted. */
  err(text: string): void;
  /**
   * The live status line for propagation waits, when this executable shows
   * one (RunOptions.statusLine), stderr is a terminal, the log is human text
   * at info or debug, and DNS01_STATUS_LINE is not 0.
   */
  readonly status: WaitStatus | undefined;
}

export interface SessionFlags {
  provider?: ProviderName;
  overrides?: Partial<PropagationSettings>;
  shareRun?: boolean;
}

export interface LoggingFlags {
  quiet?: boolean;
  debug?: boolean;
  json?: boolean;
}

/** main's return value is the exit code (0 when it returns nothing). */
export type Main = (ctx: RunContext) => Promise<number | void>;

export interface RunOptions {
  argv?: readonly string[];
  /** The process environment before the config file is applied (default process.env). */
  env?: Env;
  /** Where the error line and logs go (default: process.stderr). */
  writeErr?: (line: string) => void;
  writeOut?: (text: string) => void;
  /**
   * The log level when DNS01_LOG_LEVEL is not set (default info). Hooks whose
   * client shows any stderr as a warning (certbot) use quiet.
   */
  defaultLogLevel?: LogLevel;
  /**
   * End the process once main has finished and everything is closed (default
   * true): node would otherwise idle on background work (the HTTP parser's
   * WebAssembly) for tens of milliseconds per hook call. stdout and stderr are
   * synchronous for files and pipes on Linux, so nothing written is lost.
   * false only sets process.exitCode (in-process use).
   */
  exit?: boolean;
  /**
   * Show a live status line while waiting when stderr is a terminal (the
   * dns01 command; not the hooks, whose client owns the terminal).
   */
  statusLine?: boolean;
}

// Set by scripts/build.mjs in every bundled executable, so --version reads no file.
declare const __DNS01_VERSION__: string | undefined;

/**
 * The suite's version (every package carries the same one): baked into the
 * bundles, else read from this package's package.json (library use, tests).
 */
export function suiteVersion(): string {
  if (typeof __DNS01_VERSION__ === 'string') return __DNS01_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** `--version` (or `-V`) alone on the command line: every executable answers it the same way. */
export function isVersionRequest(argv: readonly string[]): boolean {
  return argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
}

/** The one line printed for a failure: `<name>: error: <message>. <hint>`, redacted. */
export function errorLine(name: string, error: unknown): string {
  const text = error instanceof Dns01Error ? error.oneLine : describeError(error);
  return redact(`${name}: error: ${text}`.replace(/\s*\n\s*/g, ' '));
}

/** The exit code an error maps to (node:util parseArgs errors are usage errors). */
export function exitCodeFor(error: unknown): number {
  if (error instanceof Dns01Error) return error.exitCode;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) return ExitCode.usage;
  return ExitCode.failure;
}

/**
 * Runs an executable's main and sets process.exitCode. Never throws. After
 * main, every provider session and the shared HTTP agent are closed so the
 * process exits at once instead of waiting for keep-alive sockets.
 */
export async function runMain(name: string, main: Main, options: RunOptions = {}): Promise<number> {
  // A hook lives for a few hundred milliseconds: optimising the HTTP parser's
  // WebAssembly in the background costs more than it can ever save (measured
  // by scripts/bench/exec.mjs). Set before the first connection compiles it.
  if (options.exit ?? true) setFlagsFromString('--liftoff-only');
  const live = options.statusLine && !options.writeErr && process.stderr.isTTY && process.env.TERM !== 'dumb' ? createLiveStatus(process.stderr) : undefined;
  const writeErr = options.writeErr ?? live?.writeLine ?? ((line: string) => process.stderr.write(`${line}\n`));
  const writeOut = options.writeOut ?? ((text: string) => process.stdout.write(text));
  const argv = options.argv ?? process.argv.slice(2);
  if (isVersionRequest(argv)) {
    writeOut(`${name} ${suiteVersion()}\n`);
    process.exitCode = ExitCode.ok;
    if (options.exit ?? true) process.exit(ExitCode.ok);
    return ExitCode.ok;
  }
  const abort = new AbortController();
  const atStake = new Map<string, LedgerRecord>();
  const ledger: RecordLedger = {
    atStake: (r) => void atStake.set(`${r.name}\n${r.value}`, { ...r }),
    settled: (r) => void atStake.delete(`${r.name}\n${r.value}`),
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) {
      // A second signal: exit now, but never leave a record behind unnamed.
      const left = [...atStake.values()];
      const names = left.map((r) => `TXT ${r.name} "${r.value}"`).join(', ');
      const challenges = left.flatMap((r) => (r.domain === undefined ? [] : [{ domain: r.domain, value: r.value }]));
      const command = challenges.length === left.length ? cleanupCommand(challenges) : undefined;
      const them = left.length === 1 ? 'it' : 'them';
      const what = left.length === 0 ? '' : `; left behind: ${names}; ${command ? `remove ${them} with: ${command}` : `delete ${them} in the provider panel`}`;
      const shown = [...left.flatMap((r) => [r.name, r.value]), ...(command ? [command] : [])];
      writeErr(redactExcept(`${name}: error: interrupted again by ${signal}: exiting at once${what}`, shown));
      process.exit(130);
    }
    abort.abort(new Dns01Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const sessions: Session[] = [];
  let logLevel: LogLevel = 'info';
  let logFormat: LogFormat = 'text';
  let logger: Logger = createLogger({ name, write: writeErr });
  let env: Env = {};
  let configFile: string | undefined;
  let code: number;
  let failure: string | undefined;
  try {
    const processEnv = options.env ?? process.env;
    const file = loadConfigFile(processEnv);
    configFile = file?.path;
    env = applyConfigFile(processEnv, file);
    const fromEnv = readSettings(env, logSettingSpecs);
    const levelSet = settingIsSet(env, logSettingSpecs.level);
    logLevel = levelSet ? fromEnv.level : (options.defaultLogLevel ?? fromEnv.level);
    logFormat = fromEnv.format;
    logger = createLogger({ name, level: logLevel, format: logFormat, write: writeErr });
    onShortSecret((warning) => logger.warn(warning));
    const ctx: RunContext = {
      name,
      argv,
      env,
      configFile,
      get logger() {
        return logger;
      },
      signal: abort.signal,
      setLogging(flags) {
        if (flags.debug) logLevel = 'debug';
        else if (flags.quiet) logLevel = 'quiet';
        if (flags.json) logFormat = 'json';
        logger = createLogger({ name, level: logLevel, format: logFormat, write: writeErr });
      },
      session({ shareRun: share = true, ...options } = {}) {
        const shareRun = share ? { onUnavailable: (error: unknown) => logger.debug(`working without the run cache: ${describeError(error)}`) } : undefined;
        const session = openSession(env, { ...options, logger, signal: abort.signal, shareRun });
        sessions.push(session);
        return session;
      },
      flow(options) {
        return this.session(options).flow(this.call);
      },
      dns(options = {}) {
        return openDnsSession(env, options).flow(this.call);
      },
      get call() {
        return { signal: abort.signal, logger, status: this.status, ledger };
      },
      out(text, fields = []) {
        writeOut(redactExcept(text.endsWith('\n') ? text : `${text}\n`, fields));
      },
      err(text) {
        for (const line of text.replace(/\n$/, '').split('\n')) writeErr(redact(line));
      },
      get status() {
        const wanted = readSettings(env, { on: statusLineSetting }).on && logLevel !== 'quiet' && logFormat === 'text';
        return wanted ? live : undefined;
      },
    };
    logger.debug(`${name} ready`, { startupMs: Math.round(performance.now()), pid: process.pid, configFile: configFile ?? 'none' });
    code = (await main(ctx)) ?? ExitCode.ok;
  } catch (error) {
    code = exitCodeFor(error);
    failure = errorLine(name, error);
  } finally {
    for (const session of sessions) {
      await session.close().catch((e: unknown) => logger.debug(`closing the ${session.definition.name} session failed: ${describeError(e)}`));
    }
    const closing = Date.now();
    await closeHttp().catch(() => undefined);
    logger.debug('closed the HTTP agent', { ms: Date.now() - closing });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    onShortSecret(undefined);
  }
  // The error line comes last, so it is the line a client shows as the hook's result.
  if (failure !== undefined) writeErr(failure);
  process.exitCode = code;
  if (options.exit ?? true) process.exit(code);
  return code;
}

/** Flags every command with options accepts. */
export const loggingOptions = {
  quiet: { type: 'boolean', short: 'q' },
  debug: { type: 'boolean' },
  'log-json': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command line with node:util parseArgs (strict), adding the
 * logging flags and --help. Returns undefined after printing the help text
 * when --help was given. A malformed command line is an InvalidInputError
 * (exit 2) whose hint points at --help and at `--` for values that start with "-".
 */
export function parseCommandLine<O extends Options>(
  ctx: RunContext,
  args: readonly string[],
  spec: { options: O; usage: string; command: string },
): { values: ReturnType<typeof parseArgs<{ options: O & typeof loggingOptions; allowPositionals: true }>>['values']; positionals: string[] } | undefined {
  const options = { ...spec.options, ...loggingOptions } as O & typeof loggingOptions;
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    // node's own advice about '--' follows the first sentence; the hint says it shorter.
    const message = (error as Error).message.split(/\.\s|\n/)[0] ?? 'invalid arguments';
    throw new InvalidInputError(message.replace(/\.$/, ''), {
      hint: `Run '${spec.command} --help'; put -- before arguments that start with "-"`,
    });
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    ctx.out(spec.usage.trimEnd());
    return undefined;
  }
  ctx.setLogging({ quiet: values.quiet === true, debug: values.debug === true, json: values['log-json'] === true });
  return { values: parsed.values, positionals: parsed.positionals };
}
