// dns01 on a fleet host with DNS01_PROVIDER=gateway: present and cleanup go
// through the gateway (no provider credential on the host); the commands
// that need the provider's own API refuse before anything is sent.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runNode, startTestWorld, type TestWorld } from '@dns01/testkit';

const BIN = resolve(import.meta.dirname, '../dist/bin/dns01.js');
const NAME = '_acme-challenge.example.com';
let world: TestWorld<'gateway'>;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' first`);
  world = await startTestWorld({ provider: 'gateway', records: [{ name: NAME, type: 'TXT', data: 'foreign-kept' }] });
});
afterAll(async () => world?.close());

const dns01 = (args: string[]) => runNode(BIN, args, { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...world.env }, timeoutMs: 30_000 });

test('present waits and prints the record, cleanup deletes exactly it; no secret in any output', async () => {
  const present = await dns01(['present', 'example.com', 'fleet-value-1']);
  expect(present.stderr).not.toMatch(/error/);
  expect(present.status).toBe(0);
  expect(present.stdout).toBe(`${NAME} TXT "fleet-value-1" zone example.com\n`);
  expect(world.txt(NAME).sort()).toEqual(['fleet-value-1', 'foreign-kept']);
  const cleanup = await dns01(['cleanup', 'example.com', 'fleet-value-1']);
  expect(cleanup.status).toBe(0);
  expect(world.txt(NAME)).toEqual(['foreign-kept']);
  for (const secret of world.secrets) expect(present.stdout + present.stderr + cleanup.stdout + cleanup.stderr).not.toContain(secret);
});

test('check <domain> names the zone and reads no records (the gateway lists none)', async () => {
  const check = await dns01(['check', 'example.com']);
  expect(check.stderr).toBe('');
  expect(check.status).toBe(0);
  expect(check.stdout).toMatch(/^example\.com: _acme-challenge\.example\.com goes into zone example\.com$/m);
});

test('check --write and persist set refuse the gateway provider before any request', async () => {
  const before = world.emulator.server.requests.length;
  const check = await dns01(['check', '--write', 'example.com']);
  expect(check.status).toBe(2);
  expect(check.stderr).toMatch(/dns01 check --write needs the DNS provider's own API; the gateway provider only relays/);
  const persist = await dns01(['persist', 'set', 'example.com', '--issuer', 'letsencrypt.org', '--account-uri', 'https://acme.example/acct/1']);
  expect(persist.status).toBe(2);
  expect(persist.stderr).toMatch(/dns01 persist set needs the DNS provider's own API/);
  expect(world.emulator.server.requests.length).toBe(before);
  expect(world.txt(NAME)).toEqual(['foreign-kept']);
});
