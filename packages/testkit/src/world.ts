import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVIDER_NAMES, type ProviderName } from '@dns01/provider-client';
import { providerDefinition } from '@dns01/provider-client/internal';
import { startDnsServer, type DnsServer } from './dns/index.js';
import { emulatorWirings } from './emulators/all.js';
import type { EmulatorWiring, StartedEmulator } from './emulators/wiring.js';
import { ZoneStore, type NewRecord, type StoredRecord } from './zone-store.js';

export type { EmulatorHandle, EmulatorWiring, StartedEmulator, WiringOptions } from './emulators/wiring.js';

/**
 * The providers with an API of their own: all but the gateway provider, which
 * relays `_acme-challenge` records to a dns01 gateway and so cannot run
 * `check --write` or `persist` (its own tests cover it).
 */
export const OWN_API_PROVIDERS = PROVIDER_NAMES.filter((name) => !providerDefinition(name).challengesOnly);

type Wirings = typeof emulatorWirings;

/** Each provider's emulator handle, with its own knobs (fault injection, call logs). */
export type EmulatorOf = { [P in keyof Wirings]: Awaited<ReturnType<Wirings[P]['start']>>['emulator'] };

/** Each provider's emulator options beyond store, zones and credentials. */
export type EmulatorOptionsOf = { [P in keyof Wirings]: Parameters<Wirings[P]['start']>[2] };

export interface TestWorldNameserver {
  /** Host name (default ns<N>.dns01-test.net). */
  name?: string;
  /** Serves each zone as it was this long ago (default 0). */
  lagMs?: number;
}

export interface TestWorldOptions<P extends ProviderName = ProviderName> {
  provider: P;
  /** Passed to the emulator (readings, faults, reply styles; `credentials` instead of the fixed test ones). */
  emulator?: EmulatorOptionsOf[P];
  /** Zones the account holds and the DNS server serves (default ['example.com']). */
  zones?: string[];
  /** Zones the DNS server serves but the account does not hold (a domain at another provider). */
  foreignZones?: string[];
  /** Authoritative nameservers of every zone, each on its own 127.0.0.x (default two, no lag). */
  nameservers?: TestWorldNameserver[];
  /** Records present before the test (foreign TXT records at _acme-challenge, say), each in the deepest zone (foreign zones too) holding it. */
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
  /** A private state directory of this world (DNS01_STATE_DIR in `env`): host locks, certbot runs. */
  stateDir: string;
  /** TXT values at `name` as the store (the provider) holds them now, sorted. */
  txt(name: string): string[];
  /** Every record of `zone` now (id, name, type, data): what a test compares before and after. */
  snapshot(zone: string): Pick<StoredRecord, 'id' | 'name' | 'type' | 'data'>[];
  close(): Promise<void>;
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
  const wiring = emulatorWirings[options.provider];
  let started: StartedEmulator;
  try {
    const served = [...zones, ...(options.foreignZones ?? [])];
    for (const zone of served) {
      store.addZone({
        name: zone,
        nameservers: dns.zoneNameservers(),
        records: (options.records ?? []).filter((r) => deepestZone(r.name, served) === zone),
      });
    }
    // The options were typed by the provider in TestWorldOptions; the union of starts cannot see that.
    started = await (wiring as EmulatorWiring).start(store, zones, options.emulator ?? {}, { DNS01_RESOLVERS: dns.resolver, DNS01_NS_PORT: String(dns.port) });
  } catch (error) {
    await dns.close();
    throw error;
  }
  // Host-wide locks and run state stay inside the world (mkdtemp makes it 0700).
  const stateDir = mkdtempSync(join(tmpdir(), 'dns01-world-state-'));
  const env: Record<string, string> = {
    DNS01_PROVIDER: options.provider,
    DNS01_STATE_DIR: stateDir,
    ...started.env,
    ...started.credentials,
    DNS01_RESOLVERS: dns.resolver,
    DNS01_NS_PORT: String(dns.port),
    DNS01_POLLING_INTERVAL: String(options.pollingInterval ?? 0.05),
    DNS01_PROPAGATION_TIMEOUT: String(options.propagationTimeout ?? 15),
    ...options.env,
  };
  return {
    provider: options.provider,
    env,
    secrets: started.secrets,
    store,
    dns,
    emulator: started.emulator as EmulatorOf[P],
    stateDir,
    txt(name) {
      const zone = store.zoneFor(name);
      if (!zone) return [];
      return store
        .records(zone, { name, type: 'TXT' })
        .map((r) => r.data)
        .sort();
    },
    snapshot: (zone) => store.records(zone).map(({ id, name, type, data }) => ({ id, name, type, data })),
    async close() {
      await Promise.allSettled([started.emulator.close(), dns.close()]);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The longest of `zones` that holds `name` (a record belongs to the deepest zone). */
function deepestZone(name: string, zones: string[]): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  return zones.filter((zone) => n === zone || n.endsWith(`.${zone}`)).sort((a, b) => b.length - a.length)[0];
}
