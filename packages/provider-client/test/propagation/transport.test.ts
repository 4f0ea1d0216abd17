// transport.ts against hand-made servers on loopback: spoofed replies are
// ignored, a truncated UDP reply is asked again over TCP, silence times out.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { DnsQueryError, formatServer, queryServer } from '../../src/propagation/transport.js';

const NAME = '_acme-challenge.example.com';
let udp: Socket | undefined;
let tcp: Server | undefined;
afterEach(async () => {
  udp?.close();
  await new Promise<void>((resolve) => (tcp ? tcp.close(() => resolve()) : resolve()));
  udp = undefined;
  tcp = undefined;
});

function answer(query: Packet, values: string[], flags = dnsPacket.AUTHORITATIVE_ANSWER): Packet {
  return {
    type: 'response',
    id: query.id,
    flags,
    questions: query.questions,
    answers: values.map((v) => ({ name: NAME, type: 'TXT', class: 'IN', ttl: 60, data: v })),
  };
}

/** A UDP server on a free loopback port answering each query with `reply` (undefined: silence). */
async function udpServer(reply: (query: Packet) => Packet[] | undefined): Promise<number> {
  udp = createSocket('udp4');
  udp.on('message', (msg, from) => {
    const query = dnsPacket.decode(msg);
    for (const r of reply(query) ?? []) udp!.send(dnsPacket.encode(r), from.port, from.address);
  });
  await new Promise<void>((resolve) => udp!.bind(0, '127.0.0.1', resolve));
  return udp.address().port;
}

describe('queryServer', () => {
  it('ignores a reply with another id or another question, and takes the matching one', async () => {
    const port = await udpServer((q) => [
      { ...answer(q, ['spoofed-id']), id: (q.id! + 1) % 65_536 },
      { ...answer(q, ['spoofed-question']), questions: [{ name: 'other.example.com', type: 'TXT', class: 'IN' }] },
      answer(q, ['genuine']),
    ]);
    const reply = await queryServer({ host: '127.0.0.1', port }, NAME, 'TXT', { recursionDesired: false, timeoutMs: 1000 });
    expect(reply.answers?.map((a) => ('data' in a ? String(a.data) : ''))).toEqual(['genuine']);
  });

  it('asks again over TCP when the UDP reply is truncated', async () => {
    const port = await udpServer((q) => [{ ...answer(q, []), flags: dnsPacket.TRUNCATED_RESPONSE }]);
    tcp = createServer((socket) => {
      socket.on('data', (data) => {
        const query = dnsPacket.streamDecode(data);
        socket.end(dnsPacket.streamEncode(answer(query, ['from-tcp'])));
      });
    });
    await new Promise<void>((resolve) => tcp!.listen(port, '127.0.0.1', resolve));
    const reply = await queryServer({ host: '127.0.0.1', port }, NAME, 'TXT', { recursionDesired: false, timeoutMs: 1000 });
    expect(reply.answers?.map((a) => ('data' in a ? String(a.data) : ''))).toEqual(['from-tcp']);
  });

  it('a server that never answers is a DnsQueryError of kind timeout after every attempt', async () => {
    let asked = 0;
    const port = await udpServer(() => {
      asked++;
      return undefined;
    });
    const error = await queryServer({ host: '127.0.0.1', port }, NAME, 'TXT', { recursionDesired: false, timeoutMs: 150, attempts: 2 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DnsQueryError);
    expect((error as DnsQueryError).kind).toBe('timeout');
    expect(asked).toBe(2);
  });

  it('formatServer brackets IPv6 addresses', () => {
    expect(formatServer({ host: '192.0.2.1', port: 53 })).toBe('192.0.2.1:53');
    expect(formatServer({ host: '2001:db8::1', port: 5353 })).toBe('[2001:db8::1]:5353');
  });
});
