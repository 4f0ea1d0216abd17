import type { ProviderName } from '@dns01/provider-client';
import { startDnsServer, type DnsServer } from './dns/index.js';
import { startMrDomainEmulator, type MrDomainEmulator, type MrDomainEmulatorOptions } from './emulators/mrdomain.js';
import { startNetcupEmulator, type NetcupEmulator, type NetcupEmulatorOptions } from './emulators/netcup.js';
import { startSourcedeskEmulator, type SourcedeskEmulator, type SourcedeskEmulatorOptions } from './emulators/sourcedesk.js';
import { startXsserverEmulator, type XsserverEmulator, type XsserverEmulatorOptions } from './emulators/xsserver.js';
import type { EmulatorServer } from './http-server.js';
import { ZoneStore, type NewRecord } from './zone-store.js';

/** Each provider's emulator handle, with its own knobs (fault injection, call logs). */
export interface EmulatorOf {
  netcup: NetcupEmulator;
  xsserver: XsserverEmulator;
  mrdomain: MrDomainEmulator;
  sourcedesk: SourcedeskEmulator;
}

/** Each provider's emulator options beyond store, zones and credentials. */
export interface EmulatorOptionsOf {
  netcup: Omit<NetcupEmulatorOptions, Fixed>;
  xsserver: Omit<XsserverEmulatorOptions, Fixed>;
  mrdomain: Omit<MrDomainEmulatorOptions, Fixed>;
  sourcedesk: Omit<SourcedeskEmulatorOptions, Fixed>;
}
type Fixed = 'store' | 'zones' | 'credentials';

/** What every emulator handle offers. */
export interface EmulatorHandle {
  server: EmulatorServer;
  close(): Promise<void>;
}

export interface TestWorldNameserver {
  /** Host name (default ns<N>.dns01-test.net). */
  name?: string;
  /** Serves each zone as it was this long ago (default 0). */
  lagMs?: number;
}

export interface TestWorldOptions<P extends ProviderName = ProviderName> {
  provider: P;
  /** Passed to the emulator (faults, reply styles). */
  emulator?: EmulatorOptionsOf[P];
  /** Zones the account holds and the DNS server serves (default ['example.com']). */
  zones?: string[];
  /** Zones the DNS server serves but the account does not hold (a domain at another provider). */
  foreignZones?: string[];
  /** Authoritative nameservers of every zone, each on its own 127.0.0.x (default two, no lag). */
  nameservers?: TestWorldNameserver[];
  /** Records present before the test (foreign TXT records at _acme-challenge, say). */
  records?: NewRecord[];
  /** DNS01_POLLING_INTERVAL in seconds (default 0.05). */
  pollingInterval?: number;
  /** DNS01_PROPAGATION_TIMEOUT in seconds (default 15). */
  propagationTimeout?: number;
  /** Extra variables merged into `env` last. */
  env?: Record<string, string>;
}

export interface TestWorld<P extends ProviderName = ProviderName> {
  provider: P;
  /** Every variable the product needs: provider, endpoint, credentials, DNS, short polling. */
  env: Record<string, string>;
  /** The credential values, for searching output for leaks. */
  secrets: string[];
  store: ZoneStore;
  dns: DnsServer;
  emulator: EmulatorOf[P];
  /** TXT values at `name` as the store (the provider) holds them now. */
  txt(name: string): string[];
  close(): Promise<void>;
}

interface ProviderWiring {
  credentials: Record<string, string>;
  secrets: string[];
  start(store: ZoneStore, zones: string[], extra: object): Promise<EmulatorHandle & { env: Record<string, string> }>;
}

