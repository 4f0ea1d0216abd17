// netcup's REST API (CloudDNS) end to end: real ACME clients against Pebble,
// the REST emulator (and the CCP emulator for legacy domains) writing into the
// zones the test DNS server serves.
import { ExitCode } from '@dns01/provider-client';
import type { EmulatorOf } from '@dns01/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acmeClients,
  certbotCertonly,
  foreignRecords,
  leakedSecrets,
  requireClient,
  run,
  startE2eWorld,
  zoneOf,
  zoneSnapshot,
  type AcmeClientRunner,
  type E2eWorld,
} from '@dns01/testkit/e2e';
import { expectCertificatesFor } from './harness/certs.js';
import { BOOKWORM } from './harness/suites.js';

const pick = (part: string): AcmeClientRunner => {
  const client = acmeClients(BOOKWORM).find((c) => c.name.includes(part));
  if (!client) throw new Error(`no ACME client named ...${part}...`);
  return client;
};
/** The world's netcup emulators: the CCP one, with the REST one beside it. */
const netcupOf = (e2e: E2eWorld) => e2e.world.emulator as EmulatorOf['netcup'];
const restOf = (e2e: E2eWorld) => netcupOf(e2e).rest!;

const CLIENTS = [pick('certbot'), pick('--dns exec (default'), pick('--dns exec (RAW'), pick('acme.sh'), pick('acme-client with the plugin (ESM')];

describe('netcup REST API (CloudDNS): real ACME clients against Pebble', () => {
  let e2e: E2eWorld;
  beforeAll(async () => {
    e2e = await startE2eWorld('netcup', { suite: BOOKWORM, purpose: 'rest', emulator: { rest: {} } });
  });
  afterAll(async () => e2e?.close());

  it.each(CLIENTS)('$name issues <zone>, *.<zone> and a.b.<zone> through the REST API', async (client) => {
    requireClient(BOOKWORM, client);
    const rest = restOf(e2e);
    const before = zoneSnapshot(e2e.world, e2e.zone);
    const adds = rest.operationCounts().add ?? 0;
    const ctx = await e2e.context();

    const issuance = await client.issue(ctx);

    expectCertificatesFor(issuance.certificates, ctx.domains, e2e.root);
    expect((rest.operationCounts().add ?? 0) - adds).toBeGreaterThanOrEqual(3);
    expect(netcupOf(e2e).actionCounts().updateDnsRecords ?? 0).toBe(0);
    expect(zoneSnapshot(e2e.world, e2e.zone)).toEqual(before);
    const everything = [...issuance.runs.map((r) => r.output), ...(issuance.logs ?? [])].join('\n');
    expect(leakedSecrets(everything, e2e.world.secrets)).toEqual([]);
  });

  it('a wrong REST key fails before any write: exit 4, one request, no retry, nothing changed', async () => {
    const rest = restOf(e2e);
    const before = zoneSnapshot(e2e.world, e2e.zone);
    const requests = rest.server.requests.length;
    const wrongKey = 'wrong-rest-key-'.padEnd(64, 'W');
    const ctx = await e2e.context({ NETCUP_REST_API_KEY: wrongKey });
    const value = 'Wr0ngKeyValueWr0ngKeyValueWr0ngKeyValue0000';
    const result = await run('dns01', ['present', e2e.zone, value], { env: ctx.env, timeoutMs: 60_000 });
    expect(result.code, result.output).toBe(ExitCode.auth);
    expect(result.output).toMatch(/the API key was refused \(authenticationError/);
    expect(rest.server.requests.length - requests).toBe(1);

    const certbot = await certbotCertonly(ctx);
    expect(certbot.output).toContain(`reported error code ${ExitCode.auth}`);
    expect(rest.server.requests.length - requests).toBe(2);
    expect(rest.server.requests.slice(requests).every((q) => q.method === 'GET')).toBe(true);
    expect(zoneSnapshot(e2e.world, e2e.zone)).toEqual(before);
    expect(leakedSecrets(result.output + certbot.output, [...e2e.world.secrets, wrongKey])).toEqual([]);
  });
});

describe('netcup: one REST zone and one legacy zone in one account, one certificate', () => {
  const cloud = zoneOf('netcup', 'rest-mixed');
  const legacy = 'netcup-legacy-e2e.example';
  let e2e: E2eWorld;
  beforeAll(async () => {
    e2e = await startE2eWorld('netcup', {
      suite: BOOKWORM,
      purpose: 'rest-mixed',
      zones: [cloud, legacy],
      records: [...foreignRecords(cloud), ...foreignRecords(legacy)],
      emulator: { rest: { cloudZones: [cloud] } },
    });
  });
  afterAll(async () => e2e?.close());

  it.each([pick('acme-client with the plugin (ESM'), pick('certbot')])('$name: apex and wildcard of both zones in one certificate', async (client) => {
    requireClient(BOOKWORM, client);
    const before = [zoneSnapshot(e2e.world, cloud), zoneSnapshot(e2e.world, legacy)];
    const rest = restOf(e2e);
    const counts = { rest: rest.operationCounts().add ?? 0, ccp: netcupOf(e2e).actionCounts().updateDnsRecords ?? 0 };
    const ctx = { ...(await e2e.context()), domains: [cloud, `*.${cloud}`, legacy, `*.${legacy}`] };

    const issuance = await client.issue(ctx);

    expectCertificatesFor(issuance.certificates, ctx.domains, e2e.root);
    // certbot issues, then renews: two adds per run on the REST zone.
    expect((rest.operationCounts().add ?? 0) - counts.rest).toBeGreaterThanOrEqual(2);
    expect((netcupOf(e2e).actionCounts().updateDnsRecords ?? 0) - counts.ccp).toBeGreaterThanOrEqual(2);
    expect([zoneSnapshot(e2e.world, cloud), zoneSnapshot(e2e.world, legacy)]).toEqual(before);
    const everything = [...issuance.runs.map((r) => r.output), ...(issuance.logs ?? [])].join('\n');
    expect(leakedSecrets(everything, e2e.world.secrets)).toEqual([]);
  });
});
