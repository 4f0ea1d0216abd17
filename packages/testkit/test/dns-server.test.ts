import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import dnsPacket, { type Answer, type DecodedPacket, type Packet, type RecordType } from 'dns-packet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDnsServer, ZoneStore, type DnsServer } from '@dns01/testkit';

type Reply = DecodedPacket & { rcode: string };

interface Ask {
  host: string;
  port: number;
  name: string;
  type?: RecordType;
  rd?: boolean;
  edns?: boolean;
  id?: number;
}

function queryPacket(ask: Ask): Packet {
  return {
    type: 'query',
    id: ask.id ?? 4242,
    flags: ask.rd ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ name: ask.name, type: ask.type ?? 'TXT', class: 'IN' }],
    additionals: ask.edns ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  };
}

/**
 * The UDP replies to one query: the first `count` (default 1), however long
 * they take (the test's timeout bounds the wait); with `waitMs`, whatever
 * arrives within it (for a server that must not answer in that time).
 */
async function udp(ask: Ask, options: { waitMs?: number; count?: number } = {}): Promise<Reply[]> {
  const socket = createSocket('udp4');
  const replies: Reply[] = [];
  try {
    await new Promise<void>((resolve) => {
      if (options.waitMs !== undefined) setTimeout(resolve, options.waitMs);
      socket.on('message', (msg) => {
        replies.push(dnsPacket.decode(msg) as Reply);
        if (options.waitMs === undefined && replies.length >= (options.count ?? 1)) resolve();
      });
      socket.send(dnsPacket.encode(queryPacket(ask)), ask.port, ask.host);
    });
  } finally {
    socket.close();
  }
  return replies;
}

async function tcp(ask: Ask): Promise<Reply> {
  const socket = connect(ask.port, ask.host);
  try {
    return await new Promise<Reply>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) resolve(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))) as Reply);
      });
      socket.write(dnsPacket.streamEncode(queryPacket(ask)));
    });
  } finally {
    socket.destroy();
  }
}

async function one(ask: Ask): Promise<Reply> {
  const [reply] = await udp(ask);
  if (!reply) throw new Error(`no answer from ${ask.host} for ${ask.name}`);
  return reply;
}

const dataOf = (a: Answer): unknown => ('data' in a ? a.data : undefined);

const txt = (reply: Reply) => (reply.answers ?? []).filter((a) => a.type === 'TXT').map((a) => (dataOf(a) as Buffer[]).map((b) => b.toString()).join(''));

let store: ZoneStore;
let dns: DnsServer;
const NS1 = 'ns1.dns-test.example';
const NS2 = 'ns2.dns-test.example';
const NS3 = 'ns3.dns-test.example';

beforeEach(async () => {
  store = new ZoneStore();
  dns = await startDnsServer({
    store,
    nameservers: [
      { name: NS1, address: '127.0.0.2' },
      { name: NS2, address: '127.0.0.3' },
      { name: NS3, address: '127.0.0.4', unreachableAddresses: ['127.0.0.254'] },
    ],
  });
  store.addZone({ name: 'example.com', nameservers: dns.zoneNameservers(NS1, NS2), records: [{ name: 'www.example.com', type: 'A', data: '192.0.2.1' }] });
  store.addZone({ name: 'sub.example.com', nameservers: dns.zoneNameservers(NS3) });
  store.addZone({ name: 'delegated.test', nameservers: dns.zoneNameservers(NS1) });
});

afterEach(async () => {
  await dns.close();
});

const ns1 = () => ({ host: '127.0.0.2', port: dns.port });
const ns2 = () => ({ host: '127.0.0.3', port: dns.port });
const resolver = () => ({ ...dns.resolverAddress, rd: true });

