import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, flag, readSettings, seconds, setting, z, type Env, type Settings } from '@dns01/provider-client/internal';

/** Where the gateway listens: a TCP address or a Unix socket. */
export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export const DEFAULT_LISTEN = '127.0.0.1:8553';

/** `host:port`, `[v6]:port`, `unix:/path` or an absolute path (a Unix socket). */
export function parseListen(text: string): ListenAddress | undefined {
  const s = text.trim();
  if (s.startsWith('unix:')) return s.length > 5 && s.slice(5).startsWith('/') ? { kind: 'unix', path: s.slice(5) } : undefined;
  if (s.startsWith('/')) return { kind: 'unix', path: s };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  // Port 0: any free port (tests).
  const port = Number(m[3]);
  if (port > 65_535) return undefined;
  return { kind: 'tcp', host: m[1] ?? m[2]!, port };
}

/** Loopback addresses and Unix sockets: the only places plain HTTP is served without a proxy in front. */
export function isLocalListen(address: ListenAddress): boolean {
  if (address.kind === 'unix') return true;
  const host = address.host.toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const listen = z
  .string()
  .trim()
  .refine((v) => parseListen(v) !== undefined, 'must be host:port, [v6]:port, or unix:/path (a Unix socket)');

const positiveInt = (what: string, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number of ${what}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `must be from 1 to ${max} ${what}`);

const path = z
  .string()
  .trim()
  .refine((v) => v.startsWith('/'), 'must be an absolute path');

const auditTarget = z
  .string()
  .trim()
  .refine((v) => v === 'stderr' || v === 'off' || v.startsWith('/'), 'must be an absolute path, stderr or off');

/** Every setting of `dns01 serve` (flags override them; docs/configuration.md renders them). */
export const gatewaySettingSpecs = {
  listen: setting({
    names: ['DNS01_SERVE_LISTEN'],
    schema: listen,
    default: DEFAULT_LISTEN,
    description: 'where to listen: host:port, [v6]:port, or unix:/path for a Unix socket',
    docs: { flag: '--listen ADDR' },
  }),
  tlsCert: setting<string | undefined>({
    names: ['DNS01_SERVE_TLS_CERT'],
    schema: path,
    default: undefined,
    description: 'the TLS certificate chain (PEM file); with DNS01_SERVE_TLS_KEY the gateway speaks HTTPS; both are read again on SIGHUP',
    docs: { flag: '--tls-cert FILE' },
  }),
  tlsKey: setting<string | undefined>({
    names: ['DNS01_SERVE_TLS_KEY'],
    schema: path,
    default: undefined,
    description: "the TLS certificate's private key (PEM file)",
    docs: { flag: '--tls-key FILE' },
  }),
  behindProxy: setting({
    names: ['DNS01_SERVE_BEHIND_PROXY'],
    schema: flag,
    default: false,
    description: '1: a TLS-terminating proxy is in front, so plain HTTP may listen on an address other than loopback (0: refused)',
    docs: { flag: '--behind-proxy' },
  }),
  stateDir: setting<string | undefined>({
    names: ['DNS01_SERVE_STATE_DIR', 'STATE_DIRECTORY'],
    schema: path,
    default: undefined,
    description: "the gateway's private directory (ledger, clients file, audit log); also read as STATE_DIRECTORY, which systemd's StateDirectory= sets",
    docs: { flag: '--state-dir DIR', default: 'root: `/var/lib/dns01-gateway`; others: `$XDG_STATE_HOME/dns01-gateway`, else `~/.local/state/dns01-gateway`' },
  }),
  clientsFile: setting<string | undefined>({
    names: ['DNS01_SERVE_CLIENTS'],
    schema: path,
    default: undefined,
    description: 'the clients file (ids, scopes, scrypt hashes of the secrets; mode 600)',
    docs: { flag: '--clients FILE', default: '`clients.json` in the state directory' },
  }),
  maxAge: setting({
    names: ['DNS01_SERVE_MAX_AGE'],
    schema: seconds,
    default: 3600,
    description: 'seconds a record the gateway created may live before the sweeper deletes it',
  }),
  budget: setting({
    names: ['DNS01_SERVE_PROVIDER_BUDGET'],
    schema: positiveInt('requests per minute', 100_000),
    default: 120,
    description: 'provider API requests per minute at most, for the whole gateway; further requests wait (netcup locks an account out at about 180)',
  }),
  clientRate: setting({
    names: ['DNS01_SERVE_CLIENT_RATE'],
    schema: positiveInt('requests per minute', 100_000),
    default: 120,
    description: 'requests per minute one client may send; more are answered 429',
  }),
  maxConnections: setting({
    names: ['DNS01_SERVE_MAX_CONNECTIONS'],
    schema: positiveInt('connections', 100_000),
    default: 512,
    description: 'open connections at most; further ones are refused',
  }),
  auditLog: setting<string | undefined>({
    names: ['DNS01_SERVE_AUDIT_LOG'],
    schema: auditTarget,
    default: undefined,
    description: 'where the audit log (JSON lines) goes: an absolute path, stderr, or off',
    docs: { default: '`audit.log` in the state directory' },
  }),
  metrics: setting({
    names: ['DNS01_SERVE_METRICS'],
    schema: z.enum(['local', 'open', 'off'], { error: 'must be local, open or off' }),
    default: 'local' as const,
    description: 'GET /metrics: local (only to loopback and Unix-socket peers), open (to anyone), off',
  }),
  shutdownTimeout: setting({
    names: ['DNS01_SERVE_SHUTDOWN_TIMEOUT'],
    schema: seconds,
    default: 60,
    description: 'seconds SIGTERM waits for the requests in flight before the gateway stops anyway',
  }),
};

export type GatewaySettings = Settings<typeof gatewaySettingSpecs>;

/** The settings with the listen address parsed and the state directory and the clients file resolved. */
export interface ResolvedGatewaySettings extends Omit<GatewaySettings, 'listen'> {
  listen: ListenAddress;
  stateDir: string;
  clientsFile: string;
}

/** Where the state directory is when nothing names it. */
export function defaultStateDir(env: Env, uid: number | undefined = process.getuid?.()): string {
  if (uid === 0) return '/var/lib/dns01-gateway';
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'dns01-gateway');
}

export function readGatewaySettings(env: Env, overrides: Partial<GatewaySettings> = {}): ResolvedGatewaySettings {
  const read = { ...readSettings(env, gatewaySettingSpecs), ...definedOnly(overrides) };
  if ((read.tlsCert === undefined) !== (read.tlsKey === undefined)) {
    throw new ConfigError('DNS01_SERVE_TLS_CERT and DNS01_SERVE_TLS_KEY go together: set both for HTTPS, or neither', {
      hint: 'Name the certificate chain and its private key (PEM files)',
    });
  }
  const stateDir = read.stateDir ?? defaultStateDir(env);
  return { ...read, listen: parseListen(read.listen)!, stateDir, clientsFile: read.clientsFile ?? join(stateDir, 'clients.json') };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
