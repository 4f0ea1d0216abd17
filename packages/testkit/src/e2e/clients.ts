import { X509Certificate } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Program } from './debian.js';
import type { Pebble } from './pebble.js';
import { explain, run, type RunOptions, type RunResult } from './process.js';
import { REPO_ROOT } from './root.js';
import type { Suite } from './suites.js';

/** Every executable the workspace packages declare ("bin" or publishConfig.bin in package.json) -> its file. */
function workspaceBins(): Map<string, string> {
  const bins = new Map<string, string>();
  const packagesDir = join(REPO_ROOT, 'packages');
  for (const pkg of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, pkg, 'package.json');
    if (!existsSync(manifest)) continue;
    // Built executables are declared in publishConfig.bin (scripts/build.mjs says why).
    const { bin, publishConfig } = JSON.parse(readFileSync(manifest, 'utf8')) as {
      bin?: Record<string, string>;
      publishConfig?: { bin?: Record<string, string> };
    };
    for (const [name, file] of Object.entries({ ...bin, ...publishConfig?.bin })) bins.set(name, join(packagesDir, pkg, file));
  }
  return bins;
}

/** `path`, once it exists; otherwise fails with what to run. */
function requireBuilt(what: string, path: string): string {
  if (!existsSync(path)) throw new Error(`${what} is not built (${path}): run \`pnpm build\` first (pnpm test and pnpm test:e2e do)`);
  return path;
}

/** The absolute path of a built hook executable. */
export function hookExecutable(name: string): string {
  const path = workspaceBins().get(name);
  if (!path) throw new Error(`no workspace package declares the executable ${name}`);
  return requireBuilt(name, path);
}

/**
 * Links every workspace executable into `binDir` under its command name, as
 * installing the packages would, and returns a PATH with that directory first.
 */
export function installHookBins(binDir: string): string {
  mkdirSync(binDir, { recursive: true });
  for (const [name, path] of workspaceBins()) symlinkSync(requireBuilt(name, path), join(binDir, name));
  return [binDir, process.env.PATH ?? '/usr/bin:/bin'].join(':');
}

export interface IssueContext {
  pebble: Pebble;
  /** The client versions of this run, and how to start them. */
  suite: Suite;
  /**
   * The whole environment of the client: PATH with the hooks, HOME, the
   * provider's settings and the DNS settings. Nothing else is inherited.
   */
  env: NodeJS.ProcessEnv;
  /** Only the dns01 settings (provider + DNS): what a config file would hold. */
  settings: Record<string, string>;
  /** The provider's own variables (credentials, endpoint): what a user exports once. */
  providerSettings: Record<string, string>;
  /** The names to put in the certificate, apex first. */
  domains: string[];
  /** The test DNS server as ip:port, for clients that resolve names themselves. */
  dnsServer: string;
  /** A fresh directory for this run. */
  dir: string;
}

export interface Issuance {
  /** Every process the client ran, for output assertions. */
  runs: RunResult[];
  /** Each certificate issued (PEM, leaf first). */
  certificates: string[];
  /** Log files the client wrote (certbot keeps its hooks' output there). */
  logs?: string[];
}

export interface AcmeClientRunner {
  name: string;
  /** Host programs a bookworm run needs (a current run needs the sid set-up instead). */
  programs: Program[];
  issue(ctx: IssueContext): Promise<Issuance>;
}

const CLIENT_TIMEOUT_MS = 120_000;

/** Runs a program of the context's suite (on the host, or inside the sid chroot). */
export function runClient(ctx: IssueContext, program: string, args: readonly string[], options: RunOptions & { caBundle?: string }): Promise<RunResult> {
  const { caBundle, ...runOptions } = options;
  const [file, argv] = ctx.suite.command(program, args, caBundle ? { caBundle } : {});
  return run(file, argv, runOptions);
}

/** The run, kept in `runs`; throws with its output unless it exited 0. */
export async function mustSucceed(result: Promise<RunResult>, runs: RunResult[]): Promise<RunResult> {
  const done = await result;
  runs.push(done);
  if (done.code !== 0) throw new Error(explain(done));
  return done;
}

