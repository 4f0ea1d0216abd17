// Installed the way users install: every published package packed (pnpm pack,
// workspace:* resolved), the tarballs installed with npm into an empty prefix
// (no workspace, no dev dependencies), and then only what that prefix holds is
// run: each executable's --help and --version, one present and cleanup through
// each against the emulator, the library's ESM and CommonJS entries, and a
// certbot issuance and one by Debian's acme.sh from Pebble through the
// installed hooks. From a checkout (pnpm install-global all, the same packages
// packed and installed by one command): each --version and one present and
// cleanup. And without the registry (docs/install.md): each executable
// taken out of its tarball as one file, alone in a directory, run the same way,
// also through a TLS-intercepting proxy whose CA only NODE_EXTRA_CA_CERTS names.
// After each run no process naming the install is left.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chrootCommand, requireCurrentClients } from '../../scripts/lib/current-clients.mjs';
import {
  certbotCertonly,
  certificateNames,
  chainsToRoot,
  explain,
  leakedSecrets,
  processesNaming,
  REPO_ROOT,
  requirePrograms,
  run,
  startE2eWorld,
  startInterceptProxy,
  zoneSnapshot,
  type E2eWorld,
  type RunResult,
} from '@dns01/testkit/e2e';
import { BOOKWORM } from './harness/suites.js';

const STEP_MS = 120_000;
/** A step that builds or packs every package (release pack, install-global): minutes on a loaded machine (over 120 s seen at load 24). */
const BUILD_STEP_MS = 300_000;
type Manifest = { name: string; version: string; bin?: Record<string, string>; publishConfig?: { bin?: Record<string, string> }; private?: boolean };
/** The published packages (not private), in the order scripts/release.mjs packs them. */
const PACKAGES = readdirSync(join(REPO_ROOT, 'packages'))
  .sort()
  .map((d) => JSON.parse(readFileSync(join(REPO_ROOT, 'packages', d, 'package.json'), 'utf8')) as Manifest)
  .filter((p) => !p.private)
  // Built executables are declared in publishConfig.bin, the packed manifest's bin (scripts/build.mjs says why).
  .map((p) => ({ ...p, bin: { ...p.bin, ...p.publishConfig?.bin } }));
const VERSION = PACKAGES[0]!.version;
const EXECUTABLES = PACKAGES.flatMap((p) => Object.keys(p.bin ?? {}));
/** The executables built into one file each (dist/bin/); dns01-acmesh is a script of its package. */
const ONE_FILE_EXECUTABLES = PACKAGES.flatMap((p) =>
  Object.entries(p.bin ?? {})
    .filter(([, path]) => path.startsWith('./dist/bin/'))
    .map(([name]) => name),
);

/** The environment without what pnpm and vitest add (npm_config_*, the workspace): npm as a user runs it. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|PNPM|pnpm_|VITEST|NODE_OPTIONS)/i.test(k)));
  return { ...clean, ...extra };
}

async function mustRun(file: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<RunResult> {
  const result = await run(file, args, { timeoutMs: STEP_MS, ...options });
  if (result.code !== 0) throw new Error(explain(result));
  return result;
}

let dir: string;
let prefix: string;
/** docs/install.md "from a checkout": `pnpm install-global all --prefix <this>`. */
let checkoutPrefix: string;
/** docs/install.md "with no registry at all": each executable as one file, and the acme.sh hooks. */
let oneFile: string;
let tarballs: string[];
let e2e: E2eWorld;

/** Takes each executable out of its tarball as docs/install.md says: one file, named as the command, mode 755. */
function installOneFiles(into: string): void {
  mkdirSync(join(into, 'dnsapi'), { recursive: true });
  PACKAGES.forEach((p, i) => {
    for (const [name, path] of Object.entries(p.bin ?? {})) {
      if (!ONE_FILE_EXECUTABLES.includes(name)) continue;
      const member = `package/${path.replace(/^\.\//, '')}`;
      execFileSync('sh', ['-c', 'tar -xzf "$1" -O "$2" | install -m 755 /dev/stdin "$3"', 'sh', tarballs[i]!, member, join(into, name)]);
    }
    if (p.name === '@dns01/acmesh-hook') execFileSync('tar', ['-xzf', tarballs[i]!, '-C', join(into, 'dnsapi'), '--strip-components=2', 'package/dnsapi']);
  });
}

