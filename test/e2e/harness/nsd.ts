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

/** The SOA serial `address:port` answers for `origin`, asked with dig over UDP. */
async function soaSerial(address: string, port: number, origin: string): Promise<number | undefined> {
  const r = await run('dig', ['+short', '+time=1', '+tries=1', '-p', String(port), `@${address}`, origin, 'SOA'], { timeoutMs: 5000 });
  const serial = Number(r.stdout.trim().split(/\s+/)[2]);
  return r.code === 0 && Number.isInteger(serial) ? serial : undefined;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts Debian's NSD in the foreground on `address:port` (UDP and TCP),
 * authoritative for one zone, with its files in a temp directory and a
 * control socket there (no keys, no system paths).
 */
export async function startNsd(options: { address: string; port: number; zone: NsdZone }): Promise<NsdInstance> {
  requirePrograms('nsd', 'nsd-control', 'dig');
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
      return Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), Number(l.slice(l.indexOf('=') + 1))]));
    },
    log: () => running.output(),
    async stop() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
