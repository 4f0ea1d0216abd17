// session.ts: one session shared by concurrent calls, held across a provider's
// session expiry, closed once; against the emulators and the loopback DNS servers.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from '@dns01/testkit';
import {
  cleanup,
  closeHttp,
  ConfigError,
  createLogger,
  Dns01Error,
  openDnsSession,
  openSession,
  present,
  PROVIDER_NAMES,
  type PlacedRecord,
  type RecordLedger,
  type Session,
} from '../src/internal.js';

/** A ledger that remembers what is at stake now and everything it was ever told. */
function recordingLedger(): RecordLedger & { atStakeNow: Set<string>; seen: Set<string> } {
  const atStakeNow = new Set<string>();
  const seen = new Set<string>();
  return {
    atStakeNow,
    seen,
    atStake: (r) => {
      atStakeNow.add(r.name);
      seen.add(r.name);
    },
    settled: (r) => void atStakeNow.delete(r.name),
  };
}

describe('session', { timeout: 30_000 }, () => {
  let world: TestWorld<'netcup'> | undefined;
  let session: Session | undefined;
  afterEach(async () => {
    await session?.close();
    await world?.close();
    session = undefined;
    world = undefined;
    await closeHttp();
  });

  it('DNS01_PROVIDER missing or unknown is a ConfigError naming the choices', () => {
    expect(() => openSession({})).toThrow(ConfigError);
    expect(() => openSession({ DNS01_PROVIDER: 'nope' })).toThrow(PROVIDER_NAMES.join(', '));
  });

  it('concurrent calls share the provider (one login, one zone lookup) while each has its own signal, logger and ledger', async () => {
    // ns2 serves nothing new until the test lets it, so every call is still waiting when one of them is cancelled.
    world = await startTestWorld({ provider: 'netcup', nameservers: [{ lagMs: 0 }, { lagMs: Number.POSITIVE_INFINITY }] });
    const sessionLines: string[] = [];
    session = openSession(world.env, { logger: createLogger({ level: 'debug', write: (l) => sessionLines.push(l) }) });
    const calls = ['a', 'b', 'c'].map((label) => {
      const lines: string[] = [];
      const abort = new AbortController();
      const ledger = recordingLedger();
      const flow = session!.flow({ signal: abort.signal, ledger, logger: createLogger({ level: 'info', write: (l) => lines.push(l) }) });
      const challenge = { domain: `${label}.example.com`, value: `value-${label}` };
      const result = present(flow, [challenge]).then(
        (placed) => ({ placed }),
        (error: unknown) => ({ error }),
      );
      return { label, lines, abort, ledger, flow, challenge, result };
    });
    await world.store.until(() => calls.every((c) => world!.txt(`_acme-challenge.${c.label}.example.com`).length === 1));
    const b = calls[1]!;
    b.abort.abort(new Dns01Error('call b cancelled'));
    world.dns.nameserver('ns2.dns01-test.net').setLag(0);

    const outcomes = await Promise.all(calls.map((c) => c.result));
    expect((outcomes[1] as { error: unknown }).error).toBeInstanceOf(Dns01Error);
    expect((outcomes[1] as { error: Error }).error.message).toBe('call b cancelled');
    // The cancelled call removed its own record; the others went on and are served.
    expect(world.txt('_acme-challenge.b.example.com')).toEqual([]);
    for (const i of [0, 2]) expect((outcomes[i] as { placed: PlacedRecord[] }).placed.map((p) => p.value)).toEqual([`value-${calls[i]!.label}`]);
    expect(world.txt('_acme-challenge.a.example.com')).toEqual(['value-a']);
    expect(world.txt('_acme-challenge.c.example.com')).toEqual(['value-c']);

    for (const c of calls) {
      // Each call's log and ledger hold its own record only.
      const others = calls.filter((o) => o !== c).map((o) => `_acme-challenge.${o.label}.example.com`);
      expect(c.lines.some((l) => l.includes(`_acme-challenge.${c.label}.example.com`))).toBe(true);
      for (const other of others) expect(c.lines.join('\n')).not.toContain(other);
      expect([...c.ledger.seen]).toEqual([`_acme-challenge.${c.label}.example.com`]);
      expect([...c.ledger.atStakeNow]).toEqual(c === b ? [] : [`_acme-challenge.${c.label}.example.com`]);
    }
    expect(b.lines.some((l) => l.includes('deleted TXT _acme-challenge.b.example.com'))).toBe(true);
    // What the provider itself does goes to the session's logger.
    expect(sessionLines.some((l) => l.includes('netcup') && l.includes('login'))).toBe(true);
    // One provider: one login and one zone lookup for all three.
    const counts = world.emulator.actionCounts();
    expect(counts.login).toBe(1);
    expect(counts.infoDnsZone).toBe(1);
    expect(session.apiCalls).toBe(Object.values(counts).reduce((a, n) => a + n, 0));

    await Promise.all([calls[0]!, calls[2]!].map((c) => cleanup(c.flow, [c.challenge])));
    expect(world.store.records('example.com', { type: 'TXT' })).toEqual([]);
  });

  it("a session held across netcup's 15-minute idle expiry keeps working: the next call logs in once more", async () => {
    let now = Date.now();
    world = await startTestWorld({ provider: 'netcup', emulator: { now: () => now } });
    session = openSession(world.env);
    const flow = session.flow();
    await present(flow, [{ domain: 'example.com', value: 'before-expiry' }]);
    expect(world.emulator.actionCounts().login).toBe(1);

    now += 16 * 60_000;
    // The session id the client holds is now expired at netcup: the next request gets 4001.
    await present(session.flow(), [{ domain: 'www.example.com', value: 'after-expiry' }]);
    await cleanup(flow, [{ domain: 'example.com', value: 'before-expiry' }]);
    expect(world.txt('_acme-challenge.www.example.com')).toEqual(['after-expiry']);
    expect(world.txt('_acme-challenge.example.com')).toEqual([]);
    expect(world.emulator.actionCounts().login).toBe(2);

    now += 16 * 60_000;
    await cleanup(session.flow(), [{ domain: 'www.example.com', value: 'after-expiry' }]);
    expect(world.store.records('example.com', { type: 'TXT' })).toEqual([]);
    expect(world.emulator.actionCounts().login).toBe(3);
  });

  it('close() logs out once and is safe to repeat; a closed session makes no more contexts', async () => {
    world = await startTestWorld({ provider: 'netcup' });
    session = openSession(world.env);
    await present(session.flow(), [{ domain: 'example.com', value: 'v' }], { wait: false });
    expect(world.emulator.openSessions()).toBe(1);
    await Promise.all([session.close(), session.close()]);
    await session.close();
    expect(world.emulator.openSessions()).toBe(0);
    expect(world.emulator.actionCounts().logout).toBe(1);
    expect(() => session!.flow()).toThrow('the netcup session is closed');
  });

  it('settings are read once: the definition, DNS settings, propagation with the session overrides, per-call overrides on top', async () => {
    world = await startTestWorld({ provider: 'netcup', propagationTimeout: 42 });
    session = openSession(world.env, { overrides: { intervalMs: 7 } });
    expect(session.definition.name).toBe('netcup');
    expect(session.dns.nsPort).toBe(Number(world.env.DNS01_NS_PORT));
    expect(session.propagation).toMatchObject({ timeoutMs: 42_000, intervalMs: 7, nsPort: Number(world.env.DNS01_NS_PORT) });
    expect(session.flow({ overrides: { timeoutMs: 5 } }).propagation).toMatchObject({ timeoutMs: 5, intervalMs: 7 });
    expect(session.flow().propagation.timeoutMs).toBe(42_000);
    expect(session.apiCalls).toBe(0);
  });

  it('openDnsSession needs no credentials and takes the DNS settings of the environment', () => {
    const dns = openDnsSession({ DNS01_PROVIDER: 'netcup', DNS01_NS_PORT: '5353' }, { overrides: { followCname: false } });
    expect(dns.propagation).toMatchObject({ nsPort: 5353, followCname: false, timeoutMs: 1_200_000 });
    expect(dns.flow({ overrides: { nsPort: 1 } }).propagation.nsPort).toBe(1);
  });
});
