/** Shared set-up of the MrDomain tests: a store, the emulator over loopback HTTP, a provider built on it. */
import type { RequestHandler } from 'msw';
import {
  createMrDomainHandlers,
  MrDomainBackend,
  serveHandlers,
  ZoneStore,
  type EmulatorServer,
  type MrDomainEmulatorOptions,
} from '@dns01/testkit';
import { createLogger, type DnsProvider, type FlowContext, type Logger } from '../../src/internal.js';
import { mrdomain } from '../../src/providers/mrdomain/index.js';

/** A password with characters that change under URL, form and JSON encoding. */
export const CREDENTIALS = { apiUser: 'md-user-4711', apiPassword: 'md-Secret/P+ss&w=rd%"7' } as const;
/** Held by the account. */
export const ZONE = 'example.com';
export const SECOND_ZONE = 'example.net';
/** In the store (served by DNS) but not in this MrDomain account. */
export const FOREIGN_ZONE = 'foreign.org';
export const FAST_HTTP = { minRetryDelayMs: 10, timeoutMs: 500, maxRetryTimeMs: 3000 };

export interface MrDomainHarness {
  store: ZoneStore;
  backend: MrDomainBackend;
  server: EmulatorServer;
  url: string;
  provider: DnsProvider;
  /** Every log line the provider wrote (debug level). */
  lines: string[];
  logger: Logger;
  /** Another provider instance on the same emulator (a second hook process, say). */
  newProvider(overrides?: { apiPassword?: string; apex?: boolean }): DnsProvider;
  /** A flow context for the present/cleanup functions, without DNS waiting or CNAME following. */
  flow(provider?: DnsProvider): FlowContext;
  close(): Promise<void>;
}

export interface HarnessOptions extends Partial<Omit<MrDomainEmulatorOptions, 'store' | 'zones' | 'credentials'>> {
  /** Give the provider the DNS apex hint, as the flow does (default true). */
  apex?: boolean;
  /** Handlers answering before the emulator's (to serve odd replies). */
  before?: (backend: MrDomainBackend) => RequestHandler[];
}

export async function startMrDomainHarness(options: HarnessOptions = {}): Promise<MrDomainHarness> {
  const { apex = true, before, ...emulatorOptions } = options;
  const store = new ZoneStore();
  const nameservers = [{ name: 'ns1.dns01-test.net', addresses: ['127.0.0.2'] }];
  for (const name of [ZONE, SECOND_ZONE, FOREIGN_ZONE]) store.addZone({ name, nameservers });
  store.add(FOREIGN_ZONE, { name: `_acme-challenge.${FOREIGN_ZONE}`, type: 'TXT', data: 'not-in-the-account' });
  const emulator: MrDomainEmulatorOptions = { ...emulatorOptions, store, zones: [ZONE, SECOND_ZONE], credentials: CREDENTIALS };
  const backend = new MrDomainBackend(emulator);
  const server = await serveHandlers([...(before?.(backend) ?? []), ...createMrDomainHandlers(emulator, backend)]);
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });

  const newProvider = (o: { apiPassword?: string; apex?: boolean } = {}): DnsProvider =>
    mrdomain.create(
      { apiUser: CREDENTIALS.apiUser, apiPassword: o.apiPassword ?? CREDENTIALS.apiPassword, endpoint: server.url },
      {
        logger: logger.child('mrdomain'),
        http: FAST_HTTP,
        findApex: (o.apex ?? apex) ? async (fqdn) => store.zoneFor(fqdn) : undefined,
      },
    );
  const provider = newProvider();
  return {
    store,
    backend,
    server,
    url: server.url,
    provider,
    lines,
    logger,
    newProvider,
    flow: (p = provider) => ({
      provider: p,
      logger,
      propagation: { resolvers: [], nsPort: 53, timeoutMs: 1000, intervalMs: 50, followCname: false },
    }),
    close: () => server.close(),
  };
}

/** TXT values at `name` in the store (the ground truth). */
export function storedTxt(store: ZoneStore, name: string): string[] {
  const zone = store.zoneFor(name);
  return zone ? store.records(zone, { name, type: 'TXT' }).map((r) => r.data).sort() : [];
}

/** Requests the server saw for one action path (`service/dnslist`). */
export function requestsTo(server: EmulatorServer, action: string): number {
  return server.requests.filter((r) => r.url.startsWith(`/${action}/`)).length;
}
