#!/usr/bin/env node
// Puts this package's acme.sh DNS API files where acme.sh looks for them.
// acme.sh's --dns takes a name, never a path: it sources <name>.sh from the
// dnsapi/ folder beside its own script or from $LE_WORKING_DIR (default
// ~/.acme.sh, also for Debian's packaged acme.sh), in $LE_WORKING_DIR/dnsapi/
// or $LE_WORKING_DIR itself (acme.sh's _findHook).
import { copyFileSync, lstatSync, readdirSync, readFileSync, rmSync, symlinkSync, mkdirSync, accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const packageDir = resolve(import.meta.dirname, '..');
const dnsapiDir = join(packageDir, 'dnsapi');

const USAGE = `Usage: dns01-acmesh install [--home DIR] [--copy]
       dns01-acmesh path

install   links every dns_dns01_<provider>.sh into DIR/dnsapi, where acme.sh
          finds it for --dns dns_dns01_<provider>. DIR: --home, else
          $LE_WORKING_DIR, else ~/.acme.sh (a user install of acme.sh and
          Debian's packaged acme.sh both look there).
          --copy copies the files instead of linking them (a link follows
          npm upgrades of this package; a copy does not).
path      prints the folder holding the files in this package.

The hooks run the dns01 command (package @dns01/cli): it must be on the PATH
acme.sh runs with, or named by DNS01_CLI. Exit: 0 ok, 1 failure, 2 usage.
`;

function fail(message, code = 1) {
  process.stderr.write(`dns01-acmesh: error: ${message}\n`);
  process.exit(code);
}

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** A file there may be replaced only when it is one of ours (a link, or a dns01 hook's text). */
function replaceable(target) {
  let stat;
  try {
    stat = lstatSync(target);
  } catch {
    return true;
  }
  if (stat.isSymbolicLink()) return true;
  return stat.isFile() && readFileSync(target, 'utf8').includes('the dns01 CLI');
}

function install(values) {
  const home = values.home ?? process.env.LE_WORKING_DIR ?? join(homedir(), '.acme.sh');
  const target = join(resolve(home), 'dnsapi');
  mkdirSync(target, { recursive: true });
  const files = readdirSync(dnsapiDir)
    .filter((f) => /^dns_dns01_[a-z0-9]+\.sh$/.test(f))
    .sort();
  for (const file of files) {
    if (!replaceable(join(target, file))) fail(`${join(target, file)} exists and is not a dns01 hook; move it away first`);
  }
  for (const file of files) {
    const to = join(target, file);
    rmSync(to, { force: true });
    if (values.copy) copyFileSync(join(dnsapiDir, file), to);
    else symlinkSync(join(dnsapiDir, file), to);
    process.stdout.write(`${values.copy ? 'copied' : 'linked'} ${to}\n`);
  }
  if (!process.env.DNS01_CLI && !onPath('dns01')) {
    process.stderr.write("dns01-acmesh: warning: no dns01 on PATH: install @dns01/cli, or export DNS01_CLI=/path/to/dns01 before 'acme.sh --issue'\n");
  }
}

let parsed;
try {
  parsed = parseArgs({
    args: process.argv.slice(2),
    options: { home: { type: 'string' }, copy: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } },
    allowPositionals: true,
  });
} catch (error) {
  fail(`${error.message.split('\n')[0]}. Run 'dns01-acmesh --help'`, 2);
}
const { values, positionals } = parsed;
if (values.version) {
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  process.stdout.write(`dns01-acmesh ${version}\n`);
} else if (values.help) {
  process.stdout.write(USAGE);
} else if (positionals[0] === 'install' && positionals.length === 1) {
  install(values);
} else if (positionals[0] === 'path' && positionals.length === 1) {
  process.stdout.write(`${dnsapiDir}\n`);
} else {
  process.stderr.write(USAGE);
  process.exit(2);
}
