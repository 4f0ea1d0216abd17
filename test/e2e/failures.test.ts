import { ExitCode } from '@dns01/provider-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certbotCertonly, leakedSecrets, legoRun, PROVIDERS, runClient, startE2eWorld, zoneSnapshot, type E2eWorld } from '@dns01/testkit/e2e';
import { SUITES } from './harness/suites.js';

const STUCK_NAMESERVER = 'ns2.dns01-test.net';

const CELLS = SUITES.flatMap((suite) => PROVIDERS.map((provider) => [suite.name, provider, suite] as const));

// Each suite × provider has its own world, side by side; the runs of one world one after the other.
describe.concurrent.each(CELLS)('%s: %s: failure runs', (_name, provider, suite) => {
  let e2e: E2eWorld;
  beforeAll(async () => {
    e2e = await startE2eWorld(provider, { suite, purpose: 'failures' });
  });
  afterAll(async () => e2e?.close());

  it.sequential('a nameserver that never updates: the certbot hook times out naming it, and nothing is left behind', async () => {
    suite.require('certbot');
    const before = zoneSnapshot(e2e.world, e2e.zone);
    const stuck = e2e.world.dns.nameserver(STUCK_NAMESERVER);
    const lag = stuck.lagMs;
    stuck.setLag(Number.POSITIVE_INFINITY);
    try {
      const ctx = await e2e.context({ DNS01_PROPAGATION_TIMEOUT: '3', DNS01_LOG_LEVEL: 'info' });
      const result = await certbotCertonly(ctx);

      // certbot (2.1 and 5.5 alike) reports a failed auth hook and carries on (Pebble asks the up-to-date
      // resolver, so it may still issue): the hook's own exit code and message are the signal.
      expect(result.output).toContain(`reported error code ${ExitCode.propagationTimeout}`);
      const timeout = result.output.split('\n').find((line) => line.includes('dns01-certbot: error:'));
      expect(timeout, result.output).toMatch(/after 3s/);
      expect(timeout).toContain(STUCK_NAMESERVER);
      expect(timeout).not.toMatch(/ns1\.dns01-test\.net/);
      expect(zoneSnapshot(e2e.world, e2e.zone)).toEqual(before);
      expect(leakedSecrets(result.output, e2e.world.secrets)).toEqual([]);
    } finally {
      stuck.setLag(lag);
    }
  });

  it.sequential('a provider outage during cleanup: dns01 cleanup exits non-zero and names the record left behind', async () => {
    const before = zoneSnapshot(e2e.world, e2e.zone);
    const ctx = await e2e.context({ DNS01_LOG_LEVEL: 'info' });
    const domain = `a.b.${e2e.zone}`;
    const record = `_acme-challenge.${domain}`;
    const value = `outage-${Date.now()}`;
    const dns01 = (command: string) => runClient(ctx, 'dns01', [command, domain, value], { env: ctx.env, timeoutMs: 90_000 });

    const presented = await dns01('present');
    expect(presented.code, presented.output).toBe(0);
    expect(e2e.world.txt(record)).toContain(value);

    e2e.world.emulator.server.inject({ fault: { kind: 'status', status: 503 }, times: 10_000 });
    let failed;
    try {
      failed = await dns01('cleanup');
    } finally {
      e2e.world.emulator.server.clearFaults();
    }
    expect(failed.code).toBe(ExitCode.providerApi);
    expect(failed.stderr).toContain(record);
    expect(failed.stderr).toContain(value);
    expect(e2e.world.txt(record)).toContain(value);

    // Once the provider is back, the same cleanup removes exactly that record.
    const retried = await dns01('cleanup');
    expect(retried.code, retried.output).toBe(0);
    expect(zoneSnapshot(e2e.world, e2e.zone)).toEqual(before);
    expect(leakedSecrets([presented, failed, retried].map((r) => r.output).join('\n'), e2e.world.secrets)).toEqual([]);
  });

  it.sequential('wrong credentials: lego fails before any record is touched', async () => {
    suite.require('lego');
    const wrong = Object.fromEntries(
      Object.entries(e2e.world.env)
        .filter(([, v]) => e2e.world.secrets.includes(v))
        .map(([k, v]) => [k, `wrong-${v}`]),
    );
    expect(Object.keys(wrong).length).toBeGreaterThan(0);
    const serial = e2e.world.store.serial(e2e.zone);
    const ctx = await e2e.context(wrong);

    const result = await legoRun(ctx, 'default');

    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/credential|authenticat|login|password|api key|unauthori[sz]ed/i);
    expect(e2e.world.store.serial(e2e.zone)).toBe(serial);
    expect(leakedSecrets(result.output, [...e2e.world.secrets, ...Object.values(wrong)])).toEqual([]);
  });
});
