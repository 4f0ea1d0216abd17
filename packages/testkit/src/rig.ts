import {
  createLogger,
  openSession,
  type DnsProvider,
  type HostLock,
  type Logger,
  type LogLevel,
  type ProviderDeps,
  type ProviderName,
  type Session,
  type ShareRunOptions,
} from '@dns01/provider-client';
import { openSessionRunCache, readSessionSettings, type RunCache } from '@dns01/provider-client/internal';
import { startTestWorld, type TestWorld, type TestWorldOptions } from './world.js';

/**
 * HTTP client options for tests: a retry after 10 ms, a 500 ms request
 * timeout, 3 s for all attempts, so fault and hang paths end quickly. The
 * rig's sessions use them; a test building a client itself passes them too.
 */
export const FAST_RETRY_HTTP = Object.freeze({ minRetryDelayMs: 10, timeoutMs: 500, maxRetryTimeMs: 3000 }) satisfies ProviderDeps['http'];

/**
 * Where findZone's apex hint comes from:
 * - `none`: no hint, the provider asks about each parent name in turn;
 * - `store`: the deepest zone of the store holding the name (what the DNS would name, without asking it);
 * - `dns`: the product's own SOA walk through the world's resolver;
 * - a function of the name.
 */
export type ApexHint = 'none' | 'store' | 'dns' | ((fqdn: string) => Promise<string | undefined>);

/** One session on the rig's emulator: another hook process, say. */
export interface RigSessionOptions {
  /** Variables over the rig's (a wrong password, another endpoint). */
  env?: Record<string, string>;
  /** HTTP options over FAST_RETRY_HTTP. */
  http?: ProviderDeps['http'];
  /** The apex hint (default: the rig's). */
  apex?: ApexHint;
  /** Share the run cache in the world's state directory, as a run's hook processes do. */
  shareRun?: ShareRunOptions;
  /** The host-wide lock (default: lock files in the world's private state directory, as the product's). */
  hostLock?: HostLock;
  /** The session's logger (default: the rig's, writing every line into `logs`). */
  logger?: Logger;
}

export interface ProviderRigOptions<P extends ProviderName = ProviderName> extends Omit<TestWorldOptions<P>, 'provider'>, Omit<RigSessionOptions, 'env'> {
  /** Level of the lines collected in `logs` (default debug). */
  logLevel?: LogLevel;
}

/**
 * A provider on its emulator, built as the product builds it: a test world
 * (store, emulator, loopback DNS, private state directory, `env`) and a
 * session opened on `env` with fast-retry HTTP options and every log line
 * collected.
 */
export interface ProviderRig<P extends ProviderName = ProviderName> extends Omit<TestWorld<P>, 'provider'> {
  /** The provider's name (a world's `provider`). */
  readonly name: P;
  /** The rig's session (`openSession(env)`). */
  readonly session: Session;
  /** The session's provider. */
  readonly provider: DnsProvider;
  /** Every line the rig's sessions logged (at `logLevel`, redacted as the product writes them). */
  readonly logs: string[];
  /** The HTTP options the rig's sessions use (FAST_RETRY_HTTP with the rig's `http`). */
  readonly http: ProviderDeps['http'];
  /** HTTP requests the rig's sessions sent to the provider API, retries included. */
  readonly apiCalls: number;
  /** Opens another session on the same emulator and account (another process); closed with the rig. */
  open(options?: RigSessionOptions): Session;
  /** The run cache the rig's sessions opened with `shareRun` share (as a run's hook processes do): what a test reads or plants there. */
  runCache(): RunCache;
  /** Closes every session of the rig (the provider's logout), then the world. */
  close(): Promise<void>;
}

/**
 * Starts a provider rig: startTestWorld with `options`, then a session of
 * the provider on it. Close it with `close()`.
 *
 *   const r = await providerRig('netcup', { zones: ['example.com'], emulator: { readings } });
 *   await r.provider.appendTxt(await r.provider.findZone(name), name, 'v');
 *   expect(r.txt(name)).toEqual(['v']);
 *   await r.close();
 */
export async function providerRig<P extends ProviderName>(name: P, options: ProviderRigOptions<P> = {}): Promise<ProviderRig<P>> {
  const { http, apex = 'none', shareRun, hostLock, logLevel = 'debug', logger: rigLogger, ...worldOptions } = options;
  const world = await startTestWorld({ ...worldOptions, provider: name });
  const logs: string[] = [];
  const logger = rigLogger ?? createLogger({ level: logLevel, write: (line) => logs.push(line) });
  const rigHttp = { ...FAST_RETRY_HTTP, ...http };
  const sessions: Session[] = [];

  const findApex = (hint: ApexHint): ProviderDeps['findApex'] => {
    if (hint === 'none') return async () => undefined;
    if (hint === 'store') return async (fqdn) => world.store.zoneFor(fqdn);
    if (hint === 'dns') return undefined; // the session's default: the SOA walk through DNS01_RESOLVERS
    return hint;
  };
  const open = (o: RigSessionOptions = {}): Session => {
    const session = openSession(
      { ...world.env, ...o.env },
      {
        provider: name,
        logger: o.logger ?? logger,
        http: { ...rigHttp, ...o.http },
        findApex: findApex(o.apex ?? apex),
        shareRun: o.shareRun ?? shareRun,
        hostLock: o.hostLock ?? hostLock,
      },
    );
    sessions.push(session);
    return session;
  };

  let session: Session;
  try {
    session = open();
  } catch (error) {
    await world.close();
    throw error;
  }
  const { provider: _name, ...worldParts } = world;
  return {
    ...worldParts,
    name,
    session,
    provider: session.provider,
    logs,
    http: rigHttp,
    get apiCalls() {
      return sessions.reduce((sum, s) => sum + s.apiCalls, 0);
    },
    open,
    runCache: () => openSessionRunCache(world.env, readSessionSettings(world.env, { provider: name })),
    async close() {
      await Promise.allSettled(sessions.map((s) => s.close()));
      await world.close();
    },
  };
}