/** The certificate a client wrote at `path`; throws with the last run's output when there is none. */
export function readCert(path: string, runs: RunResult[]): string {
  if (!existsSync(path)) throw new Error(`no certificate at ${path}; last run:\n${explain(runs[runs.length - 1]!)}`);
  return readFileSync(path, 'utf8');
}

function serial(pem: string): string {
  return new X509Certificate(pem).serialNumber;
}

/** Writes the dns01 config file (KEY=VALUE, mode 600) where the executables look by default. */
export function writeDefaultConfig(home: string, settings: Record<string, string>): string {
  const dir = join(home, '.config', 'dns01');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'config');
  writeFileSync(
    path,
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
    { mode: 0o600 },
  );
  chmodSync(path, 0o600);
  return path;
}

function certbotDirs(ctx: IssueContext): string[] {
  return ['--config-dir', join(ctx.dir, 'config'), '--work-dir', join(ctx.dir, 'work'), '--logs-dir', join(ctx.dir, 'logs')];
}

/** `certbot certonly --manual` against the world's Pebble for its domains, with these hook commands, into ctx.dir. */
export function certbotManualArgs(ctx: IssueContext, hooks: { auth: string; cleanup: string }, certName: string): string[] {
  return [
    'certonly',
    '--non-interactive',
    ...certbotDirs(ctx),
    '--agree-tos',
    '--register-unsafely-without-email',
    '--server',
    ctx.pebble.directoryUrl,
    '--manual',
    '--preferred-challenges',
    'dns',
    '--manual-auth-hook',
    hooks.auth,
    '--manual-cleanup-hook',
    hooks.cleanup,
    '--cert-name',
    certName,
    ...ctx.domains.flatMap((d) => ['-d', d]),
  ];
}

/** `certbot certonly --manual` with the certbot hook, as the docs tell users to run it. */
export function certbotCertonly(ctx: IssueContext): Promise<RunResult> {
  return runClient(ctx, 'certbot', certbotManualArgs(ctx, { auth: 'dns01-certbot auth', cleanup: 'dns01-certbot cleanup' }, 'e2e'), {
    env: { ...ctx.env, REQUESTS_CA_BUNDLE: ctx.pebble.tls.caCertPath },
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
}

/** certbot --manual with the certbot hook, then `certbot renew --force-renewal` as a timer runs it. */
export function certbotRunner(suite: Suite): AcmeClientRunner {
  return {
    name: `certbot ${suite.versions.certbot} (issue, then renew from the config file)`,
    programs: ['certbot'],
    async issue(ctx) {
      const runs: RunResult[] = [];
      const dirs = certbotDirs(ctx);
      await mustSucceed(certbotCertonly(ctx), runs);
      const live = join(ctx.dir, 'config', 'live', 'e2e', 'fullchain.pem');
      const first = readCert(live, runs);

      // Debian's certbot.service command; a timer has no provider variables: only PATH, HOME and the trust store.
      writeDefaultConfig(ctx.dir, ctx.settings);
      const timerEnv = { PATH: ctx.env.PATH, HOME: ctx.dir, REQUESTS_CA_BUNDLE: ctx.pebble.tls.caCertPath };
      await mustSucceed(
        runClient(ctx, 'certbot', ['-q', 'renew', '--no-random-sleep-on-renew', '--force-renewal', ...dirs], { env: timerEnv, timeoutMs: CLIENT_TIMEOUT_MS }),
        runs,
      );
      const renewed = readCert(live, runs);
      if (serial(renewed) === serial(first)) throw new Error('certbot renew --force-renewal kept the old certificate');
      const logDir = join(ctx.dir, 'logs');
      const logs = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), 'utf8'));
      return { runs, certificates: [first, renewed], logs };
    },
  };
}

