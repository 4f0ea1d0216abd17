// The live status line of a wait in a terminal: what it says, and how it is
// drawn (rewritten in place, log lines above it, gone at the end).
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { AddressState, ProgressEvent } from '@dns01/provider-client';
import { createLiveStatus, formatDuration, renderStatusLine, shortNameservers } from '../src/status-line.js';

const NAME = '_acme-challenge.example.com';

function state(nameserver: string, status: AddressState['status'], served: string[] = [], name = NAME): AddressState {
  return { nameserver, address: '192.0.2.1', name, status, served };
}

/** ns1 confirmed, ns2 serving one of the two values, ns3 silent. */
const EVENT: ProgressEvent = {
  elapsedMs: 65_000,
  round: 13,
  confirmed: ['ns1.example.net'],
  lagging: [
    { nameserver: 'ns3.example.net', name: NAME, expected: ['a', 'b'], states: [state('ns3.example.net', 'timeout')] },
    { nameserver: 'ns2.example.net', name: NAME, expected: ['a', 'b'], states: [state('ns2.example.net', 'missing', ['a', 'old'])] },
  ],
};

describe('formatDuration', () => {
  test('seconds, minutes with seconds, hours with minutes', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59_999)).toBe('59s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(1_200_000)).toBe('20m00s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });
});

describe('shortNameservers', () => {
  test('drops the labels every name ends in, keeping at least one', () => {
    const short = shortNameservers(['root-dns.netcup.net', 'second-dns.netcup.net', 'third-dns.netcup.net']);
    expect([...short.values()]).toEqual(['root-dns', 'second-dns', 'third-dns']);
    expect([...shortNameservers(['a.ns.example.net', 'b.ns.example.net']).values()]).toEqual(['a', 'b']);
  });

  test('keeps full names when they share nothing, or when there is one', () => {
    expect([...shortNameservers(['ns1.example.net', 'ns.example.org']).values()]).toEqual(['ns1.example.net', 'ns.example.org']);
    expect([...shortNameservers(['ns1.example.net']).values()]).toEqual(['ns1.example.net']);
    expect([...shortNameservers(['ns.example.net', 'ns.example.net.example.net']).values()]).toEqual(['ns', 'ns.example.net']);
  });
});

describe('renderStatusLine', () => {
  test('before the first round: elapsed against the timeout, looking up', () => {
    expect(renderStatusLine({ elapsedMs: 800, timeoutMs: 1_200_000 }, 120)).toBe('dns01: waiting 0s of 20m00s | looking up the nameservers');
  });

  test('each nameserver in a stable order: ok, or what it serves now', () => {
    expect(renderStatusLine({ elapsedMs: 125_000, timeoutMs: 1_200_000, event: EVENT }, 200)).toBe(
      'dns01: waiting 2m05s of 20m00s, 1/3 nameservers ok | ns1 ok | ns2 1/2 values, 1 other | ns3 no answer',
    );
  });

  test('names the other answers a nameserver gives', () => {
    const line = (status: AddressState['status'], served: string[] = []) =>
      renderStatusLine(
        { elapsedMs: 0, timeoutMs: 60_000, event: { ...EVENT, lagging: [{ ...EVENT.lagging[0]!, states: [state('ns3.example.net', status, served)] }] } },
        200,
      );
    expect(line('nxdomain')).toMatch(/\| ns3 NXDOMAIN$/);
    expect(line('servfail')).toMatch(/\| ns3 SERVFAIL$/);
    expect(line('refused')).toMatch(/\| ns3 REFUSED$/);
    expect(line('missing')).toMatch(/\| ns3 no TXT yet$/);
    expect(line('missing', ['x', 'y'])).toMatch(/\| ns3 0\/2 values, 2 others$/);
    expect(line('error')).toMatch(/\| ns3 error$/);
  });

  test('several names: how many a nameserver still lacks, and one of them', () => {
    const other = '_acme-challenge.example.org';
    const event: ProgressEvent = {
      elapsedMs: 0,
      round: 2,
      confirmed: ['ns1.example.net'],
      lagging: [
        { nameserver: 'ns2.example.net', name: NAME, expected: ['a'], states: [state('ns2.example.net', 'missing')] },
        { nameserver: 'ns2.example.net', name: other, expected: ['b'], states: [state('ns2.example.net', 'nxdomain', [], other)] },
      ],
    };
    expect(renderStatusLine({ elapsedMs: 3_000, timeoutMs: 600_000, event }, 200)).toBe(
      `dns01: waiting 3s of 10m00s, 1/2 nameservers ok | ns1 ok | ns2 lacks 2 names (no TXT yet at ${NAME})`,
    );
  });

  test('names whose nameservers are not known yet', () => {
    const event: ProgressEvent = { elapsedMs: 0, round: 1, confirmed: [], lagging: [], unresolved: [{ name: NAME, reason: 'no SOA found' }] };
    expect(renderStatusLine({ elapsedMs: 1_000, timeoutMs: 600_000, event }, 200)).toBe(`dns01: waiting 1s of 10m00s | looking up the nameservers of ${NAME}`);
  });

  test('never wider than the terminal, so it never wraps', () => {
    for (const width of [20, 40, 80]) {
      const line = renderStatusLine({ elapsedMs: 125_000, timeoutMs: 1_200_000, event: EVENT }, width);
      expect([...line].length).toBeLessThan(width);
      expect(line.endsWith('…')).toBe(true);
    }
  });
});

