// propagation/check.ts (what one authoritative answer means) and
// propagation/format.ts (how progress reads).
import { describe, expect, it } from 'vitest';
import { judgeReply } from '../../src/propagation/check.js';
import { bestState, describeLagging, formatProgress } from '../../src/propagation/format.js';
import type { DnsReply } from '../../src/propagation/transport.js';
import type { AddressState } from '../../src/propagation/types.js';

const NAME = '_acme-challenge.example.com';
const reply = (fields: Partial<DnsReply>): DnsReply =>
  ({ type: 'response', id: 1, flags: 0, flag_aa: true, rcode: 'NOERROR', questions: [], answers: [], ...fields }) as DnsReply;
const txt = (data: string | Buffer[], name = NAME) => ({ name, type: 'TXT' as const, class: 'IN' as const, ttl: 60, data });

describe('judgeReply', () => {
  it('ok when every expected value is served; a multi-string TXT counts joined', () => {
    const r = reply({ answers: [txt([Buffer.from('tok'), Buffer.from('en')]), txt('other')] });
    expect(judgeReply(r, NAME, new Set(['token']))).toEqual({ status: 'ok', served: ['token', 'other'] });
  });

  it('missing, naming what it serves; records at other names do not count', () => {
    const r = reply({ answers: [txt('old'), txt('token', 'www.example.com')] });
    expect(judgeReply(r, NAME, new Set(['token']))).toMatchObject({ status: 'missing', served: ['old'] });
  });

  it('rcodes: NXDOMAIN, SERVFAIL, REFUSED and others', () => {
    expect(judgeReply(reply({ rcode: 'NXDOMAIN' }), NAME, new Set(['t'])).status).toBe('nxdomain');
    expect(judgeReply(reply({ rcode: 'SERVFAIL' }), NAME, new Set(['t'])).status).toBe('servfail');
    expect(judgeReply(reply({ rcode: 'REFUSED' }), NAME, new Set(['t'])).status).toBe('refused');
    expect(judgeReply(reply({ rcode: 'NOTIMP' }), NAME, new Set(['t']))).toMatchObject({ status: 'error', detail: 'answered NOTIMP' });
  });

  it('a CNAME at the name, and a referral from a server that is not authoritative, are said so', () => {
    const cname = reply({ answers: [{ name: NAME, type: 'CNAME', class: 'IN', ttl: 60, data: 'acme.example.net' }] });
    expect(judgeReply(cname, NAME, new Set(['t']))).toMatchObject({ status: 'missing', detail: 'the name is a CNAME to acme.example.net' });
    const referral = reply({ flag_aa: false, authorities: [{ name: 'example.com', type: 'NS', class: 'IN', ttl: 60, data: 'ns.other.net' }] });
    expect(judgeReply(referral, NAME, new Set(['t']))).toMatchObject({ status: 'error', detail: 'not authoritative (refers to example.com)' });
  });
});

const state = (fields: Partial<AddressState>): AddressState => ({
  nameserver: 'ns2.example.net',
  address: '192.0.2.53',
  name: NAME,
  status: 'missing',
  served: [],
  ...fields,
});

describe('format', () => {
  it('bestState picks the address closest to done', () => {
    const entry = {
      nameserver: 'ns2.example.net',
      name: NAME,
      expected: ['a', 'b'],
      states: [state({ status: 'timeout', address: '192.0.2.54' }), state({ served: ['a'] })],
    };
    expect(bestState(entry)?.address).toBe('192.0.2.53');
  });

  it('describeLagging: how many of the values a nameserver serves, and which when asked', () => {
    const entry = { nameserver: 'ns2.example.net', name: NAME, expected: ['a', 'b'], states: [state({ served: ['a', 'stale'] })] };
    expect(describeLagging(entry, { withName: false, withValues: false })).toBe('ns2.example.net (192.0.2.53) serves 1 of 2 values');
    expect(describeLagging(entry, { withName: true, withValues: true })).toBe(`ns2.example.net (192.0.2.53) serves 1 of 2 values ["a", "stale"] at ${NAME}`);
    const silent = {
      nameserver: 'ns3.example.net',
      name: NAME,
      states: [state({ status: 'timeout', address: '192.0.2.7' }), state({ status: 'timeout', address: '2001:db8::7' })],
    };
    expect(describeLagging(silent, { withName: false, withValues: false })).toBe('ns3.example.net (192.0.2.7, 2001:db8::7) does not answer');
  });

  it('formatProgress: one line with the confirmed, the lagging and the unresolved', () => {
    const line = formatProgress({
      elapsedMs: 12_400,
      round: 3,
      confirmed: ['ns1.example.net'],
      lagging: [{ nameserver: 'ns2.example.net', name: NAME, expected: ['a', 'b'], states: [state({ served: ['a'] })] }],
      unresolved: [{ name: '_acme-challenge.new.example', reason: 'no SOA yet' }],
    });
    expect(line).toBe(
      'waiting 12s: ns1.example.net confirmed; ns2.example.net (192.0.2.53) serves 1 of 2 values; nameservers of _acme-challenge.new.example not known yet (no SOA yet)',
    );
  });
});