/** Test credentials per provider: fixed, recognisable, and never real. */
function wiringFor(provider: ProviderName): ProviderWiring {
  switch (provider) {
    case 'netcup': {
      const credentials = { customerNumber: '12345', apiKey: 'nc-test-apikey-7f3a9', apiPassword: 'nc-test-apipw-Q8z2' };
      return {
        credentials: {
          NETCUP_CUSTOMER_NUMBER: credentials.customerNumber,
          NETCUP_API_KEY: credentials.apiKey,
          NETCUP_API_PASSWORD: credentials.apiPassword,
        },
        secrets: [credentials.apiKey, credentials.apiPassword],
        start: async (store, zones, extra) => {
          const emulator = await startNetcupEmulator({ ...extra, store, zones, credentials });
          return Object.assign(emulator, { env: { NETCUP_ENDPOINT: emulator.endpoint } });
        },
      };
    }
    case 'xsserver': {
      const credentials = { username: 'xs-test-user', password: 'xs-test-password-Lk29' };
      return {
        credentials: { XSSERVER_USERNAME: credentials.username, XSSERVER_PASSWORD: credentials.password },
        secrets: [credentials.password],
        start: async (store, zones, extra) => {
          const emulator = await startXsserverEmulator({ ...extra, store, zones, credentials });
          return Object.assign(emulator, { env: { XSSERVER_ENDPOINT: emulator.endpoint } });
        },
      };
    }
    case 'mrdomain': {
      const credentials = { apiUser: 'md-test-user', apiPassword: 'md-test-password-Vb71' };
      return {
        credentials: { MRDOMAIN_API_USER: credentials.apiUser, MRDOMAIN_API_PASSWORD: credentials.apiPassword },
        secrets: [credentials.apiPassword],
        start: async (store, zones, extra) => {
          const emulator = await startMrDomainEmulator({ ...extra, store, zones, credentials });
          return Object.assign(emulator, { env: { MRDOMAIN_ENDPOINT: emulator.url } });
        },
      };
    }
    case 'sourcedesk': {
      const credentials = { customerId: '40123', apiKey: 'sd-test-apikey-Hq55x' };
      return {
        credentials: { SOURCEDESK_CUSTOMER_ID: credentials.customerId, SOURCEDESK_API_KEY: credentials.apiKey },
        secrets: [credentials.apiKey],
        start: async (store, zones, extra) => {
          const emulator = await startSourcedeskEmulator({ ...extra, store, zones, credentials });
          return Object.assign(emulator, { env: { SOURCEDESK_ENDPOINT: emulator.url } });
        },
      };
    }
  }
}

/**
 * Starts a complete loopback world for one provider: a ZoneStore holding the
 * zones, the test DNS server (nameservers on 127.0.0.2, .3, ... plus the
 * resolver on 127.0.0.1, one free port), and the provider's emulator writing
 * to the store. `env` is all the product needs to run against it.
 */
export async function startTestWorld<P extends ProviderName>(options: TestWorldOptions<P>): Promise<TestWorld<P>> {
  const zones = options.zones ?? ['example.com'];
  const nameservers = (options.nameservers ?? [{}, {}]).map((ns, i) => ({
    name: ns.name ?? `ns${i + 1}.dns01-test.net`,
    address: `127.0.0.${i + 2}`,
    lagMs: ns.lagMs ?? 0,
  }));
  const store = new ZoneStore();
  const dns = await startDnsServer({ store, nameservers });
  const wiring = wiringFor(options.provider);
  let emulator: EmulatorHandle & { env: Record<string, string> };
  try {
    for (const zone of zones) {
      store.addZone({
        name: zone,
        nameservers: dns.zoneNameservers(),
        records: (options.records ?? []).filter((r) => deepestZone(r.name, zones) === zone),
      });
    }
    for (const zone of options.foreignZones ?? []) store.addZone({ name: zone, nameservers: dns.zoneNameservers() });
    emulator = await wiring.start(store, zones, options.emulator ?? {});
  } catch (error) {
    await dns.close();
    throw error;
  }
  const env: Record<string, string> = {
    DNS01_PROVIDER: options.provider,
    ...emulator.env,
    ...wiring.credentials,
    DNS01_RESOLVERS: dns.resolver,
    DNS01_NS_PORT: String(dns.port),
    DNS01_POLLING_INTERVAL: String(options.pollingInterval ?? 0.05),
    DNS01_PROPAGATION_TIMEOUT: String(options.propagationTimeout ?? 15),
    ...options.env,
  };
  return {
    provider: options.provider,
    env,
    secrets: wiring.secrets,
    store,
    dns,
    emulator: emulator as unknown as EmulatorOf[P],
    txt(name) {
      const zone = store.zoneFor(name);
      if (!zone) return [];
      return store.records(zone, { name, type: 'TXT' }).map((r) => r.data);
    },
    async close() {
      await Promise.allSettled([emulator.close(), dns.close()]);
    },
  };
}

/** The longest of `zones` that holds `name` (a record belongs to the deepest zone). */
function deepestZone(name: string, zones: string[]): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  return zones
    .filter((zone) => n === zone || n.endsWith(`.${zone}`))
    .sort((a, b) => b.length - a.length)[0];
}
