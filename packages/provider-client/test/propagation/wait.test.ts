import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import {
  waitForRecords,
  ExitCode,
  PropagationTimeoutError,
  silentLogger,
  waitForPropagation,
  type DnsContext,
  type ProgressEvent,
} from '@dns01/provider-client/internal';
import { NS1, NS2, NS3, NS3_SILENT_ADDRESS, txtQueries, useDnsWorld } from '@dns01/testkit/support';

const world = useDnsWorld();
const NAME = '_acme-challenge.example.com';
// A wait that must end in a timeout gets 1 s: what it checks is the message, which needs the first
// round (the nameservers looked up and asked, all answered by this process) done before the deadline,
// also on a busy machine (2 to 50 ms measured at load 8 on two cores).

function addTxt(zone: string, name: string, value: string) {
  world.store.add(zone, { name, type: 'TXT', data: value });
}

async function timeoutOf(promise: Promise<unknown>): Promise<PropagationTimeoutError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PropagationTimeoutError);
  return error as PropagationTimeoutError;
}

describe('waitForPropagation', () => {
  it('returns after the first round when every nameserver already serves the value', async () => {
    addTxt('example.com', NAME, 'token');
    const result = await waitForPropagation([{ name: NAME, values: ['token'] }], world.options());
    expect(result.rounds).toBe(1);
    expect(Object.keys(result.confirmedAt).sort()).toEqual([NS1, NS2]);
    expect(txtQueries(world, NS1, NAME)).toHaveLength(1);
    expect(txtQueries(world, NS1, NAME)[0]!.recursionDesired).toBe(false);
  });

  it('waits for the slower of two nameservers with different lags', async () => {
    world.dns.nameserver(NS2).setLag(700);
    addTxt('example.com', NAME, 'token');
    const servedFromNs2 = Date.now() + 700;
    const result = await waitForPropagation([{ name: NAME, values: ['token'] }], world.options());
    expect(Date.now()).toBeGreaterThanOrEqual(servedFromNs2);
    expect(result.rounds).toBeGreaterThan(1);
    expect(result.confirmedAt[NS2]!).toBeGreaterThan(result.confirmedAt[NS1]!);
    // Once confirmed, a nameserver is not asked again.
    expect(txtQueries(world, NS1, NAME)).toHaveLength(1);
  });

  it('times out naming the nameserver that never updates and what it answers', async () => {
    world.dns.nameserver(NS2).setLag(Infinity);
    addTxt('example.com', NAME, 'token');
    const error = await timeoutOf(waitForPropagation([{ name: NAME, values: ['token'] }], world.options({ timeoutMs: 1000 })));
    expect(error.exitCode).toBe(ExitCode.propagationTimeout);
    expect(error.message).toContain(`${NS2} (127.0.0.3) answers NXDOMAIN`);
    expect(error.message).not.toContain(NS1);
    expect(error.hint).toMatch(/DNS01_PROPAGATION_TIMEOUT/);
    expect(error.oneLine).not.toContain('\n');
  });

  it('keeps SERVFAIL and REFUSED as "not yet" with the reason, then confirms once they clear', async () => {
    addTxt('example.com', NAME, 'token');
    world.dns.nameserver(NS1).setFault({ kind: 'servfail' });
    world.dns.nameserver(NS2).setFault({ kind: 'refused' });
    const events: ProgressEvent[] = [];
    const waiting = waitForPropagation([{ name: NAME, values: ['token'] }], world.options({ onProgress: (e) => events.push(e) }));
    while (events.length === 0) await new Promise((r) => setTimeout(r, 20));
    const statuses = Object.fromEntries(events[0]!.lagging.map((l) => [l.nameserver, l.states[0]?.status]));
    expect(statuses).toEqual({ [NS1]: 'servfail', [NS2]: 'refused' });
    world.dns.nameserver(NS1).setFault(undefined);
    world.dns.nameserver(NS2).setFault(undefined);
    await expect(waiting).resolves.toMatchObject({ confirmedAt: { [NS1]: expect.any(Number), [NS2]: expect.any(Number) } });
  });

  it('treats an empty NOERROR answer and other values as "not yet"', async () => {
    world.store.add('example.com', { name: NAME, type: 'A', data: '192.0.2.1' });
    const error = await timeoutOf(waitForPropagation([{ name: NAME, values: ['token'] }], world.options({ timeoutMs: 1000 })));
    expect(error.message).toContain(`${NS1} (127.0.0.2) serves 0 of 1 value`);
    addTxt('example.com', NAME, 'stale-value');
    const again = await timeoutOf(waitForPropagation([{ name: NAME, values: ['token'] }], world.options({ timeoutMs: 1000 })));
    expect(again.message).toContain('serves 0 of 1 value ["stale-value"]');
  });

  it('asks over TCP when the UDP answer is truncated', async () => {
    world.dns.nameserver(NS1).setFault({ kind: 'truncate' });
    addTxt('example.com', NAME, 'token');
    await waitForPropagation([{ name: NAME, values: ['token'] }], world.options());
    expect(txtQueries(world, NS1, NAME).map((q) => q.transport)).toEqual(['udp', 'tcp']);
    expect(txtQueries(world, NS2, NAME).map((q) => q.transport)).toEqual(['udp']);
  });

  it('ignores a spoofed reply with a wrong id and reads the real one', async () => {
    world.dns.nameserver(NS1).setFault({ kind: 'wrongId' });
    addTxt('example.com', NAME, 'token');
    const result = await waitForPropagation([{ name: NAME, values: ['token'] }], world.options());
    expect(result.rounds).toBe(1);
  });

  it('never accepts what the spoofed reply carries', async () => {
    // The spoofed reply serves TXT "spoofed"; only a client that takes it would confirm.
    world.dns.nameserver(NS1).setFault({ kind: 'wrongId' });
    world.dns.nameserver(NS2).setFault({ kind: 'wrongId' });
    const error = await timeoutOf(waitForPropagation([{ name: NAME, values: ['spoofed'] }], world.options({ timeoutMs: 1000 })));
    expect(error.message).toContain(`${NS1} (127.0.0.2) answers NXDOMAIN`);
  });

  it('needs every value on one name (apex + wildcard) from every nameserver', async () => {
    addTxt('example.com', NAME, 'apex');
    const expectations = [
      { name: NAME, values: ['apex'] },
      { name: NAME, values: ['wildcard'] },
    ];
    const error = await timeoutOf(waitForPropagation(expectations, world.options({ timeoutMs: 1000 })));
    expect(error.message).toContain(`${NS1} (127.0.0.2) serves 1 of 2 values ["apex"]`);
    expect(error.message).toContain('TXT values after');

    world.dns.nameserver(NS2).setLag(400);
    addTxt('example.com', NAME, 'wildcard');
    const result = await waitForPropagation(expectations, world.options());
    expect(result.confirmedAt[NS2]!).toBeGreaterThan(result.confirmedAt[NS1]!);
  });

  it('finds the zone of a subdomain delegated below the registered domain and asks only its nameservers', async () => {
    const name = '_acme-challenge.www.sub.example.com';
    addTxt('sub.example.com', name, 'token');
    const result = await waitForPropagation([{ name, values: ['token'] }], world.options());
    expect(Object.keys(result.confirmedAt)).toEqual([NS3]);
    expect(txtQueries(world, NS1, name)).toEqual([]);
    expect(txtQueries(world, NS2, name)).toEqual([]);
  });

  it('checks several names in different zones in one wait', async () => {
    addTxt('example.com', NAME, 'a');
    addTxt('delegated.test', '_acme-challenge.delegated.test', 'b');
    world.dns.nameserver(NS3).setLag(Infinity);
    const error = await timeoutOf(
      waitForPropagation(
        [
          { name: NAME, values: ['a'] },
          { name: '_acme-challenge.delegated.test', values: ['b'] },
        ],
        world.options({ timeoutMs: 1000 }),
      ),
    );
    expect(error.message).toContain(`${NS3} (127.0.0.4) answers NXDOMAIN at _acme-challenge.delegated.test`);
    expect(error.message).not.toContain(NS1);
  });

  it('looks the NS set up again when it cannot be found at first', async () => {
    const name = '_acme-challenge.late.example.net';
    const waiting = waitForPropagation([{ name, values: ['token'] }], world.options());
    setTimeout(() => {
      world.store.addZone({ name: 'late.example.net', nameservers: world.dns.zoneNameservers(NS2), records: [{ name, type: 'TXT', data: 'token' }] });
    }, 300);
    const result = await waiting;
    expect(result.rounds).toBeGreaterThan(1);
    expect(Object.keys(result.confirmedAt)).toEqual([NS2]);
  });

  it('times out naming the names whose nameservers are unknown', async () => {
    const error = await timeoutOf(waitForPropagation([{ name: '_acme-challenge.nowhere.invalid', values: ['x'] }], world.options({ timeoutMs: 1000 })));
    expect(error.message).toContain('nameservers of _acme-challenge.nowhere.invalid unknown');
  });

  it('is cancelled by its AbortSignal with the signal reason', async () => {
    world.dns.nameserver(NS2).setLag(Infinity);
    addTxt('example.com', NAME, 'token');
    const controller = new AbortController();
    const reason = new Error('stopped by the user');
    setTimeout(() => controller.abort(reason), 200);
    await expect(waitForPropagation([{ name: NAME, values: ['token'] }], world.options({ signal: controller.signal }))).rejects.toBe(reason);
    await expect(waitForPropagation([{ name: NAME, values: ['token'] }], world.options({ signal: controller.signal }))).rejects.toBe(reason);
  });

  it('reports progress when a state changes, not every round', async () => {
    world.dns.nameserver(NS2).setLag(Infinity);
    addTxt('example.com', NAME, 'token');
    const events: ProgressEvent[] = [];
    const waiting = waitForPropagation([{ name: NAME, values: ['token'] }], world.options({ intervalMs: 20, onProgress: (e) => events.push(e) }));
    while (txtQueries(world, NS2, NAME).length < 6) await new Promise((r) => setTimeout(r, 20));
    world.dns.nameserver(NS2).setLag(0);
    const result = await waiting;
    expect(result.rounds).toBeGreaterThanOrEqual(6);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ round: 1, confirmed: [NS1], lagging: [{ nameserver: NS2, name: NAME, expected: ['token'] }] });
  });

  it('emits a progress event at least every progressEveryMs while nothing changes', async () => {
    world.dns.nameserver(NS2).setLag(Infinity);
    addTxt('example.com', NAME, 'token');
    const events: ProgressEvent[] = [];
    await timeoutOf(
      waitForPropagation(
        [{ name: NAME, values: ['token'] }],
        world.options({ timeoutMs: 1000, intervalMs: 20, progressEveryMs: 200, onProgress: (e) => events.push(e) }),
      ),
    );
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.length).toBeLessThan(10);
  });
});

