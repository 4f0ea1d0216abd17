import { contextFromEnv, type DnsContext, type DnsProvider, type Env, type Logger } from '@dns01/provider-client';

/**
 * The one provider session the gateway holds for its whole life, shared by
 * every request. The only file that knows how a session is made: today
 * contextFromEnv without a run cache, later the core's openSession.
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
  let calls = 0;
  const ctx = contextFromEnv(env, {
    logger: options.logger,
    deps: {
      http: {
        beforeRequest: async (request) => {
          await options.beforeRequest?.(request);
          calls += 1;
        },
      },
    },
  });
  return {
    provider: ctx.provider,
    dns: { logger: ctx.logger, propagation: ctx.propagation },
    apiCalls: () => calls,
    close: () => ctx.provider.close(),
  };
}
