import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeClients, leakedSecrets, PROVIDERS, requireClient, startE2eWorld, zoneSnapshot, type E2eWorld, type Suite } from '@dns01/testkit/e2e';
import { expectCertificatesFor } from './harness/certs.js';

/**
 * Every provider by every client of `suite`: one issuance each, with the
 * assertions of docs/e2e.md. The providers run side by side (each has its
 * own world: zone, nameservers, emulator, Pebble); the clients of one
 * provider run one after the other, since each compares the zone before and after.
 */
export function describeIssuanceMatrix(suite: Suite): void {
  describe.concurrent.each(PROVIDERS)(`${suite.name}: %s: real ACME clients against Pebble ${suite.versions.pebble}`, (provider) => {
    let e2e: E2eWorld;
    beforeAll(async () => {
      e2e = await startE2eWorld(provider, { suite });
    });
    afterAll(async () => e2e?.close());

    it.sequential.each(acmeClients(suite))('$name issues <zone>, *.<zone> and a.b.<zone>', async (client) => {
      requireClient(suite, client);
      const before = zoneSnapshot(e2e.world, e2e.zone);
      const ctx = await e2e.context();

      const issuance = await client.issue(ctx);

      expectCertificatesFor(issuance.certificates, ctx.domains, e2e.root);
      expect(zoneSnapshot(e2e.world, e2e.zone)).toEqual(before);
      const everything = [...issuance.runs.map((r) => r.output), ...(issuance.logs ?? [])].join('\n');
      expect(leakedSecrets(everything, e2e.world.secrets)).toEqual([]);
    });
  });
}
