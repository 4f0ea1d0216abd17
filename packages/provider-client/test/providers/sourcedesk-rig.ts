/** The sourceDESK emulator and a provider on it, shared by the sourcedesk test files. */
import { ZoneStore, startSourcedeskEmulator, type SourcedeskEmulator, type SourcedeskEmulatorOptions } from '@dns01/testkit';
import { closeHttp, createLogger, type DnsProvider, type ProviderDeps } from '../../src/internal.js';
import { sourcedesk } from '../../src/providers/sourcedesk/index.js';
import { KeyedMutex } from '../../src/zone.js';

export const ZONE = 'sourcedesk-shop.test';
export const CUSTOMER_ID = '10042';
/** A key with characters that must be URL-encoded in a path segment. */
export const API_KEY = 'sK/4+q&w=Z%e?#ü k';
export const FAST = { minRetryDelayMs: 10, timeoutMs: 500, maxRetryTimeMs: 3000 };
export const NAME = `_acme-challenge.${ZONE}`;
/** A zone at sourceDESK holding only SOA and NS. */
export const BARE_ZONE = 'bare.test';

/** The A record each zone holds at its apex: sourceDESK answers 804 for a zone with nothing it shows (only SOA and NS). */
export const APEX_A = '192.0.2.80';

export function newStore(): ZoneStore {
  const store = new ZoneStore();
  const nameservers = [{ name: 'ns1.sourceway.test', addresses: ['127.0.0.1'] }];
  for (const name of [ZONE, 'second.test', 'myexample.test']) store.addZone({ name, nameservers, records: [{ name, type: 'A', data: APEX_A }] });
  // Holds only SOA and NS, like a domain sourceDESK hosts before anything was added.
  store.addZone({ name: BARE_ZONE, nameservers });
  store.addZone({ name: 'parked.test', nameservers });
  return store;
}

export interface Rig {
  store: ZoneStore;
  emulator: SourcedeskEmulator;
  provider: DnsProvider;
  lines: string[];
  /** Another provider on the same emulator (another process of the host: same settings, same host lock). */
  another(deps?: Partial<ProviderDeps>): DnsProvider;
  close(): Promise<void>;
}

export async function rig(options: Partial<SourcedeskEmulatorOptions> = {}, deps: Partial<ProviderDeps> = {}): Promise<Rig> {
  const store = newStore();
  const emulator = await startSourcedeskEmulator({
    store,
    zones: [ZONE, 'second.test', 'myexample.test', BARE_ZONE],
    domainsWithoutZone: ['parked.test'],
    credentials: { customerId: CUSTOMER_ID, apiKey: API_KEY },
    ...options,
  });
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
  // The providers of one rig are processes of one host: they share its lock, as sessions do through the state directory.
  const host = new KeyedMutex();
  const hostLock: ProviderDeps['hostLock'] = (key, fn) => host.run(key, fn);
  const another = (more: Partial<ProviderDeps> = {}) =>
    sourcedesk.create({ customerId: CUSTOMER_ID, apiKey: API_KEY, endpoint: emulator.url }, { logger, http: FAST, hostLock, ...deps, ...more });
  return {
    store,
    emulator,
    provider: another(),
    lines,
    another,
    async close() {
      await emulator.close();
      await closeHttp();
    },
  };
}

export const txt = (store: ZoneStore, name: string, zone = ZONE) =>
  store
    .records(zone, { name, type: 'TXT' })
    .map((r) => r.data)
    .sort();
export const everything = (store: ZoneStore, zone = ZONE) =>
  store.records(zone).map(({ id, name, type, data }) => ({ id, name, type, data }));
