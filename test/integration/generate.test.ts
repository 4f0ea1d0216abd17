// scripts/generate.mjs: the generated files match the definitions, a
// definition changed without regenerating fails the check, and a new provider
// folder (plus its emulator and docs page) is all a new provider needs.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const GENERATE = join(ROOT, 'scripts/generate.mjs');
/** What the generator reads and writes: a copy of these is a repo to it. */
const PARTS = [
  'docs',
  'packages/provider-client/src',
  'packages/gateway/src',
  'packages/testkit/src/emulators',
  'packages/acmesh-hook/template.sh',
  'packages/acmesh-hook/dnsapi',
];

let copies: string[] = [];
afterEach(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  copies = [];
});

function copyOfRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dns01-generate-test-'));
  copies.push(dir);
  for (const part of PARTS) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  return dir;
}

function generate(root: string, ...args: string[]) {
  return spawnSync(process.execPath, [GENERATE, ...args, '--root', root], { encoding: 'utf8', timeout: 60_000 });
}

function edit(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replaceAll(from, to));
}

describe('pnpm generate', { timeout: 60_000 }, () => {
  test('the checked-in generated files are current', () => {
    const r = spawnSync(process.execPath, [GENERATE, '--check'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('changing a setting in a definition without regenerating fails the check, naming every stale file', () => {
    const root = copyOfRepo();
    edit(
      join(root, 'packages/provider-client/src/providers/netcup/settings.ts'),
      "names: ['NETCUP_API_KEY', 'NC_Apikey_Legacy', 'NC_Apikey']",
      "names: ['NETCUP_API_KEY', 'NC_Apikey_Legacy', 'NC_Apikey', 'NETCUP_KEY']",
    );
    const r = generate(root, '--check');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('docs/configuration.md is out of date');
    expect(r.stderr).toContain('docs/providers/netcup.md is out of date');
    expect(r.stderr).toContain('packages/acmesh-hook/dnsapi/dns_dns01_netcup.sh is out of date');
    expect(r.stderr).not.toContain('dns_dns01_xsserver.sh');
    expect(generate(root).status).toBe(0);
    expect(readFileSync(join(root, 'packages/acmesh-hook/dnsapi/dns_dns01_netcup.sh'), 'utf8')).toContain(
      '_dns01_netcup_setting NETCUP_API_KEY NETCUP_API_KEY_FILE NC_Apikey_Legacy NC_Apikey_Legacy_FILE NC_Apikey NC_Apikey_FILE NETCUP_KEY NETCUP_KEY_FILE\n',
    );
    expect(generate(root, '--check').status).toBe(0);
  });

  test('changing an exit code meaning or a propagation default fails the check', () => {
    const root = copyOfRepo();
    edit(join(root, 'packages/provider-client/src/errors.ts'), "meaning: 'zone not found'", "meaning: 'no such zone'");
    edit(join(root, 'packages/provider-client/src/providers/xsserver/index.ts'), 'timeout: 600', 'timeout: 700');
    const r = generate(root, '--check');
    expect(r.status).toBe(1);
    for (const file of ['docs/configuration.md', 'docs/clients/acme.sh.md', 'docs/cli.md', 'docs/propagation.md', 'docs/clients/acme-client.md']) {
      expect(r.stderr).toContain(`${file} is out of date`);
    }
  });

  test('the core DNS01_* tables come from the settings: a changed setting, or a hand edit of its row, fails the check', () => {
    const root = copyOfRepo();
    edit(join(root, 'packages/provider-client/src/run-cache.ts'), "'0 to keep no provider state", "'0 keeps no provider state");
    const r = generate(root, '--check');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('docs/configuration.md is out of date');
    expect(generate(root).status).toBe(0);
    expect(readFileSync(join(root, 'docs/configuration.md'), 'utf8')).toContain('| `DNS01_RUN_CACHE` | `1` | 0 keeps no provider state');
    edit(join(root, 'docs/configuration.md'), '| `DNS01_STATUS_LINE` |  | `1` |', '| `DNS01_STATUS_LINE` |  | `true` |');
    expect(generate(root, '--check').status).toBe(1);
  });

  test('a generated block whose markers were removed is an error, not silently skipped', () => {
    const root = copyOfRepo();
    edit(join(root, 'docs/propagation.md'), '<!-- END generated: propagation defaults -->', '');
    const r = generate(root, '--check');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('the markers of "propagation defaults" are missing');
  });

  test('adding a provider: its folder, its emulator and its docs page; the generator writes the rest', () => {
    const root = copyOfRepo();
    // A fifth provider on the provider kit, made from sourceDESK's folder under a new name: the one shape of every folder.
    const providers = join(root, 'packages/provider-client/src/providers');
    cpSync(join(providers, 'sourcedesk'), join(providers, 'example'), { recursive: true });
    expect(readdirSync(join(providers, 'example')).sort()).toEqual(['client.ts', 'errors.ts', 'index.ts', 'provider.ts', 'schemas.ts', 'settings.ts']);
    expect(readFileSync(join(providers, 'example/provider.ts'), 'utf8')).toContain('return createProvider(wire, deps);');
    edit(join(providers, 'example/index.ts'), 'export const sourcedesk = ', 'export const example = ');
    edit(join(providers, 'example/index.ts'), "name: 'sourcedesk'", "name: 'example'");
    edit(join(providers, 'example/errors.ts'), "export const PROVIDER = 'sourcedesk';", "export const PROVIDER = 'example';");
    const emulators = join(root, 'packages/testkit/src/emulators');
    cpSync(join(emulators, 'sourcedesk.ts'), join(emulators, 'example.tmp'));
    renameSync(join(emulators, 'example.tmp'), join(emulators, 'example.ts'));
    edit(join(emulators, 'example.ts'), 'export const sourcedeskWiring', 'export const exampleWiring');
    writeFileSync(
      join(root, 'docs/providers/example.md'),
      '# Example\n\n## Variables\n\n<!-- BEGIN generated: variables (pnpm generate; edit the definitions, not this) -->\n<!-- END generated: variables -->\n',
    );

    const before = generate(root, '--check');
    expect(before.status).toBe(1);
    const r = generate(root);
    expect(r.status).toBe(0);
    const written = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.replace(/^wrote /, ''))
      .sort();
    expect(written).toEqual([
      'docs/clients/acme-client.md',
      'docs/clients/acme.sh.md',
      'docs/configuration.md',
      'docs/propagation.md',
      'docs/providers/example.md',
      'packages/acmesh-hook/dnsapi/dns_dns01_example.sh',
      'packages/provider-client/src/providers/all.ts',
      'packages/testkit/src/emulators/all.ts',
    ]);
    expect(readFileSync(join(providers, 'all.ts'), 'utf8')).toContain("import { example } from './example/index.js';");
    expect(readFileSync(join(emulators, 'all.ts'), 'utf8')).toContain('example: exampleWiring,');
    expect(readFileSync(join(root, 'docs/configuration.md'), 'utf8')).toContain('`example`, `gateway`, `mrdomain`');
    expect(generate(root, '--check').status).toBe(0);
  });
});
