/** netcup with the REST API: both emulators on one ZoneStore, and the provider built from variables. */
import {
  startNetcupEmulator,
  startNetcupRestEmulator,
  ZoneStore,
  type NetcupEmulator,
  type NetcupRestEmulator,
  type NetcupRestEmulatorOptions,
} from '@dns01/testkit';
import { createLogger, type DnsProvider, type ProviderDeps } from '../../src/internal.js';
import { netcup } from '../../src/providers/netcup/index.js';
import { API_KEY, API_PASSWORD, CUSTOMER, FAST_HTTP } from './netcup-rig.js';

export const REST_KEY = 'rest-key-'.padEnd(64, 'Xy3');
/** On CloudDNS: the REST API manages it. */
export const CLOUD_ZONE = 'cloud.example';
/** In the account, but on the legacy backend (isDnsManaged false): only the CCP API changes it. */
export const LEGACY_ZONE = 'legacy.example';
/** Served by DNS, not in the account. */
export const OTHER_ZONE = 'other.org';

export interface RestRig {
  store: ZoneStore;
  rest: NetcupRestEmulator;
  ccp: NetcupEmulator;
  provider: DnsProvider;
  logs: string[];
  /** A second provider on the same account (another hook process). */
  another(): DnsProvider;
  close(): Promise<void>;
}

export interface RestRigOptions {
  rest?: Partial<Omit<NetcupRestEmulatorOptions, 'store' | 'zones' | 'legacyZones' | 'apiKey'>>;
  /** Set the CCP trio as well (default true). */
  legacy?: boolean;
  env?: Record<string, string>;
  deps?: Partial<ProviderDeps>;
}

export function restEnv(rest: NetcupRestEmulator, ccp: NetcupEmulator, legacy = true): Record<string, string> {
  return {
    NETCUP_REST_API_KEY: REST_KEY,
    NETCUP_REST_ENDPOINT: rest.endpoint,
    NETCUP_ENDPOINT: ccp.url,
    ...(legacy ? { NETCUP_CUSTOMER_NUMBER: CUSTOMER, NETCUP_API_KEY: API_KEY, NETCUP_API_PASSWORD: API_PASSWORD } : {}),
  };
}

export async function restRig(options: RestRigOptions = {}): Promise<RestRig> {
  const store = new ZoneStore();
  const nameservers = [{ name: 'ns1.dns01-test.net', addresses: ['127.0.0.2'] }];
  for (const zone of [CLOUD_ZONE, LEGACY_ZONE, OTHER_ZONE]) store.addZone({ name: zone, nameservers, records: [{ name: zone, type: 'A', data: '192.0.2.1' }] });
  const rest = await startNetcupRestEmulator({ ...options.rest, store, zones: [CLOUD_ZONE], legacyZones: [LEGACY_ZONE], apiKey: REST_KEY });
  const ccp = await startNetcupEmulator({ store, zones: [LEGACY_ZONE], credentials: { customerNumber: CUSTOMER, apiKey: API_KEY, apiPassword: API_PASSWORD } });
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const build = () =>
    netcup.create(netcup.readConfig({ ...restEnv(rest, ccp, options.legacy ?? true), ...options.env }), { logger, http: FAST_HTTP, ...options.deps });
  const provider = build();
  const others: DnsProvider[] = [];
  return {
    store,
    rest,
    ccp,
    provider,
    logs,
    another() {
      const p = build();
      others.push(p);
      return p;
    },
    async close() {
      await Promise.all([provider, ...others].map((p) => p.close()));
      await Promise.all([rest.close(), ccp.close()]);
    },
  };
}