/** `lego --dns exec ... run` with the lego hook, in default or RAW mode. */
export function legoRun(ctx: IssueContext, mode: 'default' | 'RAW'): Promise<RunResult> {
  const env = {
    ...ctx.env,
    EXEC_PATH: hookExecutable('dns01-lego'),
    ...(mode === 'RAW' ? { EXEC_MODE: 'RAW' } : {}),
    LEGO_CA_CERTIFICATES: ctx.pebble.tls.caCertPath,
    // exec is a "sequential" provider: lego pauses this long between two names (default 60 s).
    EXEC_SEQUENCE_INTERVAL: '1',
    // lego sleeps this long before its (disabled) propagation check, default 2 s.
    EXEC_POLLING_INTERVAL: '1',
  };
  return runClient(
    ctx,
    ctx.suite.lego(),
    // lego's own check asks the system resolver, which cannot see the test zones; the hook waits instead.
    legoRunArgs(ctx, 'exec'),
    { env, timeoutMs: CLIENT_TIMEOUT_MS },
  );
}

/**
 * `lego run` against the world's Pebble for its domains with a DNS provider, into ctx.dir; lego's own
 * propagation check is disabled (Pebble asks the world's resolver, which is what counts).
 */
export function legoRunArgs(ctx: IssueContext, dnsProvider: string): string[] {
  const account = ['--accept-tos', '--email', 'e2e@example.com', '--server', ctx.pebble.directoryUrl, '--path', join(ctx.dir, 'lego'), '--key-type', 'ec256'];
  return [...account, '--dns', dnsProvider, '--dns.disable-cp', '--dns.resolvers', ctx.dnsServer, ...ctx.domains.flatMap((d) => ['--domains', d]), 'run'];
}

function legoRunner(suite: Suite, mode: 'default' | 'RAW'): AcmeClientRunner {
  return {
    name: `lego ${suite.versions.lego} --dns exec (${mode} mode)`,
    programs: ['lego'],
    async issue(ctx) {
      const runs: RunResult[] = [];
      await mustSucceed(legoRun(ctx, mode), runs);
      return { runs, certificates: [readCert(join(ctx.dir, 'lego', 'certificates', `${ctx.domains[0]}.crt`), runs)] };
    },
  };
}

function dehydratedRunner(suite: Suite, hookChain: boolean): AcmeClientRunner {
  return {
    name: `dehydrated ${suite.versions.dehydrated} (HOOK_CHAIN=${hookChain ? 'yes' : 'no'})`,
    programs: ['dehydrated'],
    async issue(ctx) {
      const runs: RunResult[] = [];
      const base = join(ctx.dir, 'dehydrated');
      mkdirSync(base, { recursive: true });
      const config = join(base, 'config');
      writeFileSync(join(base, 'domains.txt'), `${ctx.domains.join(' ')} > e2e\n`);
      writeFileSync(
        config,
        [
          `CA="${ctx.pebble.directoryUrl}"`,
          'CHALLENGETYPE="dns-01"',
          `BASEDIR="${base}"`,
          `DOMAINS_TXT="${join(base, 'domains.txt')}"`,
          `HOOK="${hookExecutable('dns01-dehydrated')}"`,
          `HOOK_CHAIN="${hookChain ? 'yes' : 'no'}"`,
          'KEY_ALGO="prime256v1"',
          '',
        ].join('\n'),
      );
      const env = { ...ctx.env, CURL_CA_BUNDLE: ctx.pebble.tls.caCertPath };
      await mustSucceed(runClient(ctx, 'dehydrated', ['--config', config, '--register', '--accept-terms'], { env, timeoutMs: CLIENT_TIMEOUT_MS }), runs);
      await mustSucceed(runClient(ctx, 'dehydrated', ['--config', config, '--cron'], { env, timeoutMs: CLIENT_TIMEOUT_MS }), runs);
      return { runs, certificates: [readCert(join(base, 'certs', 'e2e', 'fullchain.pem'), runs)] };
    },
  };
}

/**
 * uacme's libcurl (GnuTLS) trusts only the system store: for each of its
 * commands the test CA replaces that store in a private mount namespace
 * (root needed, as in CI); the machine's store is never changed.
 */
