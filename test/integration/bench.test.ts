// pnpm bench (scripts/bench/run.mjs): runs every benchmark of the manifest
// whose needs the machine has, skips and names the others, goes on past a
// failure; and the one argument parser every benchmark uses. Run on a machine
// without certbot (a PATH that lacks it), with the real manifest listed and
// with tiny benchmarks of a test manifest run for real on a copy of the runner.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
/** A PATH holding every program the manifest names that this machine has, except certbot. */
let pathWithoutCertbot: string;

function which(program: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(d, program), constants.X_OK);
      return join(d, program);
    } catch {
      // not here
    }
  }
  return undefined;
}

const runner = (file: string, args: string[]) =>
  spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', env: { PATH: pathWithoutCertbot, HOME: dir }, timeout: 30_000 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dns01-bench-runner-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const program of ['sh', 'nsd', 'nsd-control', 'pebble', 'openssl', 'curl', 'unshare']) {
    const found = which(program);
    if (found) symlinkSync(found, join(bin, program));
  }
  pathWithoutCertbot = bin;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pnpm bench on a machine without certbot', () => {
  test('--list: the benchmark that needs certbot is skipped and says so; those that need only node and sh run', () => {
    const r = runner(join(ROOT, 'scripts/bench/run.mjs'), ['--list']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['api-calls', 'propagation', 'nsd', 'exec', 'startup', 'issuance', 'gateway', 'peers']);
    expect(r.stdout).toMatch(/^issuance: skipped: missing certbot \(not on PATH\) \(section issuance\)$/m);
    for (const name of ['api-calls', 'propagation', 'exec', 'gateway']) expect(r.stdout).toMatch(new RegExp(`^${name}: runs `, 'm'));
  });

  test('docs/benchmarks.md lists every benchmark of the manifest and holds its section', () => {
    const r = runner(join(ROOT, 'scripts/bench/run.mjs'), ['--list']);
    const docs = readFileSync(join(ROOT, 'docs/benchmarks.md'), 'utf8');
    const listed = [...r.stdout.matchAll(/^([\w-]+): .*\(section ([\w-]+)\)$/gm)].map((m) => ({ name: m[1]!, section: m[2]! }));
    expect(listed).toHaveLength(8);
    for (const { name, section } of listed) {
      expect(docs).toContain(`| \`${name}\` | [${section}](`);
      expect(docs).toContain(`<!-- bench:${section} -->`);
    }
    expect([...docs.matchAll(/^\| `[\w-]+` \| \[/gm)]).toHaveLength(listed.length);
  });

  test('runs every benchmark it can, in order, past a failure; names the skipped and the failed; hands each the options', () => {
    const copy = join(dir, 'repo');
    mkdirSync(join(copy, 'scripts', 'bench'), { recursive: true });
    mkdirSync(join(copy, 'scripts', 'lib'));
    copyFileSync(join(ROOT, 'scripts/bench/run.mjs'), join(copy, 'scripts/bench/run.mjs'));
    copyFileSync(join(ROOT, 'scripts/lib/current-clients.mjs'), join(copy, 'scripts/lib/current-clients.mjs'));
    const log = join(copy, 'ran.log');
    const tiny = (name: string, exit = 0) =>
      writeFileSync(
        join(copy, 'scripts/bench', `${name}.mjs`),
        `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(log)}, ${JSON.stringify(name)} + ' ' + process.argv.slice(2).join(' ') + '\\n');\nprocess.exit(${exit});\n`,
      );
    tiny('first');
    tiny('needs-certbot');
    tiny('broken', 3);
    tiny('last');
    writeFileSync(
      join(copy, 'scripts/bench/manifest.mjs'),
      `export const BENCHMARKS = ${JSON.stringify([
        { name: 'first', section: 'first', needs: ['sh'], about: 'a tiny benchmark' },
        { name: 'needs-certbot', section: 'c', needs: ['certbot', 'sh'], about: 'needs certbot' },
        { name: 'broken', section: 'b', needs: [], about: 'fails' },
        { name: 'last', section: 'last', needs: [], about: 'after the failure' },
      ])};\n`,
    );

    const r = runner(join(copy, 'scripts/bench/run.mjs'), ['--no-build', '--runs', '2']);
    expect(r.status, r.stderr).toBe(1);
    expect(readFileSync(log, 'utf8')).toBe('first --runs 2\nbroken --runs 2\nlast --runs 2\n');
    expect(r.stderr).toContain('bench: skipped needs-certbot: missing certbot (not on PATH)');
    expect(r.stderr).toMatch(/^bench: ran 2: first \(\d+ s\), last \(\d+ s\)$/m);
    expect(r.stderr).toMatch(/^bench: skipped 1: needs-certbot \(missing certbot \(not on PATH\)\)$/m);
    expect(r.stderr).toMatch(/^bench: FAILED 1: broken \(exit 3 after \d+ s\)$/m);

    // Only skipped ones: nothing runs, nothing fails.
    rmSync(log);
    const skippedOnly = runner(join(copy, 'scripts/bench/run.mjs'), ['needs-certbot', '--no-build']);
    expect(skippedOnly.status, skippedOnly.stderr).toBe(0);
    expect(skippedOnly.stderr).toMatch(/^bench: ran 0$/m);
    expect(() => readFileSync(log)).toThrow();

    const unknown = runner(join(copy, 'scripts/bench/run.mjs'), ['nothing-by-that-name', '--list']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no benchmark named nothing-by-that-name (the benchmarks: first, needs-certbot, broken, last)');
  });
});

describe("the benchmarks' one argument parser (scripts/bench/lib/args.mjs)", () => {
  const parse = (argv: string[]) =>
    spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { benchArgs } = await import(${JSON.stringify(join(ROOT, 'scripts/bench/lib/args.mjs'))});
         const r = benchArgs('demo', { runs: { default: 1 }, 'latency-ms': { default: [0, 40] }, clients: { default: ['acme.sh', 'lego'] }, path: { default: '' }, quick: { default: false } },
           { argv: ${JSON.stringify(argv)} });
         console.log(JSON.stringify(r));`,
      ],
      { encoding: 'utf8' },
    );

  test('types from the defaults, camelCase keys, and the command that reproduces the run', () => {
    const r = parse(['--runs', '3', '--latency-ms', '40', '--clients', 'lego', '--path', '/x', '--quick', '--no-write']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      values: { runs: 3, latencyMs: [40], clients: ['lego'], path: '/x', quick: true },
      write: false,
      command: 'pnpm bench demo --runs 3 --latency-ms 40 --clients lego --path /x --quick',
    });
    const defaults = parse([]);
    expect(JSON.parse(defaults.stdout)).toEqual({
      values: { runs: 1, latencyMs: [0, 40], clients: ['acme.sh', 'lego'], path: '', quick: false },
      write: true,
      command: 'pnpm bench demo',
    });
  });

  test('an unknown option or a value that is no number is a usage error (exit 2) that lists the options', () => {
    for (const argv of [['--rusn', '3'], ['--runs', 'three'], ['--latency-ms', '0,-5'], ['extra']]) {
      const r = parse(argv);
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stderr).toContain('Usage: pnpm bench demo [options]');
      expect(r.stderr).toContain('--latency-ms 0,40');
    }
  });
});
