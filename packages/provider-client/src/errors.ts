import { redact } from './redact.js';

/**
 * Exit codes shared by every executable. Documented in docs/configuration.md;
 * changing one is a breaking change for scripts that test them.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 3,
  auth: 4,
  zoneNotFound: 5,
  providerApi: 6,
  propagationTimeout: 7,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

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

  constructor(
    provider: string,
    action: string,
    message: string,
    options: Dns01ErrorOptions & { transient?: boolean } = {},
  ) {
    super(`${provider} ${action}: ${message}`, options);
    this.provider = provider;
    this.action = action;
    this.transient = options.transient ?? false;
  }
}

/** Not every authoritative nameserver served every value before the deadline. */
export class PropagationTimeoutError extends Dns01Error {
  override readonly exitCode = ExitCode.propagationTimeout;
}

export function exitCodeOf(error: unknown): ExitCodeValue {
  return error instanceof Dns01Error ? error.exitCode : ExitCode.failure;
}
