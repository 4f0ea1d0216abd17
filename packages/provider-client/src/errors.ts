import { redact } from './redact.js';

/**
 * Exit codes shared by every executable: the one table every help text, hook
 * and doc renders from (`pnpm generate`). Changing a code is a breaking change
 * for scripts that test them.
 */
export const EXIT_CODES = [
  { code: 0, name: 'ok', error: undefined, meaning: 'success', cause: '', fix: '' },
  {
    code: 1,
    name: 'failure',
    error: undefined,
    meaning: 'other failure',
    cause: 'an unexpected error; interrupted',
    fix: 'read the error line; rerun with `--debug` / `DNS01_LOG_LEVEL=debug`',
  },
  {
    code: 2,
    name: 'usage',
    error: 'InvalidInputError',
    meaning: 'usage',
    cause: 'unknown command or option, odd number of `<domain> <value>` arguments, malformed flag value or domain name',
    fix: '`dns01 <command> --help`',
  },
  {
    code: 3,
    name: 'config',
    error: 'ConfigError',
    meaning: 'configuration',
    cause: 'a required variable is missing or malformed, config file readable by others, hook run outside its client',
    fix: 'the message names the variable or file',
  },
  {
    code: 4,
    name: 'auth',
    error: 'AuthenticationError',
    meaning: 'authentication',
    cause: 'the provider refused the credentials, or the account is locked/IP not allowed',
    fix: 'check the credentials; `dns01 check`',
  },
  {
    code: 5,
    name: 'zoneNotFound',
    error: 'ZoneNotFoundError',
    meaning: 'zone not found',
    cause: 'no zone of the account holds the name',
    fix: '`dns01 check <domain>`; is the domain in this account and using its nameservers?',
  },
  {
    code: 6,
    name: 'providerApi',
    error: 'ProviderApiError',
    meaning: 'provider API',
    cause: 'outage, rate limit, unexpected reply, a record that could not be deleted',
    fix: 'retry later; the message names the provider, the action and any record left behind, with the `dns01 cleanup` command that removes it',
  },
  {
    code: 7,
    name: 'propagationTimeout',
    error: 'PropagationTimeoutError',
    meaning: 'propagation timeout',
    cause: 'a nameserver did not serve every value before the deadline',
    fix: 'the message names each lagging nameserver and what it served; raise `DNS01_PROPAGATION_TIMEOUT`',
  },
  {
    code: 8,
    name: 'deviation',
    error: 'DeviationError',
    meaning: 'provider deviation',
    cause: '`dns01 check --write` found the provider behaving in a way dns01 cannot handle safely on this account',
    fix: 'do not issue through dns01 on this zone yet; the report names the point and what was seen; report it to the dns01 maintainers',
  },
] as const;

type ExitCodeRow = (typeof EXIT_CODES)[number];
export const ExitCode = Object.fromEntries(EXIT_CODES.map((row) => [row.name, row.code])) as {
  readonly [R in ExitCodeRow as R['name']]: R['code'];
};
export type ExitCodeValue = ExitCodeRow['code'];

/**
 * The exit codes as help text wraps them: "Exit codes: 0 ok, 1 other failure, ...".
 * `overrides` renames a code's meaning for one executable (uacme: 1 also declines).
 */
