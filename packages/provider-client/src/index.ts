/**
 * The public API of @dns01/provider-client: what a Node program embedding
 * DNS-01 issuance uses. Every name here is a deliberate, supported export
 * (test/public-api.test.ts lists them; adding one is a change of the API).
 * The rest of the core is `@dns01/provider-client/internal`, for the suite's
 * own packages only.
 */

// One session: configuration -> provider, settings, readings, per-call contexts.
export { openDnsSession, openSession, readSessionSettings } from './session.js';
export type { CallOptions, DnsSession, DnsSessionOptions, Session, SessionOptions, SessionSettings, ShareRunOptions } from './session.js';

// present / cleanup.
export { cleanup, createRecords, deleteRecords, present, waitForRecords } from './flow.js';
export type { Challenge, DnsContext, FlowContext, PlacedRecord, PropagationSettings, RecordLedger } from './flow.js';

// Errors and exit codes.
export {
  AuthenticationError,
  ConfigError,
  DeviationError,
  Dns01Error,
  EXIT_CODES,
  ExitCode,
  InvalidInputError,
  isOutcomeUnknown,
  MissingBackendCredentialsError,
  PropagationTimeoutError,
  ProviderApiError,
  ZoneNotFoundError,
} from './errors.js';
export type { Dns01ErrorOptions, ExitCodeValue } from './errors.js';
export { describeError } from './redact.js';

// The provider contract.
export type {
  ApiDoc,
  AppendOutcome,
  DeleteOutcome,
  DnsProvider,
  HostLock,
  ProviderDefinition,
  ProviderDeps,
  TxtRecord,
  Zone,
  ZoneBackend,
} from './contract.js';
export { PROVIDER_NAMES } from './providers/registry.js';
export type { ProviderName } from './providers/registry.js';
export type { Observe, OpenPoint, ReadingLog, ReadingReport } from './readings.js';

// dns-persist-01 records.
export {
  accountUriFromFile,
  formatPersistValue,
  parsePersistValue,
  parseUntil,
  PERSIST_LABEL,
  persistCheck,
  persistName,
  persistRemove,
  persistSet,
} from './persist/index.js';
export type { NameserverView, PersistCheckReport, PersistRecord, PersistSetResult, PersistSpec } from './persist/index.js';

// The authoritative propagation check.
export { formatProgress, waitForPropagation } from './propagation/index.js';
export type { AddressState, Expectation, ProgressEvent, PropagationOptions, PropagationResult, ResolverOptions, WaitStatus } from './propagation/index.js';

// Configuration, logging and the rest an embedding program needs.
export { effectiveEnv } from './config.js';
export type { DnsSettings, Env, ServerAddress } from './config.js';
export { createLogger, loggerFromEnv, silentLogger } from './log.js';
export type { LogFields, LogFormat, Logger, LoggerOptions, LogLevel } from './log.js';
export { dnsChallengeValue } from './acme.js';
export { closeHttp } from './http.js';