describe('a WaitStatus (the live status line) around a wait', () => {
  function recorder(replacesRepeats = true) {
    const calls: string[] = [];
    const events: ProgressEvent[] = [];
    const status = {
      replacesRepeats,
      begin: ({ timeoutMs }: { timeoutMs: number }) => void calls.push(`begin ${timeoutMs}`),
      update: (event: ProgressEvent) => void (calls.push('update'), events.push(event)),
      end: () => void calls.push('end'),
    };
    return { calls, events, status };
  }
  const context = (status: DnsContext['status'], timeoutMs = 5000): DnsContext => {
    const o = world.options();
    return {
      logger: silentLogger,
      propagation: { resolvers: o.resolvers ?? [], nsPort: o.nsPort ?? 53, timeoutMs, intervalMs: 20, followCname: false },
      status,
    };
  };

  it('gets every unfinished round, changed or not, between begin and end', async () => {
    world.dns.nameserver(NS2).setLag(Infinity);
    addTxt('example.com', NAME, 'token');
    const { calls, events, status } = recorder();
    const waiting = waitForRecords(context(status), [{ name: NAME, value: 'token' }]);
    while (txtQueries(world, NS2, NAME).length < 4) await new Promise((r) => setTimeout(r, 20));
    world.dns.nameserver(NS2).setLag(0);
    await waiting;
    expect(calls[0]).toBe('begin 5000');
    expect(calls.at(-1)).toBe('end');
    expect(calls.filter((c) => c === 'update').length).toBeGreaterThanOrEqual(3);
    expect(events[0]).toMatchObject({ confirmed: [NS1], lagging: [{ nameserver: NS2 }] });
  });

  it('ends on a timeout too', async () => {
    world.dns.nameserver(NS2).setLag(Infinity);
    addTxt('example.com', NAME, 'token');
    const { calls, status } = recorder();
    await timeoutOf(waitForRecords(context(status, 1000), [{ name: NAME, value: 'token' }]));
    expect(calls.at(-1)).toBe('end');
  });
});

