// Faults end to end through `dns01 serve` (the built executable, in front of the netcup emulator), with
// the clients of each matrix: the gateway killed during an issuance and started again, and the provider
// down while a client presents.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '@dns01/provider-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gatewayContext,
  httpreqEnv,
  leakedSecrets,
  legoGatewayRun,
  removeContext,
  runClient,
  startE2eWorld,
  startGatewayProcess,
  zoneSnapshot,
  type AuditLine,
  type E2eWorld,
  type GatewayProcess,
} from '@dns01/testkit/e2e';
import { expectCertificatesFor } from './harness/certs.js';
import { SUITES } from './harness/suites.js';

async function until(what: string, done: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ofClient = (lines: AuditLine[], id: string, action: string) => lines.filter((l) => l.client === id && l.action === action);

describe.concurrent.each(SUITES.map((suite) => [suite.name, suite] as const))('%s: faults through dns01 serve', (_name, suite) => {
  let e2e: E2eWorld;
  let gateway: GatewayProcess;
  beforeAll(async () => {
    e2e = await startE2eWorld('netcup', { suite, purpose: 'gateway-faults' });
    // A sweep every 30 s: what an outage may have left is retried within the test's time.
    gateway = await startGatewayProcess(e2e.world.env, { DNS01_SERVE_MAX_AGE: '120' });
  });
  afterAll(async () => {
    await gateway?.stop();
    await e2e?.close();
  });

  it.sequential(
    `dns01 serve killed (SIGKILL) during lego ${suite.versions.lego}'s issuance and started again: lego ends (issued or failed cleanly), the restart deletes what the ledger held, lego's retry issues, nothing is left`,
    async () => {
      suite.require('lego');
      const zone = e2e.zone;
      const challenge = `_acme-challenge.${zone}`;
      const before = zoneSnapshot(e2e.world, zone);
      const client = await gateway.addClient('killed', [zone, `*.${zone}`]);
      const ctx = gatewayContext(e2e, gateway.url, client, [zone, `*.${zone}`]);
      try {
        // lego presents both names at once, then waits 5 s before it has them validated: the kill comes in that window.
        const first = legoGatewayRun(ctx, 'httpreq', { ...httpreqEnv(gateway.url, client, 'default'), HTTPREQ_POLLING_INTERVAL: '5' });
        await until('both presents answered', () => ofClient(gateway.audit(), client.id, 'present').filter((l) => l.result === 'ok').length === 2);
        const placed = gateway
          .ledger()
          .map((e) => e.value)
          .sort();
        expect(placed).toHaveLength(2);

        await gateway.kill();
        // The crash left both records at the provider, and the ledger names them.
        expect(gateway.ledger().map((e) => [e.name, e.state])).toEqual([
          [challenge, 'present'],
          [challenge, 'present'],
        ]);
        for (const value of placed) expect(e2e.world.txt(challenge)).toContain(value);

        await gateway.restart();
        // It deleted them, exactly, before it listened again (the foreign record at the same name stays).
        expect(zoneSnapshot(e2e.world, zone)).toEqual(before);
        expect(gateway.ledger()).toEqual([]);
        const recovered = ofClient(gateway.audit(), client.id, 'recover');
        expect(recovered.map((l) => [l.name, l.value, l.result]).sort()).toEqual(placed.map((v) => [challenge, v, 'deleted']));

        // lego ends on its own, within its time: with a certificate if the CA validated before the restart, else with the CA's error.
        const ended = await first;
        expect(ended.timedOut).toBe(false);
        if (ended.code !== 0) expect(ended.output).toMatch(/acme: error|urn:ietf:params:acme:error|invalid/i);
        expect(zoneSnapshot(e2e.world, zone)).toEqual(before);

        const retry = await legoGatewayRun(ctx, 'httpreq', httpreqEnv(gateway.url, client, 'default'));
        expect(retry.code, retry.output).toBe(0);
        expectCertificatesFor([readFileSync(join(ctx.dir, 'lego', 'certificates', `${zone}.crt`), 'utf8')], ctx.domains, e2e.root);
        expect(zoneSnapshot(e2e.world, zone)).toEqual(before);
        expect(gateway.ledger()).toEqual([]);
        for (const line of gateway.audit().filter((l) => l.client === client.id)) expect(line.name, JSON.stringify(line)).toBe(challenge);
        expect(leakedSecrets([ended.output, retry.output].join('\n'), e2e.world.secrets)).toEqual([]);
        expect(leakedSecrets(gateway.output(), [...e2e.world.secrets, client.secret])).toEqual([]);
      } finally {
        removeContext(ctx);
      }
    },
  );

  it.sequential(
    `the provider down while lego ${suite.versions.lego} and dns01's gateway provider present: a 502 with the provider's error in the body; every record named in the audit log, and what the outage may have left deleted once the provider is back`,
    async () => {
      suite.require('lego');
      const zone = e2e.zone;
      const challenge = `_acme-challenge.${zone}`;
      const before = zoneSnapshot(e2e.world, zone);
      const client = await gateway.addClient('outage', [zone, `*.${zone}`]);
      const ctx = gatewayContext(e2e, gateway.url, client, [zone, `*.${zone}`]);
      const seen = gateway.audit().length;
      e2e.world.emulator.server.inject({ fault: { kind: 'status', status: 503 }, times: 100_000 });
      try {
        const lego = await legoGatewayRun(ctx, 'httpreq', httpreqEnv(gateway.url, client, 'default'));
        expect(lego.code).not.toBe(0);
        // lego prints the gateway's reply: its status and its body.
        expect(lego.output).toContain('502');
        expect(lego.output).toMatch(/"error":\s*"provider_error".*"detail":\s*"[^"]*netcup[^"]*503/);

        const hook = await runClient(ctx, 'dns01', ['present', `*.${zone}`, 'outage-value'], { env: ctx.env, timeoutMs: 90_000 });
        expect(hook.code).toBe(ExitCode.providerApi);
        expect(hook.stderr).toContain('502');
        expect(hook.stderr).toMatch(/netcup[^\n]*503/);
      } finally {
        e2e.world.emulator.server.clearFaults();
        removeContext(ctx);
      }
      // A write that failed may still have happened at the provider: the gateway keeps it in the ledger and deletes it exactly at the next sweep.
      await until('the sweeper deleted what the outage may have left', () => gateway.ledger().length === 0, 60_000);
      expect(zoneSnapshot(e2e.world, zone)).toEqual(before);
      const lines = gateway.audit().slice(seen);
      const presents = lines.filter((l) => l.action === 'present');
      expect(presents.length).toBeGreaterThanOrEqual(2);
      const failed = presents.map((l) => l.value).sort();
      const swept = lines.filter((l) => l.action === 'sweep' && l.result !== 'error').map((l) => l.value);
      for (const value of swept) expect(failed).toContain(value);
      for (const line of lines) {
        expect(line.client, JSON.stringify(line)).toBe(client.id);
        expect(line.name, JSON.stringify(line)).toBe(challenge);
        expect(line.value, JSON.stringify(line)).toEqual(expect.any(String));
      }
      for (const line of presents) expect([line.result, line.status, typeof line.detail]).toEqual(['provider_error', 502, 'string']);
      expect(leakedSecrets(gateway.output() + JSON.stringify(lines), [...e2e.world.secrets, client.secret])).toEqual([]);
    },
  );
});
