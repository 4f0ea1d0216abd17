/**
 * `dns01 serve` as the built executable in front of a test world's provider
 * emulator, a recorder of what each client sends it, and the ACME clients
 * that reach it over their own protocols: lego `--dns httpreq` (default and
 * RAW) and `--dns acme-dns`, acme.sh's `dns_acmedns` and `dns_acmeproxy`.
 * dns01's own hooks reach it through `DNS01_PROVIDER=gateway` (the certbot
 * and acme-client runners of clients.ts, on a context from `gatewayContext`).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, lstatSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Program } from './debian.js';
import type { Suite } from './suites.js';
import {
  acmeshIssueArgs,
  hookExecutable,
  installHookBins,
  legoRunArgs,
  mustSucceed,
  readCert,
  runClient,
  type Issuance,
  type IssueContext,
} from './clients.js';
import { explain, run, startDaemon, type Daemon, type RunResult } from './process.js';
import type { E2eWorld } from './world.js';

/** A client of the gateway as `dns01 serve client add --json` printed it. */
export interface GatewayClient {
  id: string;
  secret: string;
  names: string[];
  /** The acme-dns account entries, keyed by domain (cert-manager's Secret, lego's ACME_DNS_STORAGE_PATH file). */
  acmeDnsAccounts: Record<string, Record<string, string>>;
}

/** One line of the gateway's audit log. */
export type AuditLine = Record<string, unknown> & { client: string; action: string; result: string; name?: string; value?: string };

/** One entry of the gateway's ledger file. */
export interface LedgerRecord {
  client: string;
  protocol: string;
  asked: string;
  name: string;
  value: string;
  state: string;
}

export interface GatewayProcess {
  /** `http://127.0.0.1:<port>`: the same across restarts. */
  readonly url: string;
  readonly stateDir: string;
  /** Every line the gateway processes wrote so far, over all restarts. */
  output(): string;
  /** `dns01 serve client add <id> --names ... --url <url> --json`, against the running gateway's clients file. */
  addClient(id: string, names: readonly string[]): Promise<GatewayClient>;
  ledger(): LedgerRecord[];
  audit(): AuditLine[];
  /** SIGKILL: no chance to finish anything. */
  kill(): Promise<void>;
  /** SIGTERM (the requests in flight are finished first), then its state directory is removed: the end of it. */
  stop(): Promise<void>;
  /** Starts it again on the same port and state directory (a stopped or killed one; a running one is stopped first). */
  restart(): Promise<void>;
}

const READY = /serving on (\S+)/;

/**
 * Starts `dns01 serve` as a process with a world's provider settings
 * (`providerEnv`: the provider credentials live here and nowhere else), its
 * own state directory, on a free loopback port, audit log in the state
 * directory, every log line at debug level unless `extraEnv` says otherwise
 * (the no-secret assertions then cover the chattiest output).
 */
