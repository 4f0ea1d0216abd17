import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePrograms } from './debian.js';
import { startDaemon, type Daemon } from './process.js';
import { makeTestTls, type TestTls } from './tls.js';

export interface Pebble {
  /** The ACME directory URL, e.g. https://127.0.0.1:40123/dir */
  directoryUrl: string;
  /** Pebble's HTTPS is signed by this throw-away CA: what clients must trust. */
  tls: TestTls;
  /** Pebble's issuing root (regenerated at every start), PEM, for verifying chains. */
  issuingRoot(): Promise<string>;
  /** Everything Pebble logged so far. */
  output(): string;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, picked by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function httpsGet(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url}: HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Pebble says it is ready before its management listener is bound (a goroutine of its own): a refused
 * connection is retried while Pebble runs, for up to 20 s (a loaded machine took more than 2).
 */
async function whileStarting<T>(daemon: Daemon, fn: () => Promise<T>, withinMs = 20_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      const starting = daemon.child.exitCode === null && Date.now() < deadline;
      if (!starting || (error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Starts Debian's Pebble (`binary`: bookworm's on PATH by default, or sid's
 * extracted one) on loopback ports picked now, validating dns-01 through
 * `dnsServer` (ip:port), with no artificial sleeps, no rejected nonces and no
 * authorization reuse (so every order really runs the hooks).
 */
export async function startPebble(options: { dnsServer: string; binary?: string }): Promise<Pebble> {
  requirePrograms(...(options.binary ? [] : ['pebble' as const]), 'openssl');
  const dir = await mkdtemp(join(tmpdir(), 'dns01-pebble-'));
  let daemon: Daemon | undefined;
  try {
    const tls = await makeTestTls(dir);
    const [acmePort, managementPort] = [await freePort(), await freePort()];
    const config = {
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: tls.certPath,
        privateKey: tls.keyPath,
        // Ports Pebble would connect to for http-01 / tls-alpn-01; unused by dns-01.
        httpPort: 5002,
        tlsPort: 5001,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        // Pebble 2.10 answers polls with Retry-After (3 s for authorizations, 5 s for orders by default), which clients honour.
        retryAfter: { authz: 1, order: 1 },
      },
    };
    const configPath = join(dir, 'pebble-config.json');
    await writeFile(configPath, JSON.stringify(config));
    daemon = await startDaemon(options.binary ?? 'pebble', ['-config', configPath, '-dnsserver', options.dnsServer], {
      env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
      readyTimeoutMs: 20_000,
      ready: (output) => output.includes('ACME directory available'),
    });
    const running = daemon;
    const ca = readFileSync(tls.caCertPath, 'utf8');
    return {
      directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
      tls,
      issuingRoot: () => whileStarting(running, () => httpsGet(`https://127.0.0.1:${managementPort}/roots/0`, ca)),
      output: () => running.output(),
      async close() {
        await running.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await daemon?.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
