// The propagation check's own world: nameservers and zones, no provider.
import { afterEach, beforeEach } from 'vitest';
import type { PropagationOptions } from '@dns01/provider-client';
import { startDnsServer, type DnsServer } from '../dns/index.js';
import { ZoneStore } from '../zone-store.js';

export const NS1 = 'ns1.dns-test.example';
export const NS2 = 'ns2.dns-test.example';
export const NS3 = 'ns3.dns-test.example';
/** Published for NS3 besides its real address; a test may bind a silent socket there. */
export const NS3_SILENT_ADDRESS = '127.0.0.254';

export interface DnsWorld {
  store: ZoneStore;
  dns: DnsServer;
  /** Options pointing at the test resolver and nameserver port. */
  options(extra?: Partial<PropagationOptions>): PropagationOptions;
}

/**
 * Per test: a store with example.com (ns1, ns2), its child zone
 * sub.example.com (ns3) and delegated.test (ns3), served on loopback.
 */
export function useDnsWorld(): DnsWorld {
  const world = {} as DnsWorld;
  beforeEach(async () => {
    world.store = new ZoneStore();
    world.dns = await startDnsServer({
      store: world.store,
      nameservers: [
        { name: NS1, address: '127.0.0.2' },
        { name: NS2, address: '127.0.0.3' },
        { name: NS3, address: '127.0.0.4', unreachableAddresses: [NS3_SILENT_ADDRESS] },
      ],
    });
    world.store.addZone({ name: 'example.com', nameservers: world.dns.zoneNameservers(NS1, NS2) });
    world.store.addZone({ name: 'sub.example.com', nameservers: world.dns.zoneNameservers(NS3) });
    world.store.addZone({ name: 'delegated.test', nameservers: world.dns.zoneNameservers(NS3) });
    world.options = (extra = {}) => ({
      resolvers: [world.dns.resolverAddress],
      nsPort: world.dns.port,
      timeoutMs: 5000,
      intervalMs: 50,
      queryTimeoutMs: 500,
      ...extra,
    });
  });
  afterEach(async () => {
    await world.dns.close();
  });
  return world;
}

/** TXT queries the nameserver received for `name`. */
export function txtQueries(world: DnsWorld, server: string, name: string) {
  return world.dns.queryLog.filter((q) => q.server === server && q.type === 'TXT' && q.name.toLowerCase() === name);
}
