import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acmeClientRunner,
  acmeshGatewayRunner,
  certbotRunner,
  gatewayContext,
  leakedSecrets,
  legoGatewayRun,
  legoHttpreqRunner,
  providerCredentialsIn,
  providerVariables,
  removeContext,
  startE2eWorld,
  startGatewayProcess,
  startRequestRecorder,
  zoneSnapshot,
  type E2eWorld,
  type GatewayProcess,
  type GatewayRunner,
  type RecordedRequest,
  type RequestRecorder,
  type Suite,
  writeAcmeDnsAccounts,
} from '@dns01/testkit/e2e';
import { expectCertificatesFor } from './harness/certs.js';

/** What each client sends, as the recorder saw it: the JSON keys of every body, by path. */
type Sent = Record<string, string[][]>;

function sentKeys(requests: RecordedRequest[]): Sent {
  const by: Sent = {};
  for (const r of requests) (by[`${r.method} ${r.path}`] ??= []).push(Object.keys(JSON.parse(r.body) as object));
  return by;
}

/** acme.sh's dns_acmedns writes its body by hand, in lower case (goacmedns's two spellings: packages/gateway/test/client-configs.test.ts). */
const ACME_DNS_KEYS = ['subdomain', 'txt'];

/** dns01's own hooks, with DNS01_PROVIDER=gateway: the gateway provider speaks httpreq (default mode). */
function ownHooks(suite: Suite): GatewayRunner[] {
  return [certbotRunner(suite), acmeClientRunner(suite, 'ESM')].map((runner) => ({
    name: `${runner.name}, DNS01_PROVIDER=gateway`,
    programs: runner.programs,
    protocol: 'httpreq' as const,
    issue: (ctx) => runner.issue(ctx),
  }));
}

export function gatewayRunners(suite: Suite): GatewayRunner[] {
  return [
    legoHttpreqRunner(suite, 'default'),
    legoHttpreqRunner(suite, 'RAW'),
    acmeshGatewayRunner(suite, 'dns_acmeproxy'),
    acmeshGatewayRunner(suite, 'dns_acmedns'),
    ...ownHooks(suite),
  ];
}

/**
 * Every client of `suite` that can reach a dns01 gateway, each through
 * `dns01 serve` (the built executable, holding the netcup emulator's
 * credentials) from a host that holds none: the apex and the wildcard of the
 * zone, against the suite's Pebble, the nameservers lagging. Each client is a
 * gateway client of its own, added with `dns01 serve client add` while the
 * gateway runs; a recorder in front of the gateway keeps what each sends.
 */
