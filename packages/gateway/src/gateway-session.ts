import { openSession, type DnsContext, type DnsProvider, type Env, type Logger } from '@dns01/provider-client/internal';

/**
 * The one provider session the gateway holds for its whole life, shared by
 * every request: the core's session (safe for concurrent calls and for
 * hours; netcup's expired API session is opened again by the next call),
 * without a run cache, with the request budget awaited before every API
 * request. The only file that knows how a session is made.
 */
export interface GatewaySession {
  provider: DnsProvider;
  /** What the DNS-only steps need (CNAME following at the challenge name). */
  dns: DnsContext;
  /** Provider API requests sent so far, retries included. */
  apiCalls(): number;
  close(): Promise<void>;
}

export interface GatewaySessionOptions {
  logger: Logger;
  /** Awaited before every provider API request is sent (the request budget). */
  beforeRequest?: (request: { action: string; method: string }) => Promise<void>;
}

export function openGatewaySession(env: Env, options: GatewaySessionOptions): GatewaySession {
  const session = openSession(env, { logger: options.logger, http: { beforeRequest: options.beforeRequest } });
  return {
    provider: session.provider,
    dns: session.flow(),
    apiCalls: () => session.apiCalls,
    close: () => session.close(),
  };
}
