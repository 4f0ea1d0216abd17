// Installed the way users install: every published package packed (pnpm pack,
// workspace:* resolved), the tarballs installed with npm into an empty prefix
// (no workspace, no dev dependencies), and then only what that prefix holds is
// run: each executable's --help and --version, one present and cleanup through
// each against the emulator, the library's ESM and CommonJS entries, and a
// certbot issuance and one by Debian's acme.sh from Pebble through the
// installed hooks.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireCurrentClients } from '../../scripts/lib/current-clients.mjs';
import {
  certbotCertonly,
  certificateNames,
  chainsToRoot,
  explain,
  leakedSecrets,
  REPO_ROOT,
  requirePrograms,
  run,
  startE2eWorld,
  zoneSnapshot,
  type E2eWorld,
  type RunResult,
} from '@dns01/testkit/e2e';
import { BOOKWORM } from './harness/suites.js';

const STEP_MS = 120_000;
/** The published packages (not private), in the order scripts/release.mjs packs them. */
const PACKAGES = readdirSync(join(REPO_ROOT, 'packages'))
  .sort()
  .map((d) => JSON.parse(readFileSync(join(REPO_ROOT, 'packages', d, 'package.json'), 'utf8')) as { name: string; version: string; bin?: Record<string, string>; private?: boolean })
  .filter((p) => !p.private);
const VERSION = PACKAGES[0]!.version;
const EXECUTABLES = PACKAGES.flatMap((p) => Object.keys(p.bin ?? {}));

/** The environment without what pnpm and vitest add (npm_config_*, the workspace): npm as a user runs it. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|PNPM|pnpm_|VITEST|NODE_OPTIONS)/i.test(k)));
  return { ...clean, ...extra };
}

async function mustRun(file: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<RunResult> {
  const result = await run(file, args, { ...options, timeoutMs: STEP_MS });
  if (result.code !== 0) throw new Error(explain(result));
  return result;
}

let dir: string;
let prefix: string;
let tarballs: string[];
let e2e: E2eWorld;

beforeAll(async () => {
  requirePrograms('certbot', 'pebble');
  dir = mkdtempSync(join(tmpdir(), 'dns01-install-'));
  prefix = join(dir, 'prefix');
  const packed = await mustRun(process.execPath, [join(REPO_ROOT, 'scripts/release.mjs'), 'pack', '--out', join(dir, 'tarballs')], { env: userEnv(), cwd: REPO_ROOT });
  tarballs = packed.stdout.trim().split('\n');
  // From the local npm cache where it can, else the registry (the dependencies: undici, zod, ...).
  await mustRun('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], { env: userEnv(), cwd: dir });
  e2e = await startE2eWorld('netcup', { suite: BOOKWORM, purpose: 'install' });
}, 4 * STEP_MS);

afterAll(async () => {
  await e2e?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs an installed executable, with the installed bin directory first on PATH and the emulator's settings. */
function installed(command: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return run(join(prefix, 'bin', command), args, {
    env: { PATH: `${join(prefix, 'bin')}:/usr/bin:/bin`, HOME: dir, ...e2e.world.env, ...env },
    timeoutMs: STEP_MS,
  });
}