export function describeGatewayMatrix(suite: Suite): void {
  describe(`${suite.name}: real ACME clients through dns01 serve (netcup emulator behind it), Pebble ${suite.versions.pebble}`, () => {
    let e2e: E2eWorld;
    let gateway: GatewayProcess;
    let recorder: RequestRecorder;
    beforeAll(async () => {
      e2e = await startE2eWorld('netcup', { suite, purpose: 'gateway' });
      gateway = await startGatewayProcess(e2e.world.env);
      recorder = await startRequestRecorder(gateway.url);
    });
    afterAll(async () => {
      await recorder?.close();
      await gateway?.stop();
      await e2e?.close();
    });

    it.sequential.each(gatewayRunners(suite).map((runner, i) => ({ ...runner, id: `host${i + 1}` })))('$name issues <zone> and *.<zone>', async (runner) => {
      suite.require(...runner.programs);
      const zone = e2e.zone;
      const challenge = `_acme-challenge.${zone}`;
      const before = zoneSnapshot(e2e.world, zone);
      const client = await gateway.addClient(runner.id, [zone, `*.${zone}`]);
      const ctx = gatewayContext(e2e, recorder.url, client, [zone, `*.${zone}`]);
      try {
        const seen = recorder.requests.length;

        const issuance = await runner.issue(ctx, { url: recorder.url, client });

        expectCertificatesFor(issuance.certificates, ctx.domains, e2e.root);
        const sent = recorder.requests.slice(seen);
        expect(sent.map((r) => r.status)).toEqual(sent.map(() => 200));
        const keys = sentKeys(sent);
        if (runner.protocol === 'acme-dns') {
          expect(Object.keys(keys)).toEqual(['POST /update']);
          for (const k of keys['POST /update']!) expect(k.sort()).toEqual(ACME_DNS_KEYS);
          for (const r of sent) expect([r.headers['x-api-user'], r.headers['x-api-key']]).toEqual([client.id, client.secret]);
          // acme-dns has no delete: the last two values of this client stay (apex + wildcard), older ones were deleted exactly.
          const left = gateway.ledger().filter((e) => e.client === client.id);
          expect(left.map((e) => [e.protocol, e.name, e.state])).toEqual([
            ['acme-dns', challenge, 'present'],
            ['acme-dns', challenge, 'present'],
          ]);
          const values = sent.slice(-2).map((r) => Object.values(JSON.parse(r.body) as Record<string, string>).find((v) => v !== zone));
          expect(left.map((e) => e.value).sort()).toEqual([...values].sort());
          expect(e2e.world.txt(challenge).sort()).toEqual([...values, 'foreign-apex-token-do-not-touch'].sort());
          // What the gateway still holds goes at its next start (or with the sweeper, after DNS01_SERVE_MAX_AGE).
          await gateway.restart();
        } else {
          expect(Object.keys(keys).sort()).toEqual(['POST /cleanup', 'POST /present']);
          const raw = runner.name.includes('RAW');
          for (const k of [...keys['POST /present']!, ...keys['POST /cleanup']!])
            expect(k.sort()).toEqual(raw ? ['domain', 'keyAuth', 'token'] : ['fqdn', 'value']);
          for (const r of sent) expect(r.headers.authorization).toBe(`Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`);
          expect(keys['POST /present']!.length).toBe(keys['POST /cleanup']!.length);
        }
        expect(zoneSnapshot(e2e.world, zone)).toEqual(before);
        expect(gateway.ledger()).toEqual([]);

        // The gateway's audit log names every record this client touched; the host never held a provider credential.
        const lines = gateway.audit().filter((l) => l.client === client.id);
        expect(lines.length).toBeGreaterThanOrEqual(sent.length);
        for (const line of lines) expect(line.name, JSON.stringify(line)).toBe(challenge);
        expect(providerCredentialsIn(ctx.env, ctx.dir, providerVariables(e2e))).toEqual([]);
        const everything = [...issuance.runs.map((r) => r.output), ...(issuance.logs ?? [])].join('\n');
        expect(leakedSecrets(everything, e2e.world.secrets)).toEqual([]);
        const gatewaySide = `${gateway.output()}\n${JSON.stringify(gateway.audit())}`;
        expect(leakedSecrets(gatewaySide, [...e2e.world.secrets, client.secret])).toEqual([]);
      } finally {
        removeContext(ctx);
      }
    });

    // Debian builds lego without the acme-dns provider (debian/rules' nodns list: github.com/nrdcg/goacmedns
    // is not packaged), in bookworm's 4.9.1 and sid's 4.35.2 alike. When a Debian lego has it, this fails:
    // then add legoGatewayRun(ctx, 'acme-dns', ...) to the runners above with the account file and the
    // key spelling its goacmedns sends (before 0.2 `SubDomain`/`Txt`, from 0.2 on `subdomain`/`txt`).
    it.sequential(`lego ${suite.versions.lego} --dns acme-dns: Debian's lego has no acme-dns provider, and says so before any request`, async () => {
      suite.require('lego');
      const zone = e2e.zone;
      const client = await gateway.addClient('lego-acme-dns', [zone, `*.${zone}`]);
      const ctx = gatewayContext(e2e, recorder.url, client, [zone, `*.${zone}`]);
      try {
        const seen = recorder.requests.length;
        const result = await legoGatewayRun(ctx, 'acme-dns', { ACME_DNS_API_BASE: recorder.url, ACME_DNS_STORAGE_PATH: writeAcmeDnsAccounts(ctx.dir, client) });
        expect(result.code).not.toBe(0);
        expect(result.output).toContain('unrecognized DNS provider: acme-dns');
        expect(recorder.requests.length).toBe(seen);
      } finally {
        removeContext(ctx);
      }
    });
  });
}
