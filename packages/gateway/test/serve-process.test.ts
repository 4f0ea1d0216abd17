// `dns01 serve` as the built executable: the client commands, --check, and
// SIGTERM while requests are in flight (every one answered, the process ends
// 0, the ledger names every record and the next start deletes them).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode, startTestWorld, type TestWorld } from '@dns01/testkit';
import { until } from '@dns01/testkit/support';
import { acmeValue, authHeaders, send } from './rig.js';

const BIN = resolve(import.meta.dirname, '../../cli/dist/bin/dns01.js');
let world: TestWorld<'netcup'>;
let stateDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' first`);
  world = await startTestWorld({ provider: 'netcup', zones: ['example.com'] });
  stateDir = mkdtempSync(join(tmpdir(), 'dns01-serve-'));
  env = { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...world.env, DNS01_SERVE_STATE_DIR: stateDir, DNS01_SERVE_LISTEN: '127.0.0.1:0' };
});
afterAll(async () => {
  await world?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const dns01 = (args: string[], extra: Record<string, string> = {}) => runNode(BIN, args, { env: { ...env, ...extra }, timeoutMs: 30_000 });

/** Starts `dns01 serve`; resolves with the process and its URL once it listens. */
async function serve(): Promise<{ child: ChildProcess; url: string; stderr: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  let exited = false;
  void exit.then(() => (exited = true));
  await until(() => exited || /serving on (\S+)/.test(stderr), 20);
  const url = /serving on (\S+)/.exec(stderr)?.[1];
  if (!url) throw new Error(`dns01 serve did not start: ${stderr}`);
  return { child, url, stderr: () => stderr, exit };
}

it('client add prints the secret once and the acme-dns accounts; list, rotate and remove; the file holds hashes only, mode 600', async () => {
  const added = await dns01(['serve', 'client', 'add', 'web1', '--names', 'Example.com,*.example.com', '--url', 'https://gw.example.net', '--json']);
  expect(added.status).toBe(0);
  const out = JSON.parse(added.stdout) as { id: string; secret: string; names: string[]; acmeDnsAccounts: Record<string, Record<string, string>> };
  expect(out.names).toEqual(['example.com', '*.example.com']);
  expect(out.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(out.acmeDnsAccounts).toEqual({
    'example.com': {
      username: 'web1',
      password: out.secret,
      fulldomain: '_acme-challenge.example.com',
      subdomain: 'example.com',
      server_url: 'https://gw.example.net',
    },
  });
  const file = join(stateDir, 'clients.json');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readFileSync(file, 'utf8')).not.toContain(out.secret);

  const text = await dns01(['serve', 'client', 'add', 'web2', '--names', 'www.example.com', '--from', '10.0.0.0/8']);
  expect(text.status).toBe(0);
  expect(text.stdout).toContain('"fulldomain": "_acme-challenge.www.example.com"');
  const again = await dns01(['serve', 'client', 'add', 'web2', '--names', 'www.example.com']);
  expect(again.status).toBe(2);

  const list = await dns01(['serve', 'client', 'list']);
  expect(list.stdout).toBe('web1  example.com,*.example.com\nweb2  www.example.com  from 10.0.0.0/8\n');
  const rotated = await dns01(['serve', 'client', 'rotate', 'web2', '--json']);
  expect((JSON.parse(rotated.stdout) as { secret: string }).secret).not.toBe(out.secret);
  expect((await dns01(['serve', 'client', 'remove', 'web2'])).status).toBe(0);
  expect((await dns01(['serve', 'client', 'list', '--json'])).stdout).toContain('"id":"web1"');
  expect((await dns01(['serve', 'client', 'remove', 'web2'])).status).toBe(2);
  expect((await dns01(['serve', 'client', 'add', 'bad id', '--names', 'example.com'])).status).toBe(2);
});

it('serve --check validates the settings and proves the credentials on every client name; a wrong password fails it', async () => {
  const ok = await dns01(['serve', '--check']);
  expect(ok.stdout).toContain('ok    example.com: _acme-challenge.example.com goes into zone example.com');
  expect(ok.status).toBe(0);
  const wrong = await dns01(['serve', '--check'], { NETCUP_API_PASSWORD: 'wrong-password-check' });
  expect(wrong.status).toBe(3);
  expect(wrong.stdout).toMatch(/FAIL .*example\.com/);
  expect(wrong.stdout + wrong.stderr).not.toContain('wrong-password-check');
  const open = await dns01(['serve', '--check', '--listen', '0.0.0.0:8553']);
  expect(open.status).toBe(3);
  expect(open.stdout).toMatch(/FAIL +plain HTTP on 0\.0\.0\.0:8553/);
});

it('SIGTERM with requests in flight: every one answered, exit 0, the ledger names every record, the next start deletes them', { timeout: 60_000 }, async () => {
  const secret = (JSON.parse((await dns01(['serve', 'client', 'rotate', 'web1', '--json'])).stdout) as { secret: string }).secret;
  const server = await serve();
  world.emulator.server.inject({ fault: { kind: 'delay', ms: 500 }, times: 1000 });
  const values = Array.from({ length: 6 }, (_, i) => acmeValue(`sigterm-${i}`));
  const before = world.emulator.server.requests.length;
  const replies = values.map((value, i) =>
    send(server.url, '/present', { fqdn: `_acme-challenge.s${i}.example.com`, value }, authHeaders({ id: 'web1', secret })),
  );
  await until(() => world.emulator.server.requests.length > before);
  server.child.kill('SIGTERM');
  const statuses = (await Promise.all(replies)).map((r) => r.status);
  expect(statuses).toEqual(values.map(() => 200));
  expect(await server.exit).toBe(0);
  world.emulator.server.clearFaults();
  for (let i = 0; i < values.length; i++) expect(world.txt(`_acme-challenge.s${i}.example.com`)).toEqual([values[i]]);
  const ledger = JSON.parse(readFileSync(join(stateDir, 'ledger.json'), 'utf8')) as { records: { value: string }[] };
  expect(ledger.records.map((r) => r.value).sort()).toEqual([...values].sort());
  expect(server.stderr()).toContain('stopped; the ledger holds 6 record(s)');

  const next = await serve();
  for (let i = 0; i < values.length; i++) expect(world.txt(`_acme-challenge.s${i}.example.com`)).toEqual([]);
  next.child.kill('SIGTERM');
  expect(await next.exit).toBe(0);
  for (const s of world.secrets) expect(server.stderr() + next.stderr()).not.toContain(s);
  expect(server.stderr()).not.toContain(secret);
});