function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
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
    expect(manifest).toMatchObject({ version: VERSION, license: 'MIT', engines: { node: expect.any(String) }, repository: { type: 'git', url: expect.any(String) } });
    expect(files).toEqual(expect.arrayContaining(['package/README.md', 'package/LICENSE', 'package/package.json']));
    expect(files.some((f) => f.endsWith('.tsbuildinfo'))).toBe(false);
    const ranges = Object.values({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.devDependencies }) as string[];
    expect(ranges.filter((r) => r.startsWith('workspace:'))).toEqual([]);
    for (const bin of Object.values((manifest.bin ?? {}) as Record<string, string>)) expect(files).toContain(`package/${bin.replace(/^\.\//, '')}`);
    for (const target of [manifest.types, manifest.main, ...JSON.stringify(manifest.exports ?? {}).match(/\.\/dist\/[^"]+/g) ?? []].filter(Boolean)) {
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

  test('dns01 present and cleanup', async () => {
    const zone = e2e.zone;
    await presentAndCleanup(
      'installed-dns01',
      () => installed('dns01', ['present', zone, 'installed-dns01']),
      () => installed('dns01', ['cleanup', zone, 'installed-dns01']),
    );
  });

  test('dns01-certbot auth and cleanup', async () => {
    const env = { CERTBOT_DOMAIN: e2e.zone, CERTBOT_VALIDATION: 'installed-certbot', CERTBOT_ALL_DOMAINS: e2e.zone, CERTBOT_REMAINING_CHALLENGES: '0' };
    let authOutput = '';
    await presentAndCleanup(
      'installed-certbot',
      async () => {
        const r = await installed('dns01-certbot', ['auth'], env);
        authOutput = r.stdout.trim();
        return r;
      },
      () => installed('dns01-certbot', ['cleanup'], { ...env, CERTBOT_AUTH_OUTPUT: authOutput }),
    );
  });

  test('dns01-lego present and cleanup', async () => {
    const fqdn = `_acme-challenge.${e2e.zone}.`;
    await presentAndCleanup(
      'installed-lego',
      () => installed('dns01-lego', ['present', fqdn, 'installed-lego']),
      () => installed('dns01-lego', ['cleanup', fqdn, 'installed-lego']),
    );
  });

  test('dns01-dehydrated deploy_challenge and clean_challenge', async () => {
    await presentAndCleanup(
      'installed-dehydrated',
      () => installed('dns01-dehydrated', ['deploy_challenge', e2e.zone, 'token', 'installed-dehydrated']),
      () => installed('dns01-dehydrated', ['clean_challenge', e2e.zone, 'token', 'installed-dehydrated']),
    );
  });

  test('dns01-uacme begin and done', async () => {
    await presentAndCleanup(
      'installed-uacme',
      () => installed('dns01-uacme', ['begin', 'dns-01', e2e.zone, 'token', 'installed-uacme']),
      () => installed('dns01-uacme', ['done', 'dns-01', e2e.zone, 'token', 'installed-uacme']),
    );
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
    await presentAndCleanup('installed-acmesh', () => sh('add'), () => sh('rm'));
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
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(modules, '@dns01/acme-client-plugin/dist/index.js'))}); console.log(typeof m.dns01Challenge)`],
      { env: { PATH: '/usr/bin:/bin' }, timeoutMs: STEP_MS },
    );
    expect(esm.stdout.trim(), explain(esm)).toBe('function');
    expect(existsSync(join(modules, '@dns01/acme-client-plugin/dist/index.d.cts'))).toBe(true);
    expect(readFileSync(join(modules, '@dns01/acme-client-plugin/package.json'), 'utf8')).not.toContain('workspace:');
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
});

test("Debian's acme.sh 3.1.5 finds the hooks dns01-acmesh install linked, by name, and issues through them", async () => {
  const sid = requireCurrentClients();
  const home = mkdtempSync(join(dir, 'acmesh-user-'));
  // As Debian's /usr/bin/acme.sh runs it; its default home is ~/.acme.sh, where the hooks go.
  const env = { PATH: `${join(prefix, 'bin')}:/usr/bin:/bin`, HOME: home, LANG: 'C.UTF-8', ACME_PACKAGED: '1', ...e2e.world.env };
  const linked = await run(join(prefix, 'bin', 'dns01-acmesh'), ['install'], { env, timeoutMs: STEP_MS });
  expect(linked.code, explain(linked)).toBe(0);
  const before = zoneSnapshot(e2e.world, e2e.zone);
  const r = await run(
    sid.acmesh,
    ['--issue', '--server', e2e.pebble.directoryUrl, '--ca-bundle', e2e.pebble.tls.caCertPath, '--dns', 'dns_dns01_netcup', '-d', e2e.zone, '-d', `*.${e2e.zone}`, '--dnssleep', '0', '--debug'],
    { env, timeoutMs: 2 * STEP_MS },
  );
  expect(r.code, explain(r)).toBe(0);
  expect(r.output).toContain(`Found domain API file: ${join(home, '.acme.sh/dnsapi/dns_dns01_netcup.sh')}`);
  const chain = readFileSync(join(home, '.acme.sh', `${e2e.zone}_ecc`, 'fullchain.cer'), 'utf8');
  expect(certificateNames(chain)).toEqual([e2e.zone, `*.${e2e.zone}`].sort());
  expect(chainsToRoot(chain, e2e.root)).toBe(true);
  expect(zoneSnapshot(e2e.world, e2e.zone)).toEqual(before);
}, 3 * STEP_MS);