beforeAll(
  async () => {
    requirePrograms('certbot', 'pebble');
    dir = mkdtempSync(join(tmpdir(), 'dns01-install-'));
    prefix = join(dir, 'prefix');
    const packed = await mustRun(process.execPath, [join(REPO_ROOT, 'scripts/release.mjs'), 'pack', '--out', join(dir, 'tarballs')], {
      env: userEnv(),
      cwd: REPO_ROOT,
      timeoutMs: BUILD_STEP_MS,
    });
    tarballs = packed.stdout.trim().split('\n');
    // From the local npm cache where it can, else the registry (the dependencies: undici, zod, ...).
    await mustRun('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], { env: userEnv(), cwd: dir });
    checkoutPrefix = join(dir, 'checkout-prefix');
    await mustRun('pnpm', ['install-global', 'all', '--prefix', checkoutPrefix], {
      env: userEnv({ npm_config_prefer_offline: 'true' }),
      cwd: REPO_ROOT,
      timeoutMs: BUILD_STEP_MS,
    });
    oneFile = join(dir, 'one-file');
    installOneFiles(oneFile);
    e2e = await startE2eWorld('netcup', { suite: BOOKWORM, purpose: 'install' });
  },
  2 * BUILD_STEP_MS + 2 * STEP_MS,
);

afterAll(async () => {
  await e2e?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Runner = (command: string, args: string[], env?: Record<string, string>) => Promise<RunResult>;

/** Runs the executables of the directory `bin`, with `bin` first on PATH and the emulator's settings. */
function runnerIn(bin: () => string): Runner {
  return (command, args, env = {}) =>
    run(join(bin(), command), args, {
      env: { PATH: `${bin()}:/usr/bin:/bin`, HOME: dir, ...e2e.world.env, ...env },
      timeoutMs: STEP_MS,
    });
}

/** An executable of the npm prefix. */
const installed = runnerIn(() => join(prefix, 'bin'));
/** An executable installed from the checkout by pnpm install-global. */
const fromCheckout = runnerIn(() => join(checkoutPrefix, 'bin'));
/** An executable taken out of its tarball as one file. */
const oneFileRun = runnerIn(() => oneFile);

/** No process started by this file's runs is still there: its command line would name the install. */
function expectNoProcessLeft(): void {
  expect(processesNaming(dir)).toEqual([]);
}

function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
}

/** Runs `present`, checks the record is in the zone and served, runs `cleanup`, checks it is gone. */
async function presentAndCleanup(value: string, present: () => Promise<RunResult>, cleanup: () => Promise<RunResult>) {
  const zone = e2e.zone;
  const name = `_acme-challenge.${zone}`;
  const before = zoneSnapshot(e2e.world, zone);
  const p = await present();
  expect(p.code, explain(p)).toBe(0);
  expect(e2e.world.txt(name)).toContain(value);
  const c = await cleanup();
  expect(c.code, explain(c)).toBe(0);
  expect(e2e.world.txt(name)).not.toContain(value);
  expect(zoneSnapshot(e2e.world, zone)).toEqual(before);
  expect(leakedSecrets(`${p.output}\n${c.output}`, e2e.world.secrets)).toEqual([]);
}

/** One present and one cleanup of `value` through the executable `name`, called as its ACME client calls it. */
async function roundTrip(name: string, exec: Runner, value: string): Promise<void> {
  const zone = e2e.zone;
  const fqdn = `_acme-challenge.${zone}.`;
  switch (name) {
    case 'dns01':
      return presentAndCleanup(
        value,
        () => exec(name, ['present', zone, value]),
        () => exec(name, ['cleanup', zone, value]),
      );
    case 'dns01-certbot': {
      const env = { CERTBOT_DOMAIN: zone, CERTBOT_VALIDATION: value, CERTBOT_ALL_DOMAINS: zone, CERTBOT_REMAINING_CHALLENGES: '0' };
      let authOutput = '';
      return presentAndCleanup(
        value,
        async () => {
          const r = await exec(name, ['auth'], env);
          authOutput = r.stdout.trim();
          return r;
        },
        () => exec(name, ['cleanup'], { ...env, CERTBOT_AUTH_OUTPUT: authOutput }),
      );
    }
    case 'dns01-lego':
      return presentAndCleanup(
        value,
        () => exec(name, ['present', fqdn, value]),
        () => exec(name, ['cleanup', fqdn, value]),
      );
    case 'dns01-dehydrated':
      return presentAndCleanup(
        value,
        () => exec(name, ['deploy_challenge', zone, 'token', value]),
        () => exec(name, ['clean_challenge', zone, 'token', value]),
      );
    case 'dns01-uacme':
      return presentAndCleanup(
        value,
        () => exec(name, ['begin', 'dns-01', zone, 'token', value]),
        () => exec(name, ['done', 'dns-01', zone, 'token', value]),
      );
  }
  throw new Error(`no round trip for ${name}`);
}

describe('the tarballs', () => {
  test('one per published package; the test kit stays private', () => {
    expect(tarballs.map((t) => t.split('/').pop())).toEqual(PACKAGES.map((p) => `${p.name.replace('@', '').replace('/', '-')}-${VERSION}.tgz`));
    expect(PACKAGES.map((p) => p.name)).not.toContain('@dns01/testkit');
  });

  test.each(PACKAGES.map((p, i) => [p.name, i] as const))('%s: the publishing fields, README, LICENSE, no workspace: range', (_name, i) => {
    const tarball = tarballs[i]!;
    const files = tarballFiles(tarball);
    const manifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    expect(manifest).toMatchObject({
      version: VERSION,
      license: 'MIT',
      engines: { node: expect.any(String) },
      repository: { type: 'git', url: expect.any(String) },
    });
    expect(files).toEqual(expect.arrayContaining(['package/README.md', 'package/LICENSE', 'package/package.json']));
    expect(files.some((f) => f.endsWith('.tsbuildinfo'))).toBe(false);
    const ranges = Object.values({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.devDependencies }) as string[];
    expect(ranges.filter((r) => r.startsWith('workspace:'))).toEqual([]);
    expect(manifest.bin ?? {}).toEqual(PACKAGES[i]!.bin);
    for (const bin of Object.values((manifest.bin ?? {}) as Record<string, string>)) expect(files).toContain(`package/${bin.replace(/^\.\//, '')}`);
    for (const target of [manifest.types, manifest.main, ...(JSON.stringify(manifest.exports ?? {}).match(/\.\/dist\/[^"]+/g) ?? [])].filter(Boolean)) {
      expect(files).toContain(`package/${String(target).replace(/^\.\//, '')}`);
    }
  });

  test('npm publish --dry-run accepts each', async () => {
    for (const tarball of tarballs) {
      const r = await run('npm', ['publish', '--dry-run', tarball], { env: userEnv(), cwd: dir, timeoutMs: STEP_MS });
      expect(r.code, explain(r)).toBe(0);
      // Only the dry run's own note that nobody is logged in may warn.
      expect(r.stderr.split('\n').filter((l) => /npm (warn|error)/i.test(l) && !/requires you to be logged in/.test(l))).toEqual([]);
    }
  });
});

describe('the installed executables', () => {
  test('the prefix holds exactly the package executables', () => {
    for (const name of EXECUTABLES) expect(existsSync(join(prefix, 'bin', name)), name).toBe(true);
    expect(EXECUTABLES.sort()).toEqual(['dns01', 'dns01-acmesh', 'dns01-certbot', 'dns01-dehydrated', 'dns01-lego', 'dns01-uacme']);
  });

  test.each(EXECUTABLES)('%s --version and --help', async (name) => {
    const version = await installed(name, ['--version']);
    expect(version.code, explain(version)).toBe(0);
    expect(version.stdout).toBe(`${name} ${VERSION}\n`);
    const help = await installed(name, ['--help']);
    expect(help.code, explain(help)).toBe(0);
    expect(help.stdout).toContain(name);
  });

  test.each(ONE_FILE_EXECUTABLES)('%s: one present and one cleanup, as its client calls it', async (name) => {
    await roundTrip(name, installed, `installed-${name}`);
  });

  test('dns01-acmesh install links the hooks where acme.sh looks; the linked netcup hook adds and removes', async () => {
    const home = join(dir, 'acme.sh-home');
    const r = await installed('dns01-acmesh', ['install', '--home', home]);
    expect(r.code, explain(r)).toBe(0);
    const hook = join(home, 'dnsapi', 'dns_dns01_netcup.sh');
    expect(readlinkSync(hook)).toBe(join(prefix, 'lib/node_modules/@dns01/acmesh-hook/dnsapi/dns_dns01_netcup.sh'));
    const harness = join(REPO_ROOT, 'packages/acmesh-hook/test/acmesh-harness.sh');
    const env = { HARNESS_ACCOUNT_CONF: join(dir, 'account.conf'), DNS01_CLI: join(prefix, 'bin', 'dns01') };
    const entry = `${e2e.zone}=installed-acmesh`;
    const sh = (phase: string) =>
      run('sh', [harness, hook, entry], { env: { PATH: '/usr/bin:/bin', HOME: dir, ...e2e.world.env, ...env, HARNESS_PHASE: phase }, timeoutMs: STEP_MS });
    await presentAndCleanup(
      'installed-acmesh',
      () => sh('add'),
      () => sh('rm'),
    );
  });

  test("@dns01/acme-client-plugin in a project, as docs/clients/acme-client.md installs it: the core's and the plugin's tarballs and acme-client 5", async () => {
    const project = join(dir, 'acme-client-project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "project", "private": true }\n');
    const tarball = (name: string) => tarballs[PACKAGES.findIndex((p) => p.name === name)]!;
    await mustRun(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball('@dns01/provider-client'), tarball('@dns01/acme-client-plugin'), 'acme-client@5'],
      {
        env: userEnv(),
        cwd: project,
      },
    );
    const r = await run(process.execPath, ['-e', "console.log(typeof require('@dns01/acme-client-plugin').dns01Challenge)"], {
      env: { PATH: '/usr/bin:/bin' },
      cwd: project,
      timeoutMs: STEP_MS,
    });
    expect(r.stdout.trim(), explain(r)).toBe('function');
  });

  test('@dns01/acme-client-plugin: import and require from the prefix', async () => {
    const modules = join(prefix, 'lib', 'node_modules');
    const cjs = await run(process.execPath, ['-e', "const m = require('@dns01/acme-client-plugin'); console.log(typeof m.dns01Challenge)"], {
      env: { PATH: '/usr/bin:/bin', NODE_PATH: modules },
      timeoutMs: STEP_MS,
    });
    expect(cjs.stdout.trim(), explain(cjs)).toBe('function');
    const esm = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(modules, '@dns01/acme-client-plugin/dist/index.js'))}); console.log(typeof m.dns01Challenge)`,
      ],
      { env: { PATH: '/usr/bin:/bin' }, timeoutMs: STEP_MS },
    );
    expect(esm.stdout.trim(), explain(esm)).toBe('function');
    expect(existsSync(join(modules, '@dns01/acme-client-plugin/dist/index.d.cts'))).toBe(true);
    expect(readFileSync(join(modules, '@dns01/acme-client-plugin/package.json'), 'utf8')).not.toContain('workspace:');
  });
});

describe('from a checkout: pnpm install-global all --prefix DIR', () => {
  test.each(EXECUTABLES)('%s --version', async (name) => {
    const version = await fromCheckout(name, ['--version']);
    expect(version.code, explain(version)).toBe(0);
    expect(version.stdout).toBe(`${name} ${VERSION}\n`);
  });

  test.each(ONE_FILE_EXECUTABLES)('%s: one present and one cleanup, as its client calls it; no process left', async (name) => {
    await roundTrip(name, fromCheckout, `checkout-${name}`);
    expectNoProcessLeft();
  });

  test('pnpm install-global names the hooks it knows when given another', async () => {
    const r = await run('pnpm', ['install-global', 'certbott'], { env: userEnv(), cwd: REPO_ROOT, timeoutMs: STEP_MS });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('install-global: no hook certbott: choose from acmesh, certbot, dehydrated, lego, uacme, all');
  });
});

describe('without the registry: each executable taken out of its tarball as one file', () => {
  test('the directory holds only those files and the acme.sh hooks: nothing else beside an executable', () => {
    expect(readdirSync(oneFile).sort()).toEqual([...ONE_FILE_EXECUTABLES, 'dnsapi'].sort());
  });

  test.each(ONE_FILE_EXECUTABLES)('%s --version, then one present and one cleanup, as its client calls it; no process left', async (name) => {
    const version = await oneFileRun(name, ['--version']);
    expect(version.code, explain(version)).toBe(0);
    expect(version.stdout).toBe(`${name} ${VERSION}\n`);
    await roundTrip(name, oneFileRun, `one-file-${name}`);
    expectNoProcessLeft();
  });

  test('the extracted acme.sh netcup hook adds and removes through the one-file dns01', async () => {
    const harness = join(REPO_ROOT, 'packages/acmesh-hook/test/acmesh-harness.sh');
    const env = { HARNESS_ACCOUNT_CONF: join(dir, 'one-file-account.conf'), DNS01_CLI: join(oneFile, 'dns01') };
    const sh = (phase: string) =>
      run('sh', [harness, join(oneFile, 'dnsapi', 'dns_dns01_netcup.sh'), `${e2e.zone}=one-file-acmesh`], {
        env: { PATH: '/usr/bin:/bin', HOME: dir, ...e2e.world.env, ...env, HARNESS_PHASE: phase },
        timeoutMs: STEP_MS,
      });
    await presentAndCleanup(
      'one-file-acmesh',
      () => sh('add'),
      () => sh('rm'),
    );
    expectNoProcessLeft();
  });

  test("on Node 24 (the sid chroot): hook calls work and keep node's compile cache in the private state directory, which is never made for it", async () => {
    const sid = requireCurrentClients();
    const node24: Runner = (command, args, env = {}) => {
      const [file, chrootArgs] = chrootCommand(sid, ['node', join(oneFile, command), ...args]);
      return run(file, chrootArgs, { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, ...e2e.world.env, ...env }, timeoutMs: STEP_MS });
    };
    const version = await node24('dns01', ['--version']);
    expect(version.stdout, explain(version)).toBe(`dns01 ${VERSION}\n`);
    const cache = join(e2e.world.stateDir, 'compile-cache');
    // The world's state directory exists: the first call fills the cache, the next ones use it.
    await roundTrip('dns01', node24, 'node24-dns01');
    await roundTrip('dns01-lego', node24, 'node24-lego');
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    const [byVersion] = readdirSync(cache);
    expect(byVersion).toMatch(/^v24\./);
    expect(readdirSync(join(cache, byVersion!)).length).toBeGreaterThanOrEqual(2); // dns01's and dns01-lego's
    const missing = join(dir, 'node24-no-state');
    const without = await node24('dns01', ['--version'], { DNS01_STATE_DIR: missing });
    expect(without.code, explain(without)).toBe(0);
    expect(existsSync(missing)).toBe(false);
    expectNoProcessLeft();
  });

  test('behind a TLS-intercepting proxy whose CA only NODE_EXTRA_CA_CERTS names, both calls of a run succeed', async () => {
    const emulator = new URL(e2e.world.env.NETCUP_ENDPOINT!);
    const proxy = await startInterceptProxy({ 'ccp.netcup.net': { host: emulator.hostname, port: Number(emulator.port) } });
    try {
      const viaProxy = { NETCUP_ENDPOINT: 'https://ccp.netcup.net/run/webservice/servers/endpoint.php', HTTPS_PROXY: proxy.url };
      // Without the CA the proxy's certificate is refused: the variable is what makes the calls work.
      const untrusted = await oneFileRun('dns01', ['present', e2e.zone, 'intercepted'], viaProxy);
      expect(untrusted.code, explain(untrusted)).not.toBe(0);
      expect(untrusted.stderr).toMatch(/certificate/);
      const trusted = { ...viaProxy, NODE_EXTRA_CA_CERTS: proxy.tls.caCertPath };
      const connects = proxy.connects.length;
      await presentAndCleanup(
        'intercepted',
        () => oneFileRun('dns01', ['present', e2e.zone, 'intercepted'], trusted),
        () => oneFileRun('dns01', ['cleanup', e2e.zone, 'intercepted'], trusted),
      );
      // Each call, a process of its own, reached the emulator through the proxy.
      expect(proxy.connects.slice(connects).filter((c) => c === 'ccp.netcup.net:443').length).toBeGreaterThanOrEqual(2);
    } finally {
      await proxy.close();
    }
    expectNoProcessLeft();
  });
});

test('certbot issues a certificate from Pebble through the installed dns01-certbot', async () => {
  const ctx = await e2e.context();
  // Only the installed executables: the prefix's bin, then the system's.
  ctx.env = { ...ctx.env, PATH: `${join(prefix, 'bin')}:/usr/bin:/bin` };
  const before = zoneSnapshot(e2e.world, e2e.zone);
  const r = await certbotCertonly(ctx);
  expect(r.code, explain(r)).toBe(0);
  const chain = readFileSync(join(ctx.dir, 'config', 'live', 'e2e', 'fullchain.pem'), 'utf8');
  expect(certificateNames(chain)).toEqual([...ctx.domains].sort());
  expect(chainsToRoot(chain, e2e.root)).toBe(true);
  expect(zoneSnapshot(e2e.world, e2e.zone)).toEqual(before);
  expectNoProcessLeft();
});

test(
  "Debian's acme.sh 3.1.5 finds the hooks dns01-acmesh install linked, by name, and issues through them",
  async () => {
    const sid = requireCurrentClients();
    const home = mkdtempSync(join(dir, 'acmesh-user-'));
    // As Debian's /usr/bin/acme.sh runs it; its default home is ~/.acme.sh, where the hooks go.
    const env = { PATH: `${join(prefix, 'bin')}:/usr/bin:/bin`, HOME: home, LANG: 'C.UTF-8', ACME_PACKAGED: '1', ...e2e.world.env };
    const linked = await run(join(prefix, 'bin', 'dns01-acmesh'), ['install'], { env, timeoutMs: STEP_MS });
    expect(linked.code, explain(linked)).toBe(0);
    const before = zoneSnapshot(e2e.world, e2e.zone);
    const r = await run(
      sid.acmesh,
      [
        '--issue',
        '--server',
        e2e.pebble.directoryUrl,
        '--ca-bundle',
        e2e.pebble.tls.caCertPath,
        '--dns',
        'dns_dns01_netcup',
        '-d',
        e2e.zone,
        '-d',
        `*.${e2e.zone}`,
        '--dnssleep',
        '0',
        '--debug',
      ],
      { env, timeoutMs: 2 * STEP_MS },
    );
    expect(r.code, explain(r)).toBe(0);
    expect(r.output).toContain(`Found domain API file: ${join(home, '.acme.sh/dnsapi/dns_dns01_netcup.sh')}`);
    const chain = readFileSync(join(home, '.acme.sh', `${e2e.zone}_ecc`, 'fullchain.cer'), 'utf8');
    expect(certificateNames(chain)).toEqual([e2e.zone, `*.${e2e.zone}`].sort());
    expect(chainsToRoot(chain, e2e.root)).toBe(true);
    expect(zoneSnapshot(e2e.world, e2e.zone)).toEqual(before);
    expectNoProcessLeft();
  },
  3 * STEP_MS,
);