function uacmeRunner(suite: Suite): AcmeClientRunner {
  return {
    name: `uacme ${suite.versions.uacme}`,
    programs: ['uacme'],
    async issue(ctx) {
      const runs: RunResult[] = [];
      const conf = join(ctx.dir, 'uacme');
      const common = ['--verbose', '--confdir', conf, '--acme-url', ctx.pebble.directoryUrl];
      const options = { env: ctx.env, timeoutMs: CLIENT_TIMEOUT_MS, caBundle: ctx.pebble.tls.caCertPath };
      await mustSucceed(runClient(ctx, 'uacme', [...common, '--yes', 'new'], options), runs);
      await mustSucceed(runClient(ctx, 'uacme', [...common, '--type', 'EC', '--hook', hookExecutable('dns01-uacme'), 'issue', ...ctx.domains], options), runs);
      return { runs, certificates: [readCert(join(conf, ctx.domains[0]!, 'cert.pem'), runs)] };
    },
  };
}

/** The test kit's fixtures/ (from src/e2e or dist/e2e alike). */
const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

/**
 * A user's project that installed acme-client and the plugin: node_modules
 * links to the built workspace packages, and one script of ours (a fixture:
 * acme-client-issue.mjs or .cjs). Returns the script's path.
 */
export function acmeClientProject(dir: string, script: string): string {
  const project = join(dir, 'acme-client-project');
  const plugin = join(REPO_ROOT, 'packages', 'acme-client-plugin');
  mkdirSync(join(project, 'node_modules', '@dns01'), { recursive: true });
  symlinkSync(plugin, join(project, 'node_modules', '@dns01', 'acme-client-plugin'));
  symlinkSync(join(plugin, 'node_modules', 'acme-client'), join(project, 'node_modules', 'acme-client'));
  const target = join(project, script);
  copyFileSync(join(FIXTURES, script), target);
  return target;
}

export function acmeClientRunner(suite: Suite, kind: 'ESM' | 'CommonJS'): AcmeClientRunner {
  return {
    name: `acme-client with the plugin (${kind}, Node ${suite.versions.node.replace(/\..*$/, '')})`,
    programs: [],
    async issue(ctx) {
      requireBuilt('@dns01/acme-client-plugin', join(REPO_ROOT, 'packages', 'acme-client-plugin', 'dist', 'index.js'));
      const runs: RunResult[] = [];
      const out = join(ctx.dir, 'node-fixture-cert.pem');
      const env = {
        ...ctx.env,
        NODE_EXTRA_CA_CERTS: ctx.pebble.tls.caCertPath,
        ACME_DIRECTORY_URL: ctx.pebble.directoryUrl,
        CERT_DOMAINS: ctx.domains.join(','),
        CERT_OUT: out,
      };
      const script = acmeClientProject(ctx.dir, kind === 'ESM' ? 'acme-client-issue.mjs' : 'acme-client-issue.cjs');
      await mustSucceed(runClient(ctx, ctx.suite.node(), [script], { env, timeoutMs: CLIENT_TIMEOUT_MS }), runs);
      return { runs, certificates: [readCert(out, runs)] };
    },
  };
}

/**
 * What the hooks rely on and only the real acme.sh can show: its issue() lets
 * a hook see the run's $vlist/$ventry, so every add but the last creates its
 * record without waiting and the last waits once for all of them. Counted
 * against the adds acme.sh itself reports (an authorization the CA already
 * holds as valid needs none), which must cover `names` unless acme.sh says
 * it skipped one as already verified.
 */
function assertOneWaitPerRun(result: RunResult, names: number): void {
  const count = (text: string) => result.output.split(text).length - 1;
  const adds = count('Adding TXT value:');
  const skipped = count('is already verified, skipping');
  const deferred = count('the last one waits for all');
  const waits = count('waiting until every authoritative nameserver serves every record of this run');
  if (adds + skipped < names || adds === 0 || deferred !== adds - 1 || waits !== 1) {
    const lines = result.output.split('\n').filter((l) => /dns01|Adding TXT|already verified|Verif|error/i.test(l));
    throw new Error(
      `acme.sh: ${names} names, ${adds} adds (${skipped} skipped as verified): expected ${adds - 1} adds without waiting and one wait for all, ` +
        `saw ${deferred} and ${waits}; its lines about the adds:\n${lines.join('\n')}\n${explain(result, 1500)}`,
    );
  }
}

