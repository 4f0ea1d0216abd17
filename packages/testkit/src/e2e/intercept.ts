import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { makeTestTls, type TestTls } from './tls.js';

/** Where the proxy sends the decrypted traffic for one intercepted host name. */
export interface InterceptTarget {
  host: string;
  port: number;
}

export interface InterceptProxy {
  /** The proxy's own URL, for HTTPS_PROXY / https_proxy. */
  url: string;
  /** The CA that signed the certificate the proxy shows for the intercepted names: the client must trust it. */
  tls: TestTls;
  /** Every CONNECT the proxy received, as host:port (intercepted or refused). */
  readonly connects: string[];
  close(): Promise<void>;
}

/**
 * An HTTPS interception proxy on 127.0.0.1, for peers whose API endpoint is
 * fixed in their code (lego's and acme.sh's netcup clients ask
 * ccp.netcup.net): a CONNECT to one of `routes`' host names is answered with
 * TLS under a certificate for that name from a throw-away CA, and the
 * decrypted HTTP goes to the loopback emulator. Any other CONNECT, and any
 * plain proxy request, is refused: nothing leaves the machine.
 */
export async function startInterceptProxy(routes: Record<string, InterceptTarget>): Promise<InterceptProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'dns01-intercept-'));
  const targets = new Map(Object.entries(routes).map(([h, t]) => [h.toLowerCase(), t]));
  const tls = await makeTestTls(dir, [...targets.keys()]);
  const [key, cert] = await Promise.all([readFile(tls.keyPath), readFile(tls.certPath)]);
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };

  const server = createServer((_req, res) => {
    res.writeHead(403, { 'content-type': 'text/plain' }).end('this proxy only intercepts CONNECT to the emulated hosts\n');
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    track(client);
    const authority = req.url ?? '';
    connects.push(authority);
    const host = authority.replace(/:\d+$/, '').toLowerCase();
    const target = targets.get(host);
    if (!target) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) client.unshift(head);
    const secure = new TLSSocket(client, { isServer: true, key, cert, ALPNProtocols: ['http/1.1'] });
    track(secure);
    const upstream = connect(target.port, target.host);
    track(upstream);
    secure.pipe(upstream).pipe(secure);
    const closeBoth = () => {
      secure.destroy();
      upstream.destroy();
    };
    secure.once('close', closeBoth);
    upstream.once('close', closeBoth);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tls,
    connects,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