export async function startGatewayProcess(providerEnv: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<GatewayProcess> {
  const stateDir = mkdtempSync(join(tmpdir(), 'dns01-e2e-gateway-'));
  const bin = hookExecutable('dns01');
  const baseEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: stateDir,
    LANG: 'C.UTF-8',
    ...providerEnv,
    DNS01_SERVE_STATE_DIR: stateDir,
    DNS01_LOG_LEVEL: 'debug',
    ...extraEnv,
  };
  let earlier = '';
  const start = async (listen: string): Promise<Daemon> =>
    startDaemon(process.execPath, [bin, 'serve'], { env: { ...baseEnv, DNS01_SERVE_LISTEN: listen }, readyTimeoutMs: 60_000, ready: (out) => READY.test(out) });
  let daemon: Daemon | undefined = await start('127.0.0.1:0');
  const url = READY.exec(daemon.output())![1]!;
  const listen = url.replace(/^http:\/\//, '');
  const retire = async (how: 'SIGTERM' | 'SIGKILL') => {
    if (!daemon) return;
    const d = daemon;
    daemon = undefined;
    if (how === 'SIGKILL') d.child.kill('SIGKILL');
    await d.stop();
    earlier += d.output();
  };
  const readLines = (file: string): string[] => {
    try {
      return readFileSync(join(stateDir, file), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
    } catch {
      return [];
    }
  };
  return {
    url,
    stateDir,
    output: () => earlier + (daemon?.output() ?? ''),
    async addClient(id, names) {
      const result = await run(process.execPath, [bin, 'serve', 'client', 'add', id, '--names', names.join(','), '--url', url, '--json'], {
        env: baseEnv,
        timeoutMs: 60_000,
      });
      if (result.code !== 0) throw new Error(explain(result));
      return JSON.parse(result.stdout) as GatewayClient;
    },
    ledger() {
      try {
        return (JSON.parse(readFileSync(join(stateDir, 'ledger.json'), 'utf8')) as { records: LedgerRecord[] }).records;
      } catch {
        return [];
      }
    },
    audit: () => readLines('audit.log').map((l) => JSON.parse(l) as AuditLine),
    kill: () => retire('SIGKILL'),
    async stop() {
      await retire('SIGTERM');
      rmSync(stateDir, { recursive: true, force: true });
    },
    async restart() {
      await retire('SIGTERM');
      daemon = await start(listen);
    },
  };
}

/** One request a client sent the gateway, as it arrived. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
  reply: string;
}

/**
 * A plain HTTP forwarder on loopback in front of the gateway that keeps every
 * request and reply: what each client really sends (method, path, headers,
 * the JSON keys' spelling), asserted by the tests and quoted by the docs.
 */
export interface RequestRecorder {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRequestRecorder(target: string): Promise<RequestRecorder> {
  const requests: RecordedRequest[] = [];
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: to.host };
      const forward = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers }, (reply) => {
        const out: Buffer[] = [];
        reply.on('data', (c: Buffer) => out.push(c));
        reply.on('end', () => {
          const text = Buffer.concat(out).toString('utf8');
          requests.push({
            method: req.method ?? '',
            path: req.url ?? '',
            headers: req.headers,
            body: body.toString('utf8'),
            status: reply.statusCode ?? 0,
            reply: text,
          });
          res.writeHead(reply.statusCode ?? 502, { 'content-type': reply.headers['content-type'] ?? 'application/json' }).end(text);
        });
      });
      forward.on('error', (error) => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: body.toString('utf8'), status: 0, reply: error.message });
        res.destroy();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The world's provider variables (credentials, endpoint): what a host without provider credentials must not hold. */
export function providerVariables(e2e: E2eWorld): Record<string, string> {
  return Object.fromEntries(Object.entries(e2e.world.env).filter(([k]) => !k.startsWith('DNS01_')));
}

/**
 * An issue context for a host that holds no provider credentials: PATH with
 * the hooks, HOME and a state directory of its own, the DNS settings, and the
 * gateway client's settings for dns01's own hooks (`DNS01_PROVIDER=gateway`;
 * lego and acme.sh take theirs from their runners). Nothing of the world's
 * provider variables.
 */
