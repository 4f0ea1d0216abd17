import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROVIDER_NAMES, type ProviderName } from '@dns01/provider-client';
import type { TestWorld, TestWorldOptions } from '../world.js';
import type { StoredRecord } from '../zone-store.js';
import { acmeClientProject, installHookBins } from './clients.js';
import { shellWords } from './process.js';
import { withTrustStore } from './suites.js';
import { foreignRecords, startAcmeWorld, zoneSnapshot, type AcmeWorld } from './world.js';

/** What `pnpm sandbox --provider` offers: each provider, and netcup with its REST API (CloudDNS) alone. */
export const SANDBOX_PROVIDERS = ['netcup', 'netcup-rest', ...PROVIDER_NAMES.filter((p) => p !== 'netcup')] as const;
export type SandboxProvider = (typeof SANDBOX_PROVIDERS)[number];

export interface SandboxOptions {
  provider: SandboxProvider;
  /** The zones of the account, served by the sandbox's nameservers (default example.test). */
  zones?: string[];
  /** How far the slower of the two nameservers lags, in seconds (the other lags half of it; default 2). */
  lagSeconds?: number;
}

export interface Sandbox {
  /** The sandbox's private directory (0700): config file, linked executables, each client's files. */
  dir: string;
  /** The dns01 config file (0600): the emulator's test credentials and the DNS settings. */
  configPath: string;
  world: TestWorld;
  /** What to tell the user: what runs where, and the lines to paste into another shell. */
  instructions: string;
  /** Calls `listener` with a line for every record added to or removed from a zone, as it happens. */
  onZoneChange(listener: (line: string) => void): void;
  /** One line per zone: whether it ends as it began (record ids included). */
  zoneReport(): string[];
  /** Stops Pebble and the world, and removes every file the sandbox made. */
  close(): Promise<void>;
}

const NAMESERVER_NAMES = ['ns1.dns01-sandbox.test', 'ns2.dns01-sandbox.test'];

/** The world options of a sandbox provider: netcup-rest is netcup's CloudDNS account, without the CCP credentials. */
function worldOptions(provider: SandboxProvider): Pick<TestWorldOptions, 'provider' | 'emulator'> {
  if (provider === 'netcup-rest') return { provider: 'netcup', emulator: { rest: { legacyCredentials: false } } };
  return { provider };
}

function describeApi(acme: AcmeWorld, provider: SandboxProvider): string {
  const env = acme.world.env;
  if (provider === 'netcup-rest') return `${env.NETCUP_REST_ENDPOINT} (netcup REST API emulator, CloudDNS)`;
  if (provider === 'gateway') return `${env.DNS01_GATEWAY_URL} (dns01 serve, in front of the netcup emulator)`;
  const endpoint = Object.entries(env).find(([k]) => k.endsWith('_ENDPOINT'))?.[1];
  return `${endpoint} (${provider} emulator${provider === 'netcup' ? ', CCP API' : ''})`;
}

/** The config file as dns01 reads it (KEY=value lines), also safe to source in a shell (acme.sh's hooks read the environment). */
function configFile(env: Record<string, string>): string {
  for (const [key, value] of Object.entries(env)) {
    if (!/^[\w@%+=:,./-]*$/.test(value)) throw new Error(`sandbox: ${key}'s value is not shell-safe; the config file must be sourceable`);
  }
  return [
    "# dns01 sandbox: the emulator's test credentials (never real ones) and the DNS settings of the sandbox.",
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    '',
  ].join('\n');
}

/** A command over several lines (each already in shell words), continued with backslashes. */
function command(...lines: string[]): string {
  return lines.join(' \\\n  ');
}

/** Variable assignments before a command, each value quoted for the shell when it needs to be. */
function assignments(vars: Record<string, string | number>): string {
  return Object.entries(vars)
    .map(([name, value]) => `${name}=${shellWords([String(value)])}`)
    .join(' ');
}

interface ClientCommands {
  /** The heading: the client and its docs page. */
  title: string;
  lines: string[];
}

interface Paths {
  dir: string;
  bin: string;
  ca: string;
  url: string;
  resolver: string;
  domains: string[];
  acmeshHook: string;
  acmeClientScript: string;
  dehydratedConfig: string;
  legoTimeout: number;
}