describe('authoritative answers', () => {
  it('serves TXT with AA set, the id and question echoed, no recursion', async () => {
    store.add('example.com', { name: '_acme-challenge.example.com', type: 'TXT', data: 'token-1' });
    const reply = await one({ ...ns1(), name: '_acme-challenge.Example.com', id: 777 });
    expect(reply.id).toBe(777);
    expect(reply.flag_aa).toBe(true);
    expect(reply.flag_ra).toBe(false);
    expect(reply.rcode).toBe('NOERROR');
    expect(reply.questions?.[0]?.name).toBe('_acme-challenge.Example.com');
    expect(txt(reply)).toEqual(['token-1']);
  });

  it('answers NXDOMAIN and NOERROR-empty with the zone SOA in authority', async () => {
    const missing = await one({ ...ns1(), name: 'nope.example.com' });
    expect(missing.rcode).toBe('NXDOMAIN');
    expect(missing.flag_aa).toBe(true);
    expect(missing.authorities?.[0]).toMatchObject({ type: 'SOA', name: 'example.com' });

    const empty = await one({ ...ns1(), name: 'www.example.com', type: 'TXT' });
    expect(empty.rcode).toBe('NOERROR');
    expect(empty.answers).toEqual([]);
    expect(empty.authorities?.[0]).toMatchObject({ type: 'SOA', name: 'example.com' });
  });

  it('answers SOA and NS at the apex with the configured nameservers', async () => {
    const soa = await one({ ...ns1(), name: 'example.com', type: 'SOA' });
    expect(soa.answers?.[0]).toMatchObject({ type: 'SOA', name: 'example.com', data: { mname: NS1 } });
    const ns = await one({ ...ns2(), name: 'example.com', type: 'NS' });
    expect((ns.answers ?? []).map(dataOf).sort()).toEqual([NS1, NS2]);
  });

  it('refuses names outside its zones and refers a child zone it does not serve', async () => {
    const outside = await one({ ...ns2(), name: 'delegated.test', type: 'SOA' });
    expect(outside.rcode).toBe('REFUSED');

    const referral = await one({ ...ns1(), name: '_acme-challenge.sub.example.com' });
    expect(referral.flag_aa).toBe(false);
    expect(referral.answers).toEqual([]);
    expect(referral.authorities?.map((a) => [a.type, a.name, dataOf(a)])).toEqual([['NS', 'sub.example.com', NS3]]);

    const child = await one({ host: '127.0.0.4', port: dns.port, name: 'sub.example.com', type: 'SOA' });
    expect(child.flag_aa).toBe(true);
    expect(child.answers?.[0]).toMatchObject({ type: 'SOA', name: 'sub.example.com' });
  });

  it('serves the version of `lagMs` ago; Infinity never updates; setLag applies at once', async () => {
    dns.nameserver(NS2).setLag(Infinity);
    store.add('example.com', { name: '_acme-challenge.example.com', type: 'TXT', data: 'fresh' });
    expect(txt(await one({ ...ns1(), name: '_acme-challenge.example.com' }))).toEqual(['fresh']);
    const lagging = await one({ ...ns2(), name: '_acme-challenge.example.com' });
    expect(lagging.rcode).toBe('NXDOMAIN');

    dns.nameserver(NS2).setLag(60_000);
    expect((await one({ ...ns2(), name: '_acme-challenge.example.com' })).rcode).toBe('NXDOMAIN');
    dns.nameserver(NS2).setLag(0);
    expect(txt(await one({ ...ns2(), name: '_acme-challenge.example.com' }))).toEqual(['fresh']);
  });

  it('counts queries per nameserver and logs them', async () => {
    await one({ ...ns1(), name: 'example.com', type: 'SOA' });
    await tcp({ ...ns1(), name: 'example.com', type: 'NS' });
    expect(dns.nameserver(NS1).queries).toBe(2);
    expect(dns.nameserver(NS2).queries).toBe(0);
    expect(dns.queryLog.map((q) => [q.server, q.transport, q.type])).toEqual([
      [NS1, 'udp', 'SOA'],
      [NS1, 'tcp', 'NS'],
    ]);
  });

  it('truncates a reply larger than the asker accepts over UDP, and EDNS or TCP gets it whole', async () => {
    const values = Array.from({ length: 12 }, (_, i) => `value-${i}-${'x'.repeat(40)}`);
    store.change('example.com', { add: values.map((data) => ({ name: '_acme-challenge.example.com', type: 'TXT' as const, data })) });
    const plain = await one({ ...ns1(), name: '_acme-challenge.example.com' });
    expect(plain.flag_tc).toBe(true);
    expect(plain.answers).toEqual([]);
    const withEdns = await one({ ...ns1(), name: '_acme-challenge.example.com', edns: true });
    expect(withEdns.flag_tc).toBe(false);
    expect(txt(withEdns).sort()).toEqual([...values].sort());
    expect(withEdns.additionals?.some((a) => a.type === 'OPT')).toBe(true);
    expect(txt(await tcp({ ...ns1(), name: '_acme-challenge.example.com' })).sort()).toEqual([...values].sort());
  });

  it('splits a TXT value longer than 255 bytes into strings', async () => {
    const long = 'a'.repeat(300);
    store.add('example.com', { name: 'long.example.com', type: 'TXT', data: long });
    const reply = await tcp({ ...ns1(), name: 'long.example.com' });
    expect((dataOf(reply.answers![0]!) as Buffer[]).map((b) => b.length)).toEqual([255, 45]);
    expect(txt(reply)).toEqual([long]);
  });
});

