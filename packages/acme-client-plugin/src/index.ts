import {
  ConfigError,
  deleteRecords,
  effectiveEnv,
  InvalidInputError,
  loggerFromEnv,
  openSession,
  present,
  PROVIDER_NAMES,
  readSessionSettings,
  silentLogger,
  type Challenge,
  type Env,
  type FlowContext,
  type Logger,
  type PlacedRecord,
  type PropagationSettings,
  type ProviderName,
  type Session,
} from '@dns01/provider-client';
import { docsUrl, logSettingSpecs, parseServerAddress, settingIsSet, z } from '@dns01/provider-client/internal';

export { createLogger, Dns01Error, ExitCode, type Logger } from '@dns01/provider-client';

/** The parts of an acme-client authorization this plugin reads. */
export interface AcmeAuthorization {
  identifier: { type: string; value: string };
  wildcard?: boolean;
  url?: string;
}

/** The parts of an acme-client challenge this plugin reads. */
export interface AcmeChallenge {
  type: string;
  url?: string;
}

export interface PropagationOverrides {
  /** Seconds to wait for every authoritative nameserver (default: the provider's). */
  timeoutSeconds?: number;
  /** Seconds between two rounds of queries (default: the provider's). */
  intervalSeconds?: number;
  /** Recursive resolvers for the SOA/NS lookups, `ip[:port]` (default: the system's). */
  resolvers?: string[];
  /** Port of the authoritative nameservers (default 53). */
  nsPort?: number;
  /** false: do not follow a CNAME at `_acme-challenge.<domain>`. */
  followCname?: boolean;
}

export interface Dns01ChallengeOptions {
  /** netcup | xsserver | mrdomain | sourcedesk; default DNS01_PROVIDER. */
  provider?: ProviderName;
  /**
   * The provider's settings by variable name, e.g. `{ NETCUP_CUSTOMER_NUMBER: '...' }`.
   * They override `env`; secrets among them are redacted from every message.
   */
  settings?: Record<string, string>;
  /** Where unset settings come from (default: the dns01 config file overridden by process.env). */
  env?: Record<string, string | undefined>;
  /** Progress and errors (default: silent, or DNS01_LOG_LEVEL/DNS01_LOG_FORMAT when set). */
  logger?: Logger;
  propagation?: PropagationOverrides;
}

export type AcmeChallengeFn = (authz: AcmeAuthorization, challenge: AcmeChallenge, keyAuthorization: string) => Promise<void>;

export interface Dns01Challenge {
  challengeCreateFn: AcmeChallengeFn;
  challengeRemoveFn: AcmeChallengeFn;
  challengePriority: ['dns-01'];
}

const loggerSchema = z.custom<Logger>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    (['error', 'warn', 'info', 'debug', 'child'] as const).every((k) => typeof (v as Record<string, unknown>)[k] === 'function'),
  'must be a Logger (see createLogger)',
);

