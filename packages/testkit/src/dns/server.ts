import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import dnsPacket, { type DecodedPacket, type Packet, type Question } from 'dns-packet';
import type { NameserverSpec, ZoneStore } from '../zone-store.js';
import { authoritativeReply, normalizeName, Rcode, recursiveReply, replyPacket, udpLimit, type HostAddresses, type Reply } from './answer.js';

/** A misbehaviour a nameserver shows until it is changed or cleared. */
export type DnsFault =
  /** Never answer (the asker's timeout must fire). */
  | { kind: 'drop' }
  | { kind: 'servfail' }
  | { kind: 'refused' }
  /** Over UDP: answer with TC set and no records. Over TCP: answer fully. */
  | { kind: 'truncate' }
  /** First send a spoofed reply with another id (and a bogus TXT), then the real one. */
  | { kind: 'wrongId' }
  /** Answer normally after a delay. */
  | { kind: 'slow'; ms: number };

export interface NameserverOptions {
  /** Host name, e.g. ns1.dns-test.example. */
  name: string;
  /** The loopback address it listens on, e.g. 127.0.0.2. */
  address: string;
  /** Addresses published for it (A/AAAA) where nothing listens: an unreachable address. */
  unreachableAddresses?: string[];
  /** Serves each zone as it was this long ago (default 0; Infinity = never updates). */
  lagMs?: number;
}

export interface DnsServerOptions {
  store: ZoneStore;
  nameservers: NameserverOptions[];
  /** Where the recursive resolver listens (default 127.0.0.1). */
  resolverAddress?: string;
  /** A fixed port instead of a free one picked at run time. */
  port?: number;
  /** The clock the store records versions with (default Date.now). */
  now?: () => number;
}

export interface LoggedQuery {
  at: number;
  /** The nameserver's host name, or `resolver`. */
  server: string;
  address: string;
  transport: 'udp' | 'tcp';
  id: number;
  name: string;
  type: string;
  recursionDesired: boolean;
}

export interface NameserverControl {
  readonly name: string;
  readonly address: string;
  readonly lagMs: number;
  /** Queries received so far (over UDP and TCP). */
  readonly queries: number;
  setLag(ms: number): void;
  setFault(fault: DnsFault | undefined): void;
}

export interface DnsServer {
  /** The one port every nameserver and the resolver listen on. */
  readonly port: number;
  /** The resolver as `ip:port`, e.g. for `pebble -dnsserver` or DNS01_RESOLVERS. */
  readonly resolver: string;
  readonly resolverAddress: { host: string; port: number };
  /** Every query received, oldest first. */
  readonly queryLog: LoggedQuery[];
  nameserver(name: string): NameserverControl;
  /** NameserverSpec entries for `store.addZone`, so the zone's NS set names these servers. */
  zoneNameservers(...names: string[]): NameserverSpec[];
  close(): Promise<void>;
}

interface Identity {
  name: string;
  address: string;
  unreachable: string[];
  lagMs: number;
  fault: DnsFault | undefined;
  queries: number;
}

interface Listener {
  udp: UdpSocket;
  tcp: Server;
}

async function bindUdp(address: string, port: number): Promise<UdpSocket> {
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

async function listenTcp(address: string, port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function closeListeners(listeners: Listener[]): Promise<void> {
  await Promise.all(
    listeners.flatMap((l) => [new Promise<void>((resolve) => l.udp.close(() => resolve())), new Promise<void>((resolve) => l.tcp.close(() => resolve()))]),
  );
}

/** Binds UDP and TCP on every address with one port, picked free on all of them. */
async function bindAll(addresses: string[], fixedPort: number | undefined): Promise<{ port: number; listeners: Listener[] }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const listeners: Listener[] = [];
    let port = fixedPort ?? 0;
    try {
      for (const address of addresses) {
        const udp = await bindUdp(address, port);
        if (port === 0) port = udp.address().port;
        const tcp = await listenTcp(address, port).catch(async (error: unknown) => {
          await new Promise<void>((resolve) => udp.close(() => resolve()));
          throw error;
        });
        listeners.push({ udp, tcp });
      }
      return { port, listeners };
    } catch (error) {
      await closeListeners(listeners);
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || fixedPort !== undefined) throw error;
    }
  }
  throw new Error('no port free on every DNS server address after 50 attempts');
}

