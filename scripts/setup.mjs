#!/usr/bin/env node
// Makes a fresh machine ready for `pnpm test` and `pnpm demo`: the workspace's
// dependencies, the Debian (bookworm) programs the end-to-end runs use, and
// sid's current clients for the "current" matrix (scripts/lib/current-clients.mjs:
// private apt config + dpkg-deb -x, and an mmdebstrap chroot, cached; never
// installed into the system). Uses node built-ins only, so it runs before
// anything is installed.
//   node scripts/setup.mjs            dependencies + every Debian program + the sid clients
//   node scripts/setup.mjs --demo     dependencies + what the demo needs (pebble, openssl)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CurrentClientsError, ensureCurrentClients } from './lib/current-clients.mjs';

const root = resolve(import.meta.dirname, '..');
const demoOnly = process.argv.includes('--demo');

/** Program -> Debian package that provides it. */
const PROGRAMS = demoOnly
  ? { pebble: 'pebble', openssl: 'openssl' }
  : {
      pebble: 'pebble',
      certbot: 'certbot',
      lego: 'lego',
      dehydrated: 'dehydrated',
      uacme: 'uacme',
      dig: 'dnsutils',
      openssl: 'openssl',
      curl: 'curl',
      // a real authoritative DNS server for the propagation test (test/e2e/nsd-propagation.test.ts)
      nsd: 'nsd',
      mmdebstrap: 'mmdebstrap',
      'update-ca-certificates': 'ca-certificates',
    };

const has = (program) => spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
/** Runs a step, killed after `timeoutMs` (a registry that stops answering must not hang CI). */
const run = (cmd, args, env = process.env, timeoutMs = 10 * 60_000) => {
  console.error(`setup: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env, timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (r.status !== 0) {
    const how = r.error?.code === 'ETIMEDOUT' ? `no result after ${timeoutMs / 1000} s` : `exit ${r.status ?? r.signal}`;
    const registry =
      cmd === 'apt-get' ? ' (is the Debian registry in /etc/apt/sources.list.d reachable?)' : cmd === 'pnpm' ? ' (is the npm registry reachable?)' : '';
    console.error(`setup: error: "${cmd} ${args.join(' ')}" failed (${how})${registry}`);
    process.exit(1);
  }
};

if (!existsSync(resolve(root, 'node_modules/.modules.yaml'))) {
  run('pnpm', ['install', '--frozen-lockfile']);
}

const missing = [
  ...new Set(
    Object.entries(PROGRAMS)
      .filter(([p]) => !has(p))
      .map(([, pkg]) => pkg),
  ),
];
if (missing.length > 0) {
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !has('apt-get')) {
    console.error(`setup: error: missing Debian packages: ${missing.join(', ')}. Run as root: ${command}`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], env, 3 * 60_000);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], env);
}

if (!demoOnly) {
  try {
    ensureCurrentClients();
  } catch (error) {
    if (!(error instanceof CurrentClientsError)) throw error;
    console.error(`setup: error: ${error.message}`);
    process.exit(1);
  }
}