export function gatewayContext(e2e: E2eWorld, gatewayUrl: string, client: GatewayClient, domains: readonly string[]): IssueContext {
  const dir = mkdtempSync(join(tmpdir(), 'dns01-e2e-gateway-client-'));
  const world = e2e.world.env;
  const settings: Record<string, string> = {
    DNS01_PROVIDER: 'gateway',
    DNS01_GATEWAY_URL: gatewayUrl,
    DNS01_GATEWAY_CLIENT: client.id,
    DNS01_GATEWAY_SECRET: client.secret,
    DNS01_RESOLVERS: world.DNS01_RESOLVERS!,
    DNS01_NS_PORT: world.DNS01_NS_PORT!,
    DNS01_POLLING_INTERVAL: world.DNS01_POLLING_INTERVAL!,
    DNS01_PROPAGATION_TIMEOUT: world.DNS01_PROPAGATION_TIMEOUT!,
    DNS01_STATE_DIR: join(dir, 'state'),
    DNS01_LOG_LEVEL: 'debug',
  };
  mkdirSync(settings.DNS01_STATE_DIR!, { mode: 0o700 });
  return {
    pebble: e2e.pebble,
    suite: e2e.suite,
    env: { PATH: installHookBins(join(dir, 'bin')), HOME: dir, LANG: 'C.UTF-8', ...settings },
    settings,
    providerSettings: { DNS01_GATEWAY_URL: gatewayUrl, DNS01_GATEWAY_CLIENT: client.id, DNS01_GATEWAY_SECRET: client.secret },
    domains: [...domains],
    dnsServer: e2e.world.dns.resolver,
    dir,
  };
}

/** Removes a context's directory. */
export function removeContext(ctx: IssueContext): void {
  rmSync(ctx.dir, { recursive: true, force: true });
}

/**
 * Where a host without provider credentials still shows one: each variable
 * of the client's environment named like a provider variable or holding a
 * provider value, and each file under the context's directory (HOME, the
 * dns01 config file, lego's account file, acme.sh's account.conf, logs,
 * certificates; the hook links in bin/ are skipped) holding a provider
 * value. The customer number is looked for only in the environment: five
 * digits that a port or a serial number in a file may hold by chance.
 */
export function providerCredentialsIn(env: NodeJS.ProcessEnv, dir: string, provider: Record<string, string>): string[] {
  const found: string[] = [];
  const values = Object.values(provider);
  for (const [key, value] of Object.entries(env)) {
    if (key in provider || /^(NETCUP|NC|XSSERVER|MRDOMAIN|SOURCEDESK)_/i.test(key)) found.push(`environment: ${key}`);
    else if (value && values.some((v) => value.includes(v))) found.push(`environment: ${key} holds a provider value`);
  }
  const fileValues = values.filter((v) => v.length >= 8);
  const walk = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      for (const entry of readdirSync(path)) walk(join(path, entry));
      return;
    }
    if (!st.isFile()) return;
    const text = readFileSync(path, 'latin1');
    for (const v of fileValues) if (text.includes(v)) found.push(`file ${path} holds a provider value`);
  };
  walk(dir);
  return found;
}

/** A client that reaches the gateway over its own protocol. */
export interface GatewayRunner {
  name: string;
  programs: Program[];
  protocol: 'httpreq' | 'acme-dns';
  issue(ctx: IssueContext, gateway: { url: string; client: GatewayClient }): Promise<Issuance>;
}

const CLIENT_TIMEOUT_MS = 120_000;

/**
 * `lego --dns httpreq` or `--dns acme-dns ... run`. lego's own propagation
 * check queries each authoritative nameserver on port 53 by its host name
 * through the system resolver, which cannot see the test zones: it is
 * disabled (`--dns.disable-cp`; Pebble asks the world's resolver).
 */