/** One command per docs/clients page (and the CLI), as the page shows it, pointed at the sandbox. */
function clientCommands(p: Paths): ClientCommands[] {
  const d = (flag: string) => p.domains.flatMap((name) => [flag, name]);
  const uacme = (args: string[]) => {
    const uacmeArgs = ['--confdir', join(p.dir, 'uacme'), '--acme-url', p.url, ...args];
    const [file, argv] = withTrustStore(p.ca, 'uacme', uacmeArgs);
    return command(shellWords([file, ...argv.slice(0, argv.length - uacmeArgs.length - 1)]), shellWords(['uacme', ...uacmeArgs]));
  };
  const acmeClientDir = dirname(p.acmeClientScript);
  return [
    { title: 'dns01 itself (docs/cli.md): the credentials and the zone', lines: [shellWords(['dns01', 'check', p.domains[0]!])] },
    {
      title: 'certbot (docs/clients/certbot.md)',
      lines: [
        command(
          `${assignments({ REQUESTS_CA_BUNDLE: p.ca })} certbot certonly --manual --preferred-challenges dns`,
          shellWords(['--manual-auth-hook', 'dns01-certbot auth']),
          shellWords(['--manual-cleanup-hook', 'dns01-certbot cleanup']),
          shellWords(d('-d')),
          shellWords(['--server', p.url, '--non-interactive', '--agree-tos', '--register-unsafely-without-email']),
          shellWords(['--config-dir', join(p.dir, 'certbot'), '--work-dir', join(p.dir, 'certbot', 'work'), '--logs-dir', join(p.dir, 'certbot', 'logs')]),
        ),
      ],
    },
    {
      title: 'lego (docs/clients/lego.md)',
      lines: [
        command(
          assignments({ LEGO_CA_CERTIFICATES: p.ca, EXEC_PATH: join(p.bin, 'dns01-lego'), EXEC_MODE: 'RAW' }),
          assignments({ EXEC_SEQUENCE_INTERVAL: 1, EXEC_POLLING_INTERVAL: 1, EXEC_PROPAGATION_TIMEOUT: p.legoTimeout }),
          shellWords(['lego', '--server', p.url, '--path', join(p.dir, 'lego'), '--accept-tos', '--email', 'you@example.com']),
          shellWords(['--dns', 'exec', '--dns.disable-cp', '--dns.resolvers', p.resolver]),
          shellWords([...d('-d'), 'run']),
        ),
      ],
    },
    {
      title: 'acme.sh (docs/clients/acme.sh.md; acme.sh 3.1.5 is packaged from Debian 13 on): its hooks read the credentials from the environment',
      lines: [
        shellWords(['dns01-acmesh', 'install', '--home', join(p.dir, 'acme.sh')]),
        `(set -a; . "$DNS01_CONFIG"; ${command(
          shellWords(['acme.sh', '--issue', '--home', join(p.dir, 'acme.sh'), '--server', p.url, '--ca-bundle', p.ca]),
          shellWords(['--dns', p.acmeshHook, '--dnssleep', '0', ...d('-d')]),
        )})`,
      ],
    },
    {
      title: `dehydrated (docs/clients/dehydrated.md): CA, CHALLENGETYPE, HOOK and HOOK_CHAIN=yes are in ${p.dehydratedConfig}`,
      lines: [
        `${assignments({ CURL_CA_BUNDLE: p.ca })} ${shellWords(['dehydrated', '--config', p.dehydratedConfig, '--register', '--accept-terms'])}`,
        `${assignments({ CURL_CA_BUNDLE: p.ca })} ${shellWords(['dehydrated', '--config', p.dehydratedConfig, '--cron', ...d('--domain')])}`,
      ],
    },
    {
      title: "uacme (docs/clients/uacme.md): its libcurl trusts only the system store, so, as root, the sandbox's CA replaces it for each command",
      lines: [uacme(['--yes', 'new']), uacme(['--verbose', '--hook', join(p.bin, 'dns01-uacme'), 'issue', ...p.domains])],
    },
    {
      title: `acme-client (docs/clients/acme-client.md): ${p.acmeClientScript} uses the plugin with the settings of the config file`,
      lines: [
        command(
          assignments({ NODE_EXTRA_CA_CERTS: p.ca, ACME_DIRECTORY_URL: p.url }),
          assignments({ CERT_DOMAINS: p.domains.join(','), CERT_OUT: join(acmeClientDir, 'cert.pem') }),
          shellWords(['node', p.acmeClientScript]),
        ),
      ],
    },
  ];
}

function describeRecord(r: StoredRecord): string {
  return `${r.type} ${r.name} ${r.type === 'TXT' ? JSON.stringify(r.data) : r.data}`;
}

