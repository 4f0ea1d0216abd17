import type { DnsProvider, ProviderDeps } from '../../contract.js';
import { InvalidInputError } from '../../errors.js';
import { checkTxtValue, normalizeFqdn, zoneCandidates } from '../../names.js';
import type { GatewayClient } from './client.js';

/**
 * The gateway provider: every record goes through a dns01 gateway (`dns01
 * serve`), which holds the provider credentials; this host holds only a
 * client secret. The gateway finds the zone and follows nothing further, so
 * the zone here is the apex the DNS names (for messages only). It cannot
 * list records: `dns01 check --write` and `dns01 persist` refuse it.
 */
export function createGatewayProvider(client: GatewayClient, deps: ProviderDeps): DnsProvider {
  const unsupported = (what: string) =>
    new InvalidInputError(`the gateway provider cannot ${what}: the gateway writes and deletes _acme-challenge records only`, {
      hint: 'Run dns01 check --write, zones and persist on the gateway host, with its provider',
    });
  return {
    name: 'gateway',
    async findZone(fqdn) {
      const name = normalizeFqdn(fqdn);
      const apex = deps.findApex ? await deps.findApex(name).catch(() => undefined) : undefined;
      const candidates = zoneCandidates(name);
      return { name: apex && candidates.includes(apex) ? apex : (candidates.find((c) => !c.startsWith('_')) ?? name) };
    },
    async appendTxt(_zone, name, value) {
      checkTxtValue(value);
      await client.send('present', normalizeFqdn(name), value);
      // The gateway keeps its own account of what was there before; to this host every present is its own.
      return 'created';
    },
    async deleteTxt(_zone, name, value) {
      checkTxtValue(value);
      await client.send('cleanup', normalizeFqdn(name), value);
      return 'deleted';
    },
    listTxt() {
      return Promise.reject(unsupported('list records'));
    },
    close: async () => undefined,
  };
}