export function legoGatewayRun(ctx: IssueContext, provider: 'httpreq' | 'acme-dns', env: Record<string, string>): Promise<RunResult> {
  return runClient(ctx, ctx.suite.lego(), legoRunArgs(ctx, provider), {
    env: { ...ctx.env, LEGO_CA_CERTIFICATES: ctx.pebble.tls.caCertPath, ...env },
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
}

/** lego's httpreq variables for a gateway client (RAW: lego sends the key authorization, the gateway computes the value). */
export function httpreqEnv(url: string, client: GatewayClient, mode: 'default' | 'RAW'): Record<string, string> {
  return {
    HTTPREQ_ENDPOINT: url,
    HTTPREQ_USERNAME: client.id,
    HTTPREQ_PASSWORD: client.secret,
    ...(mode === 'RAW' ? { HTTPREQ_MODE: 'RAW' } : {}),
    // lego sleeps this long before its (disabled) check of each name (default 2 s).
    HTTPREQ_POLLING_INTERVAL: '1',
  };
}

function legoCertificate(ctx: IssueContext, runs: RunResult[]): string {
  return readCert(join(ctx.dir, 'lego', 'certificates', `${ctx.domains[0]}.crt`), runs);
}

export function legoHttpreqRunner(suite: Suite, mode: 'default' | 'RAW'): GatewayRunner {
  return {
    name: `lego ${suite.versions.lego} --dns httpreq (${mode} mode)`,
    programs: ['lego'],
    protocol: 'httpreq',
    async issue(issue, { url, client }) {
      const runs: RunResult[] = [];
      await mustSucceed(legoGatewayRun(issue, 'httpreq', httpreqEnv(url, client, mode)), runs);
      return { runs, certificates: [legoCertificate(issue, runs)] };
    },
  };
}

/** The account file `client add` printed, where lego's ACME_DNS_STORAGE_PATH points (mode 600, as goacmedns writes it). */
export function writeAcmeDnsAccounts(dir: string, client: GatewayClient): string {
  const path = join(dir, 'acme-dns-accounts.json');
  writeFileSync(path, JSON.stringify(client.acmeDnsAccounts, null, 2), { mode: 0o600 });
  return path;
}

/**
 * The real acme.sh (3.1.5) with one of its own dnsapi scripts, `--issue`,
 * then `--cron --force` with only PATH and HOME, as cron runs it: the
 * gateway settings come from what acme.sh saved (account.conf for
 * dns_acmeproxy, the domain's conf for dns_acmedns). acme.sh's own check
 * asks public DNS-over-HTTPS resolvers, which cannot see the test zone:
 * `--dnssleep 2` (the nameservers' lag, 1.2 s, and a margin) instead.
 */
export function acmeshGatewayRunner(suite: Suite, dnsapi: 'dns_acmedns' | 'dns_acmeproxy'): GatewayRunner {
  return {
    name: `acme.sh ${suite.versions['acme.sh']} --dns ${dnsapi} (issue, then cron renewal from what it saved)`,
    programs: ['curl'],
    protocol: dnsapi === 'dns_acmedns' ? 'acme-dns' : 'httpreq',
    async issue(issue, { url, client }) {
      const acmesh = issue.suite.acmesh();
      const home = join(issue.dir, 'acme.sh');
      const runs: RunResult[] = [];
      const packaged = { ACME_PACKAGED: '1' };
      const settings =
        dnsapi === 'dns_acmedns'
          ? { ACMEDNS_BASE_URL: url, ACMEDNS_USERNAME: client.id, ACMEDNS_PASSWORD: client.secret, ACMEDNS_SUBDOMAIN: issue.domains[0]! }
          : { ACMEPROXY_ENDPOINT: url, ACMEPROXY_USERNAME: client.id, ACMEPROXY_PASSWORD: client.secret };
      await mustSucceed(
        runClient(issue, 'sh', acmeshIssueArgs(issue, acmesh, home, dnsapi, 2), {
          env: { ...issue.env, ...packaged, ...settings },
          timeoutMs: CLIENT_TIMEOUT_MS,
        }),
        runs,
      );
      const fullchain = join(home, `${issue.domains[0]}_ecc`, 'fullchain.cer');
      const first = readCert(fullchain, runs);
      await mustSucceed(
        runClient(issue, 'sh', [acmesh, '--cron', '--force', '--home', home], {
          env: { PATH: issue.env.PATH, HOME: issue.dir, NO_ARI: '1', ...packaged },
          timeoutMs: CLIENT_TIMEOUT_MS,
        }),
        runs,
      );
      const renewed = readCert(fullchain, runs);
      if (renewed === first) throw new Error('acme.sh --cron --force kept the old certificate');
      return { runs, certificates: [first, renewed] };
    },
  };
}