/** `acme.sh --issue` against the world's Pebble for its domains (EC keys) with a dnsapi hook and its --dnssleep. */
export function acmeshIssueArgs(ctx: IssueContext, acmesh: string, home: string, dnsapi: string, dnssleep: number): string[] {
  const ca = ['--server', ctx.pebble.directoryUrl, '--ca-bundle', ctx.pebble.tls.caCertPath];
  return [
    acmesh,
    '--issue',
    '--home',
    home,
    ...ca,
    '--dns',
    dnsapi,
    '--dnssleep',
    String(dnssleep),
    '--keylength',
    'ec-256',
    ...ctx.domains.flatMap((d) => ['-d', d]),
  ];
}

/**
 * The real acme.sh (Debian's package, run as its /usr/bin/acme.sh wrapper
 * does) with the provider's dnsapi hook where the docs put it
 * (<home>/dnsapi/), `--issue ... --dnssleep 0`; then `--cron --force` with
 * only PATH and HOME, as cron runs it: the credentials come from the
 * account.conf the hook saved, the DNS settings from the dns01 config file.
 * Both runs must wait once for all records (assertOneWaitPerRun).
 */
export function acmeshRunner(suite: Suite, { renew = true } = {}): AcmeClientRunner {
  return {
    name: `acme.sh ${suite.versions['acme.sh']} (${renew ? 'issue, then cron renewal from account.conf' : 'issue'})`,
    programs: ['curl'],
    async issue(ctx) {
      const provider = ctx.settings.DNS01_PROVIDER!;
      const hook = `dns_dns01_${provider}`;
      const home = acmeshHome(ctx);
      mkdirSync(join(home, 'dnsapi'), { recursive: true });
      copyFileSync(join(REPO_ROOT, 'packages', 'acmesh-hook', 'dnsapi', `${hook}.sh`), join(home, 'dnsapi', `${hook}.sh`));
      const acmesh = ctx.suite.acmesh();
      const runs: RunResult[] = [];
      const packaged = { ACME_PACKAGED: '1' };
      const issued = await mustSucceed(
        runClient(ctx, 'sh', acmeshIssueArgs(ctx, acmesh, home, hook, 0), { env: { ...ctx.env, ...packaged }, timeoutMs: CLIENT_TIMEOUT_MS }),
        runs,
      );
      assertOneWaitPerRun(issued, ctx.domains.length);
      const fullchain = join(home, `${ctx.domains[0]}_ecc`, 'fullchain.cer');
      const first = readCert(fullchain, runs);
      if (!renew) return { runs, certificates: [first] };

      const dnsOnly = Object.fromEntries(Object.entries(ctx.settings).filter(([k]) => !(k in ctx.providerSettings)));
      writeDefaultConfig(ctx.dir, dnsOnly);
      // NO_ARI: Pebble 2.10 at times cannot find the order of the certificate a renewal names in
      // ARI's "replaces" and answers serverInternal, which acme.sh does not retry; ARI is not what this tests.
      const renewal = await mustSucceed(
        runClient(ctx, 'sh', [acmesh, '--cron', '--force', '--home', home], {
          env: { PATH: ctx.env.PATH, HOME: ctx.dir, NO_ARI: '1', ...packaged },
          timeoutMs: CLIENT_TIMEOUT_MS,
        }),
        runs,
      );
      assertOneWaitPerRun(renewal, ctx.domains.length);
      const renewed = readCert(fullchain, runs);
      if (serial(renewed) === serial(first)) throw new Error('acme.sh --cron --force kept the old certificate');
      return { runs, certificates: [first, renewed] };
    },
  };
}

/** acme.sh's --home (account.conf, certificates, dnsapi/) of a run. */
export function acmeshHome(ctx: IssueContext): string {
  return join(ctx.dir, 'acme.sh');
}

/** Every real ACME client of a suite, each a separate process tree. */
export function acmeClients(suite: Suite): AcmeClientRunner[] {
  return [
    certbotRunner(suite),
    legoRunner(suite, 'default'),
    legoRunner(suite, 'RAW'),
    dehydratedRunner(suite, true),
    dehydratedRunner(suite, false),
    uacmeRunner(suite),
    acmeClientRunner(suite, 'ESM'),
    acmeClientRunner(suite, 'CommonJS'),
    acmeshRunner(suite),
  ];
}

export function requireClient(suite: Suite, client: AcmeClientRunner): void {
  suite.require(...client.programs);
}
