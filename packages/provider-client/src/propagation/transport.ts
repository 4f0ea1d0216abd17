import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import dnsPacket, { type DecodedPacket, type Packet, type RecordType } from 'dns-packet';
import type { ServerAddress } from '../config.js';

/** A decoded reply, with the rcode dns-packet decodes but does not type. */
export type DnsReply = DecodedPacket & { rcode: string };

export interface QueryOptions {
  recursionDesired: boolean;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts on timeout or network error (default 2). */
  attempts?: number;
  signal?: AbortSignal;
}

/** No usable reply: `timeout` when nothing matching arrived, `network` for socket errors. */
export class DnsQueryError extends Error {
  constructor(
    readonly kind: 'timeout' | 'network',
    message: string,
  ) {
    super(message);
    this.name = 'DnsQueryError';
  }
}

const EDNS_PAYLOAD = 1232;

export function formatServer(server: ServerAddress): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

function buildQuery(id: number, name: string, type: RecordType, recursionDesired: boolean): Packet {
  return {
    type: 'query',
    id,
    flags: recursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ name, type, class: 'IN' }],
    additionals: [{ name: '.', type: 'OPT', udpPayloadSize: EDNS_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  };
}

/** A reply belongs to our query only when the id and the question match (anti-spoofing). */
function matches(reply: DecodedPacket, id: number, name: string, type: RecordType): boolean {
  const q = reply.questions?.[0];
  return (
    reply.type === 'response' &&
    reply.id === id &&
    reply.questions?.length === 1 &&
    q !== undefined &&
    q.type === type &&
    q.name.toLowerCase().replace(/\.$/, '') === name.toLowerCase()
  );
}

function decodeOrUndefined(message: Buffer): DnsReply | undefined {
  try {
    return dnsPacket.decode(message) as DnsReply;
  } catch {
    return undefined;
  }
}

/**
 * Runs `start` until it settles, the timeout fires or the signal aborts;
 * `start` gets `finish` and returns its cleanup.
 */
function exchange(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  describe: string,
  start: (finish: (error: Error | undefined, reply?: DnsReply) => void) => () => void,
): Promise<DnsReply> {
  return new Promise<DnsReply>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let cleanup: () => void = () => undefined;
    const onAbort = () => finish(signal?.reason as Error);
    const timer = setTimeout(() => finish(new DnsQueryError('timeout', `no answer from ${describe} within ${timeoutMs} ms`)), timeoutMs);
    let done = false;
    function finish(error: Error | undefined, reply?: DnsReply) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      cleanup();
      if (error) reject(error);
      else resolve(reply!);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    cleanup = start(finish);
  });
}

function queryUdp(server: ServerAddress, name: string, type: RecordType, options: QueryOptions): Promise<DnsReply> {
  const id = randomInt(0, 65_536);
  const message = dnsPacket.encode(buildQuery(id, name, type, options.recursionDesired));
  return exchange(options.timeoutMs, options.signal, `${formatServer(server)} (udp)`, (finish) => {
    const socket = createSocket(server.host.includes(':') ? 'udp6' : 'udp4');
    socket.on('error', (e) => finish(new DnsQueryError('network', `${formatServer(server)}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    socket.on('message', (msg) => {
      const reply = decodeOrUndefined(msg);
      if (reply && matches(reply, id, name, type)) finish(undefined, reply);
    });
    // A connected socket only accepts datagrams from the server, and reports ICMP unreachable.
    socket.connect(server.port, server.host, () => socket.send(message));
    return () => socket.close();
  });
}

function queryTcp(server: ServerAddress, name: string, type: RecordType, options: QueryOptions): Promise<DnsReply> {
  const id = randomInt(0, 65_536);
  const message = dnsPacket.streamEncode(buildQuery(id, name, type, options.recursionDesired));
  return exchange(options.timeoutMs, options.signal, `${formatServer(server)} (tcp)`, (finish) => {
    const socket = connect({ host: server.host, port: server.port });
    let pending = Buffer.alloc(0);
    socket.on('error', (e) => finish(new DnsQueryError('network', `${formatServer(server)} (tcp): ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    socket.on('connect', () => socket.write(message));
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const reply = decodeOrUndefined(pending.subarray(2, 2 + length));
        pending = pending.subarray(2 + length);
        if (reply && matches(reply, id, name, type)) finish(undefined, reply);
      }
    });
    socket.on('end', () => finish(new DnsQueryError('network', `${formatServer(server)} (tcp) closed the connection without an answer`)));
    return () => socket.destroy();
  });
}

/**
 * One DNS question to one server: UDP with EDNS and a random id, over TCP
 * when the reply is truncated. Replies whose id or question do not match are
 * ignored (the wait goes on). Timeouts and socket errors are retried.
 */
export async function queryServer(server: ServerAddress, name: string, type: RecordType, options: QueryOptions): Promise<DnsReply> {
  const attempts = Math.max(1, options.attempts ?? 2);
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const reply = await queryUdp(server, name, type, options);
      return reply.flag_tc ? await queryTcp(server, name, type, options) : reply;
    } catch (error) {
      if (!(error instanceof DnsQueryError)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}