/**
 * Starts an authoritative DNS server on loopback (UDP and TCP) for the zones in
 * `store`, with one identity per nameserver on its own 127.0.0.x address and
 * a recursive resolver on `resolverAddress`, all on one port.
 *
 * - Each nameserver serves the zones whose NS set names it (see
 *   `zoneNameservers`), as they were `lagMs` ago, with AA set; it refers
 *   child zones it does not serve and refuses names outside its zones.
 * - Faults (`setFault`) and lag (`setLag`) change at run time.
 * - The resolver answers from the current version of every zone, follows
 *   CNAME chains across zones and resolves the nameservers' host names.
 *
 * ```ts
 * const dns = await startDnsServer({ store, nameservers: [{ name: 'ns1.dns-test.example', address: '127.0.0.2' }] });
 * store.addZone({ name: 'example.com', nameservers: dns.zoneNameservers() });
 * // DNS01_RESOLVERS=dns.resolver, DNS01_NS_PORT=dns.port
 * await dns.close();
 * ```
 */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const { store } = options;
  const now = options.now ?? Date.now;
  const resolverHost = options.resolverAddress ?? '127.0.0.1';
  const identities = new Map<string, Identity>();
  for (const ns of options.nameservers) {
    const name = normalizeName(ns.name);
    if (identities.has(name)) throw new Error(`nameserver ${name} given twice`);
    identities.set(name, { name, address: ns.address, unreachable: ns.unreachableAddresses ?? [], lagMs: ns.lagMs ?? 0, fault: undefined, queries: 0 });
  }
  const byAddress = new Map<string, Identity>();
  for (const id of identities.values()) {
    if (id.address === resolverHost || byAddress.has(id.address)) throw new Error(`address ${id.address} used twice`);
    byAddress.set(id.address, id);
  }

  const queryLog: LoggedQuery[] = [];
  const connections = new Set<TcpSocket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const hostAddresses = (): HostAddresses => {
    const hosts = new Map<string, string[]>();
    for (const zone of store.zoneNames()) {
      for (const ns of store.nameservers(zone)) hosts.set(normalizeName(ns.name), ns.addresses);
    }
    for (const id of identities.values()) hosts.set(id.name, [id.address, ...id.unreachable]);
    return hosts;
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  /** The replies (encoded, in order) for one query message; none = drop. */
  const answer = async (message: Buffer, address: string, transport: 'udp' | 'tcp'): Promise<Buffer[]> => {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return [];
    }
    if (query.type !== 'query') return [];
    const question: Question | undefined = query.questions?.[0];
    const identity = byAddress.get(address);
    queryLog.push({
      at: now(),
      server: identity?.name ?? 'resolver',
      address,
      transport,
      id: query.id ?? 0,
      name: question?.name ?? '',
      type: question?.type ?? '',
      recursionDesired: query.flag_rd,
    });
    const fail = (rcode: number): Reply => ({ rcode, authoritative: false, answers: [], authorities: [] });
    if (!question || query.questions?.length !== 1) return [dnsPacket.encode(replyPacket(query, fail(Rcode.formErr), { recursionAvailable: !identity }))];

    if (!identity) {
      const packet = replyPacket(query, recursiveReply(store, hostAddresses(), question), { recursionAvailable: true });
      return [encodeFor(packet, query, transport)];
    }

    identity.queries += 1;
    const fault = identity.fault;
    if (fault?.kind === 'drop') return [];
    if (fault?.kind === 'slow') await wait(fault.ms);
    if (fault?.kind === 'servfail') return [dnsPacket.encode(replyPacket(query, fail(Rcode.servFail), { recursionAvailable: false }))];
    if (fault?.kind === 'refused') return [dnsPacket.encode(replyPacket(query, fail(Rcode.refused), { recursionAvailable: false }))];

    const reply = authoritativeReply(store, hostAddresses(), identity.name, question, now() - identity.lagMs);
    const out: Buffer[] = [];
    if (fault?.kind === 'wrongId') {
      const spoof: Reply = { ...reply, rcode: Rcode.noError, answers: [{ name: question.name, type: 'TXT', ttl: 300, data: 'spoofed' }] };
      out.push(dnsPacket.encode(replyPacket(query, spoof, { recursionAvailable: false, id: ((query.id ?? 0) + 1) & 0xffff })));
    }
    const truncated = fault?.kind === 'truncate' && transport === 'udp';
    out.push(encodeFor(replyPacket(query, reply, { recursionAvailable: false, truncated }), query, transport));
    return out;
  };

  const { port, listeners } = await bindAll([resolverHost, ...byAddress.keys()], options.port);

  for (const [i, address] of [resolverHost, ...byAddress.keys()].entries()) {
    const { udp, tcp } = listeners[i]!;
    udp.on('message', (message, rinfo) => {
      void answer(message, address, 'udp').then((replies) => {
        for (const reply of replies) if (!closed) udp.send(reply, rinfo.port, rinfo.address);
      });
    });
    tcp.on('connection', (socket) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
      socket.on('error', () => socket.destroy());
      let pending = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
          const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
          pending = pending.subarray(2 + message.length);
          void answer(Buffer.from(message), address, 'tcp').then((replies) => {
            for (const reply of replies) {
              if (closed || socket.destroyed) return;
              const framed = Buffer.alloc(2 + reply.length);
              framed.writeUInt16BE(reply.length, 0);
              reply.copy(framed, 2);
              socket.write(framed);
            }
          });
        }
      });
    });
  }

  const identityNamed = (name: string): Identity => {
    const id = identities.get(normalizeName(name));
    if (!id) throw new Error(`no nameserver ${name}; known: ${[...identities.keys()].join(', ')}`);
    return id;
  };

  const control = (id: Identity): NameserverControl => ({
    get name() {
      return id.name;
    },
    get address() {
      return id.address;
    },
    get lagMs() {
      return id.lagMs;
    },
    get queries() {
      return id.queries;
    },
    setLag(ms) {
      id.lagMs = ms;
    },
    setFault(fault) {
      id.fault = fault;
    },
  });

  return {
    port,
    resolver: `${resolverHost.includes(':') ? `[${resolverHost}]` : resolverHost}:${port}`,
    resolverAddress: { host: resolverHost, port },
    queryLog,
    nameserver(name) {
      return control(identityNamed(name));
    },
    zoneNameservers(...names) {
      const chosen = names.length === 0 ? [...identities.values()] : names.map(identityNamed);
      return chosen.map((id) => ({ name: id.name, addresses: [id.address, ...id.unreachable] }));
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of connections) s.destroy();
      await closeListeners(listeners);
    },
  };
}

/** Over UDP a reply larger than the asker accepts goes out truncated (TC, no records). */
function encodeFor(packet: Packet, query: Packet, transport: 'udp' | 'tcp'): Buffer {
  const encoded = dnsPacket.encode(packet);
  if (transport === 'tcp' || encoded.length <= udpLimit(query)) return encoded;
  return dnsPacket.encode({ ...packet, flags: (packet.flags ?? 0) | 0x0200, answers: [], authorities: [] });
}
