import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePrograms } from './debian.js';
import { explain, run, startDaemon, type Daemon } from './process.js';

/** One zone as NSD serves it: SOA serial plus zone-file lines (names relative to the origin). */
export interface NsdZone {
  origin: string;
  serial: number;
  /** e.g. `ns1 IN A 127.0.54.2`, `_acme-challenge IN TXT "value"`. */
  lines: string[];
}

export interface NsdInstance {
  address: string;
  port: number;
  /** Writes the zone file and reloads it; resolves when this instance answers with the new serial (the time it did). */
  reload(zone: NsdZone): Promise<number>;
  /** The SOA serial this instance answers with now, or undefined when it does not answer. */
  serial(): Promise<number | undefined>;
  /** nsd-control stats_noreset as numbers (num.udp, num.tcp, num.truncated, ...). */
  stats(): Promise<Record<string, number>>;
  /** NSD's log so far. */
  log(): string;
  stop(): Promise<void>;
}

function zoneFile(zone: NsdZone): string {
  return [`$ORIGIN ${zone.origin}.`, '$TTL 60', `@ IN SOA ns1 hostmaster ${zone.serial} 3600 600 86400 60`, ...zone.lines, ''].join('\n');
}

/** A DNS query for `name` SOA without EDNS, as bytes. */
function soaQuery(name: string, id: number): Buffer {
  const labels = name
    .split('.')
    .filter(Boolean)
    .map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
  const header = Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 6, 0, 1])]);
}

/** Skips a (possibly compressed) name at `at`; returns the offset after it. */
function skipName(msg: Buffer, at: number): number {
  for (let i = at; i < msg.length;) {
    const len = msg[i]!;
    if (len === 0) return i + 1;
    if ((len & 0xc0) === 0xc0) return i + 2;
    i += len + 1;
  }
  throw new Error('truncated name');
}

/** The serial of the first answer of a SOA reply with matching id, or undefined. */
function serialOf(msg: Buffer, id: number): number | undefined {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id || msg.readUInt16BE(6) === 0) return undefined;
  let at = skipName(msg, 12) + 4;
  at = skipName(msg, at);
  const type = msg.readUInt16BE(at);
  const rdlength = msg.readUInt16BE(at + 8);
  const end = at + 10 + rdlength;
  // SOA rdata ends with serial, refresh, retry, expire, minimum (5 × 32 bits).
  return type === 6 && end <= msg.length ? msg.readUInt32BE(end - 20) : undefined;
}

/**
 * The SOA serial `address:port` answers for `origin` over UDP, or undefined
 * (no answer within 500 ms). In-process, so the moment a reload shows is seen
 * within milliseconds.
 */
function soaSerial(address: string, port: number, origin: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const id = randomInt(0, 0x10000);
    const done = (serial: number | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(serial);
    };
    const timer = setTimeout(() => done(undefined), 500);
    socket.on('error', () => done(undefined));
    socket.on('message', (msg) => {
      const serial = serialOf(msg, id);
      if (serial !== undefined) done(serial);
    });
    socket.send(soaQuery(origin, id), port, address);
  });
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Starts Debian's NSD in the foreground on `address:port` (UDP and TCP),
 * authoritative for one zone, with its files in a temp directory and a
 * control socket there (no keys, no system paths).
 */
export async function startNsd(options: { address: string; port: number; zone: NsdZone }): Promise<NsdInstance> {
  requirePrograms('nsd', 'nsd-control');
  const { address, port } = options;
  const origin = options.zone.origin;
  const dir = await mkdtemp(join(tmpdir(), 'dns01-nsd-'));
  const conf = join(dir, 'nsd.conf');
  const zonePath = join(dir, 'zone.db');
  await writeFile(zonePath, zoneFile(options.zone));
  await writeFile(
    conf,
    [
      'server:',
      `  ip-address: ${address}`,
      `  port: ${port}`,
      '  username: ""',
      '  chroot: ""',
      `  zonesdir: "${dir}"`,
      `  pidfile: "${join(dir, 'nsd.pid')}"`,
      '  database: ""',
      `  xfrdfile: "${join(dir, 'xfrd.state')}"`,
      `  zonelistfile: "${join(dir, 'zone.list')}"`,
      '  do-ip6: no',
      '  server-count: 1',
      '  verbosity: 1',
      'remote-control:',
      '  control-enable: yes',
      `  control-interface: "${join(dir, 'control.sock')}"`,
      'zone:',
      `  name: ${origin}`,
      `  zonefile: "${zonePath}"`,
      '',
    ].join('\n'),
  );
  const control = async (...args: string[]) => {
    const r = await run('nsd-control', ['-c', conf, ...args], { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`nsd-control ${args.join(' ')}: ${explain(r)}`);
    return r.stdout;
  };
  let daemon: Daemon | undefined;
  try {
    // In the foreground NSD logs to stderr.
    daemon = await startDaemon('nsd', ['-d', '-c', conf], { readyTimeoutMs: 10_000, ready: (output) => output.includes('nsd started') });
    const started = daemon;
    await until(`nsd on ${address}:${port} serving ${origin}`, 10_000, async () =>
      (await soaSerial(address, port, origin)) === options.zone.serial ? true : undefined,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${started.output()}`);
    });
  } catch (error) {
    await daemon?.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const running = daemon;
  return {
    address,
    port,
    async reload(zone) {
      await writeFile(zonePath, zoneFile(zone));
      await control('reload', origin);
      return until(`nsd on ${address} reloading serial ${zone.serial}`, 10_000, async () =>
        (await soaSerial(address, port, origin)) === zone.serial ? Date.now() : undefined,
      );
    },
    serial: () => soaSerial(address, port, origin),
    async stats() {
      const out = await control('stats_noreset');
      return Object.fromEntries(
        out
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), Number(l.slice(l.indexOf('=') + 1))]),
      );
    },
    log: () => running.output(),
    async stop() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