describe('an address that never answers', () => {
  let silent: Socket | undefined;
  afterEach(() => {
    silent?.close();
    silent = undefined;
  });

  async function bindSilent() {
    silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent!.bind(world.dns.port, NS3_SILENT_ADDRESS, resolve));
  }

  it('does not hold up a nameserver whose other address confirms', async () => {
    await bindSilent();
    const name = '_acme-challenge.delegated.test';
    addTxt('delegated.test', name, 'token');
    // A check waiting for the silent address (10 s per query) would hit the 3 s deadline.
    const result = await waitForPropagation([{ name, values: ['token'] }], world.options({ timeoutMs: 3000, queryTimeoutMs: 10_000, attempts: 1 }));
    expect(Object.keys(result.confirmedAt)).toEqual([NS3]);
  });

  it('is named in the timeout when no address of the nameserver answers', async () => {
    await bindSilent();
    world.dns.nameserver(NS3).setFault({ kind: 'drop' });
    const name = '_acme-challenge.delegated.test';
    const error = await timeoutOf(waitForPropagation([{ name, values: ['token'] }], world.options({ timeoutMs: 1000, queryTimeoutMs: 200, attempts: 1 })));
    expect(error.message).toContain(`${NS3} (127.0.0.4, ${NS3_SILENT_ADDRESS}) does not answer`);
  });

  it('a deadline inside the first round says the nameserver did not answer in time, not "not asked yet" (issue 15)', async () => {
    world.dns.nameserver(NS2).setFault({ kind: 'drop' });
    addTxt('example.com', NAME, 'token');
    const error = await timeoutOf(
      waitForPropagation([{ name: NAME, values: ['token'] }], world.options({ timeoutMs: 1000, queryTimeoutMs: 5000, attempts: 1 })),
    );
    expect(error.message).not.toContain('not asked yet');
    expect(error.message).toContain(`${NS2} gave no answer before the deadline`);
  });
});
