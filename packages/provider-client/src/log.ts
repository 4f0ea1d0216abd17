import { z } from 'zod';
import { setting, readSettings, type Env } from './config.js';
import { redact, redactValue } from './redact.js';

export const LOG_LEVELS = ['quiet', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'text' | 'json';
type Severity = 'error' | 'warn' | 'info' | 'debug';

export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly level: LogLevel;
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger whose lines carry `scope` (e.g. the provider name). */
  child(scope: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; stderr by default so stdout stays free for results. */
  write?: (line: string) => void;
  scope?: string;
  /** The program named at the start of every text line (default dns01; hooks use their own). */
  name?: string;
  now?: () => Date;
}

const visible: Record<LogLevel, ReadonlySet<Severity>> = {
  quiet: new Set(['error']),
  info: new Set(['error', 'warn', 'info']),
  debug: new Set(['error', 'warn', 'info', 'debug']),
};

function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** Every line, human or JSON, is redacted before it is written. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const format = options.format ?? 'text';
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const scope = options.scope;
  const program = options.name ?? 'dns01';

  const emit = (severity: Severity, message: string, fields: LogFields = {}): void => {
    if (!visible[level].has(severity)) return;
    if (format === 'json') {
      const record = { time: now().toISOString(), level: severity, scope, msg: message, ...fields };
      write(redact(JSON.stringify(redactValue(record))));
      return;
    }
    const prefix = `${program}${scope ? ` ${scope}` : ''}:`;
    const tag = severity === 'info' ? '' : ` ${severity}:`;
    const extra = formatFields(fields);
    write(redact(`${prefix}${tag} ${message}${extra ? ` (${extra})` : ''}`));
  };

  return {
    level,
    error: (m, f) => emit('error', m, f),
    warn: (m, f) => emit('warn', m, f),
    info: (m, f) => emit('info', m, f),
    debug: (m, f) => emit('debug', m, f),
    child: (child) => createLogger({ ...options, scope: scope ? `${scope} ${child}` : child }),
  };
}

export const logSettingSpecs = {
  level: setting<LogLevel>({
    names: ['DNS01_LOG_LEVEL'],
    schema: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
    default: 'info',
    description: 'quiet (errors only), info (progress) or debug (every API call, redacted)',
    docs: { flag: '--quiet / --debug', default: '`info` (`quiet` for `dns01-certbot`)' },
  }),
  format: setting<LogFormat>({
    names: ['DNS01_LOG_FORMAT'],
    schema: z.enum(['text', 'json'], { error: 'must be text or json' }),
    default: 'text',
    description: 'text lines or json (one object per line), on stderr',
    docs: { flag: '--log-json' },
  }),
};

export function loggerFromEnv(env: Env, overrides: LoggerOptions = {}): Logger {
  const s = readSettings(env, logSettingSpecs);
  return createLogger({ level: s.level, format: s.format, ...overrides });
}

/** A logger that drops everything (library default). */
export const silentLogger: Logger = createLogger({ level: 'quiet', write: () => {} });