export function exitCodesHelp(overrides: Partial<Record<ExitCodeValue, string>> = {}, width = 78): string {
  const items = EXIT_CODES.map((row) => `${row.code} ${overrides[row.code] ?? (row.code === 0 ? 'ok' : row.meaning)}`);
  const lines: string[] = [];
  let line = 'Exit codes:';
  for (const [i, item] of items.entries()) {
    const word = `${item}${i === items.length - 1 ? '.' : ','}`;
    if (line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = `${line} ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}

export interface Dns01ErrorOptions {
  /** What the user should do about it; appended to the one-line message. */
  hint?: string;
  cause?: unknown;
}

/**
 * Base of every error this suite raises on purpose. The message is redacted
 * at construction, so a secret can never travel inside one.
 */
export class Dns01Error extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.failure;
  readonly hint: string | undefined;

  constructor(message: string, options: Dns01ErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint === undefined ? undefined : redact(options.hint);
    this.name = new.target.name;
  }

  /** The message with its hint, as one line for a terminal. */
  get oneLine(): string {
    return this.hint ? `${this.message}. ${this.hint}` : this.message;
  }
}

/** A variable or option is missing or malformed. */
export class ConfigError extends Dns01Error {
  override readonly exitCode = ExitCode.config;
}

/** A zone is served by a backend whose credentials are not configured (netcup: a legacy domain with only a REST key). */
export class MissingBackendCredentialsError extends ConfigError {
  constructor(
    readonly zone: string,
    readonly backend: string,
    message: string,
    options: Dns01ErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** A domain, value or argument given by the caller is not acceptable. */
export class InvalidInputError extends Dns01Error {
  override readonly exitCode = ExitCode.usage;
}

/** The provider refused the credentials (or the account is locked/filtered). */
export class AuthenticationError extends Dns01Error {
  override readonly exitCode = ExitCode.auth;
}

/** No zone in the account holds the name. */
export class ZoneNotFoundError extends Dns01Error {
  override readonly exitCode = ExitCode.zoneNotFound;
}

/** The provider API failed, answered with an error, or answered in an unexpected shape. */
export class ProviderApiError extends Dns01Error {
  override readonly exitCode = ExitCode.providerApi;
  readonly provider: string;
  readonly action: string;
  /** true when retrying later may succeed (outage, rate limit). */
  readonly transient: boolean;
  /**
   * true when a write that is not idempotent may have been carried out
   * although it failed (its reply could not be parsed or had the wrong
   * shape): the caller must look before it reports or resends.
   */
  readonly outcomeUnknown: boolean;
  /**
   * true when the request certainly never reached the server (every attempt
   * failed to connect: refused, no such host): a write did not happen.
   */
  readonly neverSent: boolean;

  constructor(
    provider: string,
    action: string,
    message: string,
    options: Dns01ErrorOptions & { transient?: boolean; outcomeUnknown?: boolean; neverSent?: boolean } = {},
  ) {
    super(`${provider} ${action}: ${message}`, options);
    this.provider = provider;
    this.action = action;
    this.transient = options.transient ?? false;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.neverSent = options.neverSent ?? false;
  }
}

/**
 * May the failed write have happened anyway? True for transient failures
 * (timeouts, resets, 5xx) and for replies that could not be read; false when
 * the request never reached the server (a connection refused at every try).
 */
export function isOutcomeUnknown(error: unknown): error is ProviderApiError {
  return error instanceof ProviderApiError && !error.neverSent && (error.transient || error.outcomeUnknown);
}

/** Not every authoritative nameserver served every value before the deadline. */
export class PropagationTimeoutError extends Dns01Error {
  override readonly exitCode = ExitCode.propagationTimeout;
}

/**
 * The provider behaves, on this account, in a way dns01 cannot handle safely
 * (`dns01 check --write`): a reading of its API dns01 does not support, a
 * value that did not coexist, a delete that was not exact.
 */
export class DeviationError extends Dns01Error {
  override readonly exitCode = ExitCode.deviation;
}

/** What replyShapeError needs of a failed schema parse (a ZodError). */
export interface ShapeIssues {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>;
}

/**
 * The one error for a provider reply whose shape the schema rejects:
 * "<provider> <action>: answered in an unexpected shape (<part> at <path>: <why>)".
 * `write`: the request changed the zone, so its outcome is unknown (isOutcomeUnknown).
 */
export function replyShapeError(provider: string, action: string, part: string, error: ShapeIssues, hint: string, write = false): ProviderApiError {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
  return new ProviderApiError(provider, action, `answered in an unexpected shape (${part}${where}: ${issue?.message ?? 'invalid'})`, {
    hint,
    outcomeUnknown: write,
  });
}
