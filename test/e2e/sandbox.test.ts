// `pnpm sandbox` as a user meets it (README, "Try it without an account";
// docs/testing.md, "The sandbox"): started as a process, one client page's
// command pasted from what it printed (certbot with dns01-certbot,
// docs/clients/certbot.md), then Ctrl-C.
import { Resolver } from 'node:dns/promises';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netcupWiring } from '@dns01/testkit';
import { certificateNames, explain, leakedSecrets, processesNaming, REPO_ROOT, requirePrograms, run, startDaemon, type Daemon } from '@dns01/testkit/e2e';
import { afterAll, describe, expect, it } from 'vitest';

const ZONE = 'example.test';
const CHALLENGE = `_acme-challenge.${ZONE}`;

/** The printed block whose first line starts with `first`, up to the next blank line. */
function block(output: string, first: string): string {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.startsWith(first));
  if (start < 0) throw new Error(`the sandbox printed no line "${first}...":\n${output}`);
  const end = lines.indexOf('', start);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** Polls `check` until it returns a value; fails with `what()` after `ms`. */
async function within<T>(ms: number, what: () => string, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = check();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('pnpm sandbox', () => {
  let dir: string | undefined;
  let sandbox: Daemon | undefined;
  afterAll(async () => {
    await sandbox?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("runs certbot's command as it printed it: a certificate, the zone as it began; Ctrl-C exits 0 and leaves no process or file", async () => {
    requirePrograms('pebble', 'openssl', 'certbot');
    dir = await mkdtemp(join(tmpdir(), 'dns01-e2e-sandbox-'));
    // The sandbox's TMPDIR, so that everything it leaves behind shows here.
    const sandboxTmp = join(dir, 'tmp');
    const home = join(dir, 'home');
    mkdirSync(sandboxTmp);
    mkdirSync(home);
    // The README's command, as it is typed.
    sandbox = await startDaemon('pnpm', ['sandbox'], {
      env: { ...process.env, TMPDIR: sandboxTmp },
      cwd: REPO_ROOT,
      readyTimeoutMs: 90_000,
      ready: (output) => /^dns01 sandbox ready/m.test(output),
    });
    const exited = new Promise<number | null>((resolve) => sandbox!.child.once('exit', (code) => resolve(code)));
    const printed = sandbox.output();

    // What a user pastes: the export lines, then the certbot page's command.
    const environment = block(printed, 'export DNS01_CONFIG=');
    const certbot = block(printed, '# certbot (docs/clients/certbot.md)');
    expect(environment.split('\n').map((line) => line.replace(/=.*/, ''))).toEqual(['export DNS01_CONFIG', 'export DNS01_STATE_DIR', 'export PATH']);
    expect(certbot).toContain("--manual-auth-hook 'dns01-certbot auth'");

    // The config file: private, with the emulator's test credentials, which the output never shows.
    const configPath = /^export DNS01_CONFIG=(\S+)$/m.exec(environment)![1]!;
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(configPath, '..')).mode & 0o777).toBe(0o700);
    const config = readFileSync(configPath, 'utf8');
    expect(config).toMatch(/^DNS01_PROVIDER=netcup$/m);
    const credentials = Object.values(netcupWiring.credentials);
    expect(netcupWiring.secrets.filter((s) => config.includes(`=${s}\n`))).toEqual(netcupWiring.secrets.filter((s) => credentials.includes(s)));
    expect(leakedSecrets(printed, netcupWiring.secrets)).toEqual([]);

    // The zone as DNS serves it: the resolver the config file names.
    const resolver = new Resolver();
    resolver.setServers([/^DNS01_RESOLVERS=(\S+)$/m.exec(config)![1]!]);
    const serial = async () => (await resolver.resolveSoa(ZONE)).serial;
    const challengeTxt = async () => (await resolver.resolveTxt(CHALLENGE)).map((chunks) => chunks.join('')).sort();
    const txtBefore = await challengeTxt();
    const serialBefore = await serial();
    expect(txtBefore).toEqual(['foreign-apex-token-do-not-touch']);

    const issued = await run('sh', ['-c', `${environment}\n${certbot}`], {
      env: { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' },
      cwd: home,
      timeoutMs: 180_000,
    });
    expect(issued.code, explain(issued)).toBe(0);

    const configDir = /--config-dir (\S+)/.exec(certbot)![1]!;
    expect(certificateNames(join(configDir, 'live', ZONE, 'fullchain.pem'))).toEqual([`*.${ZONE}`, ZONE]);
    // Records were added and removed (the serial moved), and the zone holds what it held before.
    expect(await challengeTxt()).toEqual(txtBefore);
    expect(await serial()).toBeGreaterThanOrEqual(serialBefore + 2);
    // The sandbox shows each record added and removed: one per name of the certificate.
    const changes = (what: string) => sandbox!.output().slice(printed.length).split(`: ${what} TXT ${CHALLENGE} `).length - 1;
    await within(
      5_000,
      () => sandbox!.output().slice(printed.length),
      () => (changes('removed') >= 2 ? true : undefined),
    );
    expect([changes('added'), changes('removed')]).toEqual([2, 2]);
    expect(leakedSecrets(`${sandbox.output()}\n${issued.output}`, netcupWiring.secrets)).toEqual([]);

    // Ctrl-C: the terminal sends SIGINT to the foreground process group, the sandbox's own.
    const stopping = Date.now();
    process.kill(-sandbox.child.pid!, 'SIGINT');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(code, sandbox.output()).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(15_000);
    expect(sandbox.output()).toContain(`${ZONE} ended as it began`);
    expect(sandbox.output()).toMatch(/^dns01 sandbox stopped; its files are removed$/m);
    expect(readdirSync(sandboxTmp)).toEqual([]);
    expect(existsSync(configPath)).toBe(false);
    // Pebble, and every hook process the run started, are gone.
    await within(
      5_000,
      () => `processes naming ${sandboxTmp} still run:\n${processesNaming(sandboxTmp).join('\n')}`,
      () => (processesNaming(sandboxTmp).length === 0 ? true : undefined),
    );
  });
});
