// What `pnpm demo` and `pnpm sandbox` do before they start anything: the
// demo's set-up (pnpm dependencies; Debian's pebble and openssl, installed as
// root, else the exact command is printed) and a build when the packages they
// import are not built yet. Node built-ins only: it runs before anything is
// installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

/** The built files the demo and the sandbox import. */
const BUILT = [
  'provider-client/dist/index.js',
  'testkit/dist/index.js',
  'testkit/dist/e2e/index.js',
  'acme-client-plugin/dist/index.js',
  'cli/dist/bin/dns01.js',
];

function runOrExit(who, args, what) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${who}: ${what} failed (exit ${r.status ?? r.signal}); see above`);
    process.exit(r.status || 1);
  }
}

/** Sets up and builds as needed; `step(text)` announces each step, `who` names the script in errors. */
export function prepare(who, step) {
  step('setup: pnpm dependencies, pebble, openssl');
  runOrExit(who, [join(root, 'scripts/setup.mjs'), '--demo'], 'setup');
  if (!BUILT.every((f) => existsSync(join(root, 'packages', f)))) {
    step('building the packages (pnpm build)');
    runOrExit(who, [join(root, 'scripts/build.mjs')], 'build');
  }
}