describe('createLiveStatus', () => {
  afterEach(() => vi.useRealTimers());

  function terminal(columns = 200) {
    const writes: string[] = [];
    return { writes, columns, write: (text: string) => void writes.push(text) };
  }

  test('draws on begin and update, rewriting the same line in place', () => {
    const term = terminal();
    let now = 1_000;
    const status = createLiveStatus(term, { now: () => now });
    status.begin({ timeoutMs: 60_000 });
    now += 5_000;
    status.update(EVENT);
    expect(term.writes).toEqual([
      '\r\x1b[2Kdns01: waiting 0s of 1m00s | looking up the nameservers',
      '\r\x1b[2Kdns01: waiting 5s of 1m00s, 1/3 nameservers ok | ns1 ok | ns2 1/2 values, 1 other | ns3 no answer',
    ]);
    expect(term.writes.join('')).not.toContain('\n');
    status.end();
  });

  test('a log line goes above the status line, which is drawn again below it', () => {
    const term = terminal();
    const status = createLiveStatus(term, { now: () => 0 });
    status.begin({ timeoutMs: 60_000 });
    term.writes.length = 0;
    status.writeLine('dns01: waiting 10s: ns1 confirmed');
    expect(term.writes).toEqual(['\r\x1b[2Kdns01: waiting 10s: ns1 confirmed\n', '\r\x1b[2Kdns01: waiting 0s of 1m00s | looking up the nameservers']);
    status.end();
  });

  test('ticks every second while nothing else happens; end clears the line and stops', () => {
    vi.useFakeTimers();
    const term = terminal();
    let now = 0;
    const status = createLiveStatus(term, { now: () => now });
    status.begin({ timeoutMs: 60_000 });
    now = 1_000;
    vi.advanceTimersByTime(1_000);
    now = 2_000;
    vi.advanceTimersByTime(1_000);
    expect(term.writes.at(-1)).toBe('\r\x1b[2Kdns01: waiting 2s of 1m00s | looking up the nameservers');
    status.end();
    expect(term.writes.at(-1)).toBe('\r\x1b[2K');
    const count = term.writes.length;
    vi.advanceTimersByTime(5_000);
    expect(term.writes).toHaveLength(count);
    status.writeLine('after');
    expect(term.writes.at(-1)).toBe('after\n');
    expect(term.writes).toHaveLength(count + 1);
  });
});