describe('faults', () => {
  beforeEach(() => {
    store.add('example.com', { name: '_acme-challenge.example.com', type: 'TXT', data: 'v' });
  });

  it('drop: no answer at all, until cleared', async () => {
    dns.nameserver(NS1).setFault({ kind: 'drop' });
    expect(await udp({ ...ns1(), name: '_acme-challenge.example.com' }, { waitMs: 300 })).toEqual([]);
    expect(dns.nameserver(NS1).queries).toBe(1);
    dns.nameserver(NS1).setFault(undefined);
    expect(txt(await one({ ...ns1(), name: '_acme-challenge.example.com' }))).toEqual(['v']);
  });

  it('servfail and refused', async () => {
    dns.nameserver(NS1).setFault({ kind: 'servfail' });
    expect((await one({ ...ns1(), name: '_acme-challenge.example.com' })).rcode).toBe('SERVFAIL');
    dns.nameserver(NS1).setFault({ kind: 'refused' });
    expect((await one({ ...ns1(), name: '_acme-challenge.example.com' })).rcode).toBe('REFUSED');
    expect((await one({ ...ns2(), name: '_acme-challenge.example.com' })).rcode).toBe('NOERROR');
  });

  it('truncate: UDP gets TC and no records, TCP the full answer', async () => {
    dns.nameserver(NS1).setFault({ kind: 'truncate' });
    const viaUdp = await one({ ...ns1(), name: '_acme-challenge.example.com', edns: true });
    expect(viaUdp.flag_tc).toBe(true);
    expect(viaUdp.answers).toEqual([]);
    const viaTcp = await tcp({ ...ns1(), name: '_acme-challenge.example.com' });
    expect(viaTcp.flag_tc).toBe(false);
    expect(txt(viaTcp)).toEqual(['v']);
  });

  it('wrongId: a spoofed reply with another id comes first, then the real one', async () => {
    dns.nameserver(NS1).setFault({ kind: 'wrongId' });
    const replies = await udp({ ...ns1(), name: '_acme-challenge.example.com', id: 100 }, { count: 2 });
    expect(replies.map((r) => r.id)).toEqual([101, 100]);
    expect(txt(replies[0]!)).toEqual(['spoofed']);
    expect(txt(replies[1]!)).toEqual(['v']);
  });

  it('slow: answers after the delay', async () => {
    dns.nameserver(NS1).setFault({ kind: 'slow', ms: 400 });
    expect(await udp({ ...ns1(), name: '_acme-challenge.example.com' }, { waitMs: 100 })).toEqual([]);
    expect(txt(await one({ ...ns1(), name: '_acme-challenge.example.com' }))).toEqual(['v']);
  });
});

