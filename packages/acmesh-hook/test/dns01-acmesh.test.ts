// dns01-acmesh: puts the dnsapi files where acme.sh looks for --dns names.
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';

const PKG = resolve(import.meta.dirname, '..');
const BIN = join(PKG, 'bin/dns01-acmesh.mjs');
const FILES = ['dns_dns01_gateway.sh', 'dns_dns01_mrdomain.sh', 'dns_dns01_netcup.sh', 'dns_dns01_sourcedesk.sh', 'dns_dns01_xsserver.sh'];
let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'dns01-acmesh-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const acmesh = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: home, ...env } });

test('install links every hook into ~/.acme.sh/dnsapi by default, and warns when dns01 is not on PATH', () => {
  const r = acmesh(['install']);
  expect(r.status, r.stderr).toBe(0);
  for (const file of FILES) expect(readlinkSync(join(home, '.acme.sh/dnsapi', file))).toBe(join(PKG, 'dnsapi', file));
  expect(r.stdout.trim().split('\n')).toEqual(FILES.map((f) => `linked ${join(home, '.acme.sh/dnsapi', f)}`));
  expect(r.stderr).toMatch(/no dns01 on PATH: install @dns01\/cli, or export DNS01_CLI/);
  expect(acmesh(['install'], { DNS01_CLI: '/opt/dns01' }).stderr).toBe('');
});

test('LE_WORKING_DIR, then --home, choose the acme.sh home; --copy copies', () => {
  expect(acmesh(['install'], { LE_WORKING_DIR: join(home, 'le'), DNS01_CLI: 'x' }).status).toBe(0);
  expect(lstatSync(join(home, 'le/dnsapi/dns_dns01_netcup.sh')).isSymbolicLink()).toBe(true);
  expect(acmesh(['install', '--home', join(home, 'other'), '--copy'], { LE_WORKING_DIR: join(home, 'le'), DNS01_CLI: 'x' }).status).toBe(0);
  const copied = join(home, 'other/dnsapi/dns_dns01_netcup.sh');
  expect(lstatSync(copied).isFile()).toBe(true);
  expect(readFileSync(copied, 'utf8')).toBe(readFileSync(join(PKG, 'dnsapi/dns_dns01_netcup.sh'), 'utf8'));
  // Run again over its own copies and links: replaced, not refused.
  expect(acmesh(['install', '--home', join(home, 'other')], { DNS01_CLI: 'x' }).status).toBe(0);
  expect(lstatSync(copied).isSymbolicLink()).toBe(true);
});

test('a foreign file of the same name stops it before anything is written', () => {
  const dnsapi = join(home, '.acme.sh/dnsapi');
  mkdirSync(dnsapi, { recursive: true });
  writeFileSync(join(dnsapi, 'dns_dns01_xsserver.sh'), 'mine\n');
  const r = acmesh(['install'], { DNS01_CLI: 'x' });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(`dns01-acmesh: error: ${join(dnsapi, 'dns_dns01_xsserver.sh')} exists and is not a dns01 hook; move it away first\n`);
  expect(readFileSync(join(dnsapi, 'dns_dns01_xsserver.sh'), 'utf8')).toBe('mine\n');
  expect(() => lstatSync(join(dnsapi, 'dns_dns01_mrdomain.sh'))).toThrow();
});

test('path, --version, --help; anything else is a usage error', () => {
  expect(acmesh(['path']).stdout).toBe(`${join(PKG, 'dnsapi')}\n`);
  const { version } = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
  expect(acmesh(['--version']).stdout).toBe(`dns01-acmesh ${version}\n`);
  expect(acmesh(['--help']).stdout).toMatch(/^Usage: dns01-acmesh install/);
  for (const args of [[], ['uninstall'], ['install', 'extra'], ['--bogus']]) {
    const r = acmesh(args);
    expect(r.status, args.join(' ')).toBe(2);
  }
});
