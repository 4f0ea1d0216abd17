/** A netcup emulator over loopback HTTP, a ZoneStore behind it, and the provider built against it. */
import { startNetcupEmulator, ZoneStore, type LoggedRequest, type NetcupEmulator, type NetcupEmulatorOptions } from '@dns01/testkit';
import { createLogger, type DnsProvider, type ProviderDeps } from '../../src/internal.js';
import { netcup } from '../../src/providers/netcup/index.js';

export const CUSTOMER = '40017';
export const API_KEY = 'nc-apikey-Vq83mZk2';
export const API_PASSWORD = 'nc-apipw-Rt51xLp9';
export const ZONE = 'example.com';
export const NAME = `_acme-challenge.${ZONE}`;
/** A zone in the store (served by DNS) that the account does not hold. */
export const FOREIGN_ZONE = 'other.org';
/** A zone of the account with no records at all (netcup answers "no records" as an error). */
export const EMPTY_ZONE = 'empty.net';

/** Short retry timings, so failure paths finish quickly. */
export const FAST_HTTP: ProviderDeps['http'] = { minRetryDelayMs: 10, timeoutMs: 500, maxRetryTimeMs: 3000 };

export interface Rig {
  store: ZoneStore;
  emulator: NetcupEmulator;
  provider: DnsProvider;
  /** Log lines (debug level) of the provider. */
  logs: string[];
  /** Another provider instance on the same account (a second process). */
  another(overrides?: Partial<Record<string, string>>): DnsProvider;
  /** Requests the server saw for one action (faulted ones included). */
  requestsFor(action: string): LoggedRequest[];
  close(): Promise<void>;
}

export interface RigOptions {
  emulator?: Partial<NetcupEmulatorOptions>;
  deps?: Partial<ProviderDeps>;
  /** Variables overriding the defaults (e.g. a wrong NETCUP_API_PASSWORD). */
  env?: Record<string, string>;
}

export function credentialsEnv(endpoint: string): Record<string, string> {
  return { NETCUP_CUSTOMER_NUMBER: CUSTOMER, NETCUP_API_KEY: API_KEY, NETCUP_API_PASSWORD: API_PASSWORD, NETCUP_ENDPOINT: endpoint };
}

export async function rig(options: RigOptions = {}): Promise<Rig> {
  const store = new ZoneStore();
  const nameservers = [{ name: 'ns1.dns01-test.net', addresses: ['127.0.0.2'] }];
  store.addZone({ name: ZONE, nameservers, records: [{ name: ZONE, type: 'A', data: '192.0.2.1' }] });
  store.addZone({ name: FOREIGN_ZONE, nameservers, records: [{ name: FOREIGN_ZONE, type: 'A', data: '192.0.2.2' }] });
  store.addZone({ name: EMPTY_ZONE, nameservers });
  const emulator = await startNetcupEmulator({
    store,
    zones: [ZONE, EMPTY_ZONE],
    credentials: { customerNumber: CUSTOMER, apiKey: API_KEY, apiPassword: API_PASSWORD },
    ...options.emulator,
  });
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const build = (env: Record<string, string | undefined>) =>
    netcup.create(netcup.readConfig({ ...credentialsEnv(emulator.url), ...options.env, ...env }), {
      logger,
      http: FAST_HTTP,
      ...options.deps,
    });
  const provider = build({});
  const others: DnsProvider[] = [];
  return {
    store,
    emulator,
    provider,
    logs,
    another(overrides = {}) {
      const p = build(overrides);
      others.push(p);
      return p;
    },
    requestsFor: (action) => emulator.server.requests.filter((r) => r.body.includes(`"action":"${action}"`)),
    async close() {
      await Promise.all([provider, ...others].map((p) => p.close()));
      await emulator.close();
    },
  };
}

export function txt(store: ZoneStore, name: string, zone = ZONE): string[] {
  return store
    .records(zone, { name, type: 'TXT' })
    .map((r) => r.data)
    .sort();
}

export function everything(store: ZoneStore, zone = ZONE) {
  return store.records(zone).map(({ id, name, type, data }) => ({ id, name, type, data }));
}