describe('the recursive resolver', () => {
  it('answers from the current version of every zone with RA set, AA clear', async () => {
    dns.nameserver(NS1).setLag(Infinity);
    store.add('example.com', { name: '_acme-challenge.example.com', type: 'TXT', data: 'now' });
    const reply = await one({ ...resolver(), name: '_acme-challenge.example.com' });
    expect(reply.flag_ra).toBe(true);
    expect(reply.flag_aa).toBe(false);
    expect(txt(reply)).toEqual(['now']);
  });

  it('resolves the nameserver host names, which lie outside every zone', async () => {
    const a = await one({ ...resolver(), name: NS3, type: 'A' });
    expect((a.answers ?? []).map(dataOf).sort()).toEqual(['127.0.0.254', '127.0.0.4']);
    const aaaa = await one({ ...resolver(), name: NS1, type: 'AAAA' });
    expect(aaaa.rcode).toBe('NOERROR');
    expect(aaaa.answers).toEqual([]);
  });

  it('gives the SOA of the enclosing zone in authority for a name below an apex', async () => {
    const reply = await one({ ...resolver(), name: '_acme-challenge.sub.example.com', type: 'SOA' });
    expect(reply.rcode).toBe('NXDOMAIN');
    expect(reply.authorities?.[0]).toMatchObject({ type: 'SOA', name: 'sub.example.com' });
  });

  it('answers a name under no zone as a real resolver answers one under a TLD that does not exist: NXDOMAIN with the root SOA', async () => {
    const reply = await one({ ...resolver(), name: 'unknown.invalid', type: 'SOA' });
    expect(reply.rcode).toBe('NXDOMAIN');
    expect(reply.answers).toEqual([]);
    expect(reply.authorities?.[0]).toMatchObject({ type: 'SOA', name: '.' });
  });

  it('follows a CNAME chain across zones in one answer', async () => {
    store.add('example.com', { name: '_acme-challenge.example.com', type: 'CNAME', data: 'hop.sub.example.com' });
    store.add('sub.example.com', { name: 'hop.sub.example.com', type: 'CNAME', data: 'final.delegated.test' });
    store.add('delegated.test', { name: 'final.delegated.test', type: 'TXT', data: 'at-the-end' });
    const reply = await one({ ...resolver(), name: '_acme-challenge.example.com' });
    expect((reply.answers ?? []).map((a) => [a.name, a.type])).toEqual([
      ['_acme-challenge.example.com', 'CNAME'],
      ['hop.sub.example.com', 'CNAME'],
      ['final.delegated.test', 'TXT'],
    ]);
    expect(txt(reply)).toEqual(['at-the-end']);
    const cnameOnly = await one({ ...resolver(), name: '_acme-challenge.example.com', type: 'CNAME' });
    expect(cnameOnly.answers?.map(dataOf)).toEqual(['hop.sub.example.com']);
  });

  it('is what dig sees (a real resolver library against the server)', async () => {
    store.add('example.com', { name: '_acme-challenge.example.com', type: 'TXT', data: 'via-dig' });
    const run = promisify(execFile); // dig waits up to 8 s for this process (its server) to answer: long enough on a busy machine
    const viaResolver = await run('dig', [
      '+short',
      '+time=8',
      '+tries=1',
      '-p',
      String(dns.port),
      `@${dns.resolverAddress.host}`,
      '_acme-challenge.example.com',
      'TXT',
    ]);
    expect(viaResolver.stdout.trim()).toBe('"via-dig"');
    const viaNs = await run('dig', ['+norecurse', '+tcp', '+time=8', '+tries=1', '-p', String(dns.port), '@127.0.0.3', 'example.com', 'NS']);
    expect(viaNs.stdout).toMatch(/flags: qr aa;/);
    expect(viaNs.stdout).toContain(`${NS2}.`);
  });
});

describe('startDnsServer', () => {
  it('puts every address on one port, a fresh one per server', async () => {
    const other = await startDnsServer({ store, nameservers: [{ name: 'nsx.dns-test.example', address: '127.0.0.2' }], resolverAddress: '127.0.0.9' });
    try {
      expect(other.port).not.toBe(dns.port);
      expect(other.resolver).toBe(`127.0.0.9:${other.port}`);
      const reply = await one({ host: '127.0.0.2', port: other.port, name: 'example.com', type: 'SOA' });
      expect(reply.rcode).toBe('REFUSED');
    } finally {
      await other.close();
    }
  });

  it('rejects an unknown nameserver name', () => {
    expect(() => dns.nameserver('ns9.dns-test.example')).toThrow(/no nameserver/);
  });
});