/**
 * Starts a sandbox: the chosen provider's emulator with the zones, two
 * loopback nameservers that lag, the resolver, and Pebble validating
 * through it; a private directory with the dns01 config file (0600), the
 * workspace's executables linked into bin/, a dehydrated config and an
 * acme-client project; and the instructions that point every client at it.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const zones = options.zones?.length ? options.zones : ['example.test'];
  const lagSeconds = options.lagSeconds ?? 2;
  const records = zones.flatMap((zone) => foreignRecords(zone));
  const propagationTimeout = Math.max(30, 4 * lagSeconds);
  const acme = await startAcmeWorld({
    ...worldOptions(options.provider),
    zones,
    records,
    nameservers: NAMESERVER_NAMES.map((name, i) => ({ name, lagMs: (lagSeconds * 1000 * (i + 1)) / NAMESERVER_NAMES.length })),
    pollingInterval: 0.5,
    propagationTimeout,
  });
  const { world, pebble } = acme;
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), 'dns01-sandbox-'));
    const bin = join(dir, 'bin');
    installHookBins(bin);
    const configPath = join(dir, 'dns01.conf');
    writeFileSync(configPath, configFile(world.env), { mode: 0o600 });
    chmodSync(configPath, 0o600);
    const url = pebble.directoryUrl;
    const dehydratedDir = join(dir, 'dehydrated');
    mkdirSync(dehydratedDir);
    const dehydratedConfig = join(dehydratedDir, 'config');
    writeFileSync(
      dehydratedConfig,
      [`CA="${url}"`, 'CHALLENGETYPE="dns-01"', `HOOK="${join(bin, 'dns01-dehydrated')}"`, 'HOOK_CHAIN="yes"', `BASEDIR="${dehydratedDir}"`, ''].join('\n'),
    );
    const acmeClientScript = acmeClientProject(dir, 'acme-client-issue.mjs');
    const provider: ProviderName = world.provider;
    const paths: Paths = {
      dir,
      bin,
      ca: pebble.tls.caCertPath,
      url,
      resolver: world.dns.resolver,
      domains: [zones[0]!, `*.${zones[0]}`],
      acmeshHook: `dns_dns01_${provider}`,
      acmeClientScript,
      dehydratedConfig,
      legoTimeout: propagationTimeout + 30,
    };
    const zoneLines = zones.map((zone) => {
      const foreign = world.store.records(zone, { type: 'TXT' }).filter((r) => r.name.startsWith('_acme-challenge.'));
      return `${zone}: ${world.store.records(zone).length} records, among them ${foreign.length} TXT records at _acme-challenge names that are not yours (dns01 must leave them)`;
    });
    const instructions = [
      `dns01 sandbox: ${options.provider}, ${zones.join(', ')}`,
      '',
      `  zones          ${zoneLines.join(`\n${' '.repeat(17)}`)}`,
      `  nameservers    ${NAMESERVER_NAMES.map((n, i) => `${n} lags ${(lagSeconds * (i + 1)) / NAMESERVER_NAMES.length} s`).join(', ')} (port ${world.dns.port}; resolver ${world.dns.resolver})`,
      `  provider API   ${describeApi(acme, options.provider)}`,
      `  ACME server    ${url} (Pebble; the CA of its HTTPS: ${pebble.tls.caCertPath})`,
      `  config file    ${configPath} (mode 600: the test credentials, DNS01_RESOLVERS, DNS01_NS_PORT, polling every 0.5 s)`,
      '',
      `In another shell, paste these three lines, then any command below (each asks for ${paths.domains.join(' and ')}; any name in the zones above works):`,
      '',
      `export DNS01_CONFIG=${shellWords([configPath])}`,
      // The config file names it too, but the executables' loader reads it from the environment only (node's compile cache).
      `export DNS01_STATE_DIR=${shellWords([world.stateDir])}`,
      `export PATH=${shellWords([bin])}:"$PATH"`,
      '',
      ...clientCommands(paths).flatMap((c) => [`# ${c.title}`, ...c.lines, '']),
    ].join('\n');

    const seen = new Map(zones.map((zone) => [zone, new Map(world.store.records(zone).map((r) => [r.id, r]))]));
    const before = new Map(zones.map((zone) => [zone, zoneSnapshot(world, zone)]));
    const listeners: ((line: string) => void)[] = [];
    world.store.on('change', ({ zone, serial }) => {
      const known = seen.get(zone);
      if (!known) return;
      const now = new Map(world.store.records(zone).map((r) => [r.id, r]));
      const time = new Date().toTimeString().slice(0, 8);
      const lines = [
        ...[...known.values()].filter((r) => !now.has(r.id)).map((r) => `${time} ${zone} (serial ${serial}): removed ${describeRecord(r)}`),
        ...[...now.values()].filter((r) => !known.has(r.id)).map((r) => `${time} ${zone} (serial ${serial}): added ${describeRecord(r)}`),
      ];
      seen.set(zone, now);
      for (const line of lines) for (const listener of listeners) listener(line);
    });
    const sandboxDir = dir;
    return {
      dir,
      configPath,
      world,
      instructions,
      onZoneChange: (listener) => void listeners.push(listener),
      zoneReport: () =>
        zones.map((zone) => {
          const start = before.get(zone)!;
          const end = zoneSnapshot(world, zone);
          const added = end.filter((r) => !start.includes(r));
          const removed = start.filter((r) => !end.includes(r));
          if (added.length + removed.length === 0) return `${zone} ended as it began (${end.length} records)`;
          return `${zone} did not end as it began: ${[...added.map((r) => `added ${r}`), ...removed.map((r) => `removed ${r}`)].join('; ')}`;
        }),
      async close() {
        await acme.close();
        rmSync(sandboxDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await acme.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