const optionsSchema = z
  .object({
    provider: z.enum(PROVIDER_NAMES, { error: `must be one of ${PROVIDER_NAMES.join(', ')}` }).optional(),
    settings: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name'), z.string()).optional(),
    env: z.record(z.string(), z.string().optional()).optional(),
    logger: loggerSchema.optional(),
    propagation: z
      .object({
        timeoutSeconds: z.number().positive().max(86_400).optional(),
        intervalSeconds: z.number().positive().max(3_600).optional(),
        resolvers: z.array(z.string().refine((s) => parseServerAddress(s) !== undefined, 'must be ip[:port]')).optional(),
        nsPort: z.number().int().min(1).max(65_535).optional(),
        followCname: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

function parseOptions(options: unknown): Dns01ChallengeOptions {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'options';
  // Never echo the value: it may be a secret.
  throw new ConfigError(`dns01Challenge: ${where} ${issue?.message ?? 'is invalid'}`, {
    hint: `See ${docsUrl('clients/acme-client.md')} for the options`,
  });
}

function overridesOf(p: PropagationOverrides | undefined): Partial<PropagationSettings> {
  const out: Partial<PropagationSettings> = {};
  if (!p) return out;
  if (p.timeoutSeconds !== undefined) out.timeoutMs = p.timeoutSeconds * 1000;
  if (p.intervalSeconds !== undefined) out.intervalMs = p.intervalSeconds * 1000;
  if (p.resolvers !== undefined) out.resolvers = p.resolvers.map((r) => parseServerAddress(r)!);
  if (p.nsPort !== undefined) out.nsPort = p.nsPort;
  if (p.followCname !== undefined) out.followCname = p.followCname;
  return out;
}

/**
 * One session for every authorization acme-client runs at the same time, so
 * the provider can batch their changes; closed (netcup logout) when the last
 * of them is removed, and opened again by the next one.
 */
class SharedSession {
  private session: Session | undefined;
  private users = 0;

  constructor(private readonly open: () => Session) {}

  /** A context of its own for one authorization, on the shared session. */
  acquire(): FlowContext {
    this.session ??= this.open();
    this.users += 1;
    return this.session.flow();
  }

  async release(): Promise<void> {
    this.users -= 1;
    if (this.users > 0 || !this.session) return;
    const session = this.session;
    this.session = undefined;
    await session.close();
  }
}

function challengeOf(authz: AcmeAuthorization, challenge: AcmeChallenge, keyAuthorization: string): Challenge {
  if (challenge?.type !== 'dns-01') {
    // acme-client logs only the message, so what to do goes into it.
    throw new InvalidInputError(
      `dns01Challenge solves dns-01 challenges only, acme-client offered ${String(challenge?.type)}: ` +
        "pass challengePriority: ['dns-01'] to client.auto() (spread the object dns01Challenge() returns)",
    );
  }
  if (authz?.identifier?.type !== 'dns' || typeof authz.identifier.value !== 'string') {
    throw new InvalidInputError(`dns-01 needs a DNS identifier, got ${String(authz?.identifier?.type)}`);
  }
  if (typeof keyAuthorization !== 'string' || keyAuthorization === '') {
    throw new InvalidInputError(`no dns-01 value for ${authz.identifier.value}`);
  }
  const domain = authz.wildcard ? `*.${authz.identifier.value}` : authz.identifier.value;
  // acme-client already hands dns-01 the TXT value (the key authorization's digest).
  return { domain, value: keyAuthorization };
}

/**
 * challengeCreateFn / challengeRemoveFn for acme-client's `client.auto()`:
 *
 *     await client.auto({ csr, email, termsOfServiceAgreed: true, ...dns01Challenge({ provider: 'netcup' }) });
 *
 * challengeCreateFn creates the TXT record and resolves once every
 * authoritative nameserver serves it; challengeRemoveFn deletes exactly that
 * record. Options and provider settings are checked here, before any order.
 */
export function dns01Challenge(options: Dns01ChallengeOptions = {}): Dns01Challenge {
  const opts = parseOptions(options);
  const env: Env = { ...(opts.env ?? effectiveEnv(process.env)), ...opts.settings };
  const overrides = overridesOf(opts.propagation);
  // Every setting checked now, before any order.
  readSessionSettings(env, { provider: opts.provider, overrides });
  const logger = opts.logger ?? (Object.values(logSettingSpecs).some((spec) => settingIsSet(env, spec)) ? loggerFromEnv(env) : silentLogger);
  const session = new SharedSession(() => openSession(env, { provider: opts.provider, logger, overrides }));

  /** Per authorization in progress: its session and the record it placed. */
  const active = new Map<string, { ctx: FlowContext; placed: PlacedRecord[] }>();
  const keyOf = (authz: AcmeAuthorization, c: Challenge): string => authz.url ?? `${c.domain} ${c.value}`;

  const challengeCreateFn: AcmeChallengeFn = async (authz, challenge, keyAuthorization) => {
    const c = challengeOf(authz, challenge, keyAuthorization);
    const entry = { ctx: session.acquire(), placed: [] as PlacedRecord[] };
    active.set(keyOf(authz, c), entry);
    // Waits for this authorization's own record: acme-client validates each as soon as it resolves.
    entry.placed = await present(entry.ctx, [c]);
  };

  const challengeRemoveFn: AcmeChallengeFn = async (authz, challenge, keyAuthorization) => {
    const c = challengeOf(authz, challenge, keyAuthorization);
    const key = keyOf(authz, c);
    const entry = active.get(key);
    // No create ran for it; a failed create has already removed what it placed.
    if (!entry) return;
    active.delete(key);
    try {
      if (entry.placed.length > 0) await deleteRecords(entry.ctx, entry.placed);
    } finally {
      await session.release();
    }
  };

  return { challengeCreateFn, challengeRemoveFn, challengePriority: ['dns-01'] };
}
