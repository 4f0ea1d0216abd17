/**
 * The propagation check against a real authoritative DNS server (Debian's
 * NSD), not only the test kit's: two NSD instances on loopback serve one zone
 * and are reloaded seconds apart, so the second lags; the challenge RRset is
 * too large for a UDP reply (62 TXT records), so every answer that holds the
 * values came over TCP. How soon `dns01 wait` returns after the reload is
 * measured by scripts/bench/nsd.mjs (pnpm bench nsd), not asserted here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, freePort, hookExecutable, killAll, run, startNsd, type NsdInstance, type NsdZone } from '@dns01/testkit/e2e';

const ORIGIN = 'nsd-e2e.test';
const NAME = `_acme-challenge.${ORIGIN}`;
const ADDRESSES = ['127.0.54.2', '127.0.54.3'];
/** 43 characters of base64url, like an ACME digest; two of them are the ones we wait for. */
const digest = (i: number) => `nsd-e2e-${String(i).padStart(4, '0')}-${'Q'.repeat(26)}abc`.slice(0, 43);
const WANTED = [digest(7), digest(41)];

const zone = (serial: number, txtCount: number): NsdZone => ({
  origin: ORIGIN,
  serial,
  lines: [
    '@ IN NS ns1',
    '@ IN NS ns2',
    `ns1 IN A ${ADDRESSES[0]!}`,
    `ns2 IN A ${ADDRESSES[1]!}`,
    ...Array.from({ length: txtCount }, (_, i) => `_acme-challenge IN TXT "${digest(i)}"`),
  ],
});

let port: number;
let fast: NsdInstance;
let slow: NsdInstance;

beforeAll(async () => {
  port = await freePort();
  fast = await startNsd({ address: ADDRESSES[0]!, port, zone: zone(1, 0) });
  slow = await startNsd({ address: ADDRESSES[1]!, port, zone: zone(1, 0) });
});
afterAll(async () => {
  killAll();
  await Promise.allSettled([fast?.stop(), slow?.stop()]);
});

describe('propagation against NSD on loopback', () => {
  it('dns01 wait confirms only after the lagging instance serves the values; the 62-record RRset is truncated over UDP and read over TCP', async () => {
    await fast.reload(zone(2, 62));
    const env = {
      PATH: process.env.PATH,
      HOME: '/nonexistent',
      DNS01_RESOLVERS: `${ADDRESSES[0]!}:${port}`,
      DNS01_NS_PORT: String(port),
      DNS01_POLLING_INTERVAL: '0.5',
      DNS01_PROPAGATION_TIMEOUT: '40',
      DNS01_LOG_LEVEL: 'info',
    };
    let exitedAt: number | undefined;
    const waiting = run(hookExecutable('dns01'), ['wait', ...WANTED.flatMap((v) => ['--record', `${NAME}=${v}`])], { env, timeoutMs: 60_000 }).then((r) => {
      exitedAt = Date.now();
      return r;
    });

    await new Promise((r) => setTimeout(r, 3000));
    expect(exitedAt, 'dns01 wait returned while one instance still served the old zone').toBeUndefined();
    expect(await slow.serial()).toBe(1);
    const reloadedAt = Date.now();
    await slow.reload(zone(2, 62));

    const result = await waiting;
    expect(result.code, explain(result)).toBe(0);
    expect(exitedAt).toBeGreaterThanOrEqual(reloadedAt);
    expect(result.stdout).toContain(`${NAME}: served by every authoritative nameserver`);
    for (const ns of [fast, slow]) {
      const stats = await ns.stats();
      expect(stats['num.truncated'], `${ns.address} truncated no UDP reply`).toBeGreaterThan(0);
      expect(stats['num.tcp'], `${ns.address} had no TCP query`).toBeGreaterThan(0);
    }
  });
});
