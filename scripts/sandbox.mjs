#!/usr/bin/env node
// pnpm sandbox: try dns01 with any ACME client, without a provider account.
// Sets up like the demo, then runs a provider's emulator with the zones, two
// loopback nameservers that lag, and Pebble validating through them; prints
// the config file to use and one command per client page, ready to paste;
// shows every record added or removed; and runs until Ctrl-C, then stops
// everything and removes its files. docs/testing.md, "The sandbox".
//
//   pnpm sandbox [--provider netcup|netcup-rest|<any other provider folder>] [--zone example.test ...] [--lag <seconds>]
//   (pnpm demo --serve takes the same options)
//
// Before the setup step only node built-ins may be imported.
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { prepare } from './lib/prepare.mjs';

/**
 * The providers the sandbox offers, read from the provider folders as the generator reads them, so that --help
 * works before anything is built: packages/testkit/src/e2e/sandbox.ts (SANDBOX_PROVIDERS) derives the same list.
 */
const folders = readdirSync(new URL('../packages/provider-client/src/providers/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'netcup')
  .map((entry) => entry.name)
  .sort();
const PROVIDERS = ['netcup', 'netcup-rest', ...folders];
const USAGE = `Usage: pnpm sandbox [--provider ${PROVIDERS.join('|')}] [--zone example.test ...] [--lag <seconds>]
  --provider   the provider whose emulator runs (default netcup; netcup-rest: netcup's REST API alone, CloudDNS)
  --zone       a zone of the account, served by the sandbox's nameservers (repeatable; default example.test)
  --lag        how far the slower of the two nameservers lags behind the provider, in seconds (the other half of it; default 2)`;

function parse(argv) {
  const fail = (message) => {
    console.error(`sandbox: ${message}\n\n${USAGE}`);
    process.exit(2);
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        provider: { type: 'string', default: 'netcup' },
        zone: { type: 'string', multiple: true },
        lag: { type: 'string', default: '2' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(error.message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!PROVIDERS.includes(values.provider)) fail(`--provider ${values.provider}: expected one of ${PROVIDERS.join(', ')}`);
  const lagSeconds = Number(values.lag);
  if (values.lag.trim() === '' || !Number.isFinite(lagSeconds) || lagSeconds < 0 || lagSeconds > 600) fail(`--lag ${values.lag}: expected seconds, 0 to 600`);
  const zones = (values.zone ?? []).map((z) => z.trim().toLowerCase().replace(/\.$/, ''));
  const bad = zones.find((z) => !/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$/.test(z));
  if (bad !== undefined) fail(`--zone ${bad}: expected a domain name such as example.test`);
  return { provider: values.provider, zones, lagSeconds };
}

/**
 * Runs the sandbox with the arguments `argv` until SIGINT, SIGTERM or SIGHUP;
 * resolves to the exit code once everything is stopped and removed.
 */
export async function runSandbox(argv) {
  const options = parse(argv);
  prepare('sandbox', (text) => console.error(`sandbox: ${text}`));
  // From here on a signal stops the sandbox, also one that comes while it starts (the
  // default would end this process and leave Pebble running); later signals are ignored:
  // stopping is bounded (Pebble gets 3 s before SIGKILL).
  const signalled = new Promise((resolve) => {
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(name, () => resolve(name));
  });
  const { startSandbox, SANDBOX_PROVIDERS } = await import('@dns01/testkit/e2e');
  if (SANDBOX_PROVIDERS.join() !== PROVIDERS.join())
    throw new Error(`sandbox: PROVIDERS (${PROVIDERS}) must be the test kit's SANDBOX_PROVIDERS (${SANDBOX_PROVIDERS})`);
  console.error(`sandbox: starting the ${options.provider} emulator, the nameservers and Pebble`);
  const sandbox = await startSandbox(options);
  console.log(sandbox.instructions);
  sandbox.onZoneChange((line) => console.log(line));
  console.log('dns01 sandbox ready: every record added or removed appears below. Ctrl-C stops the sandbox and removes its files.');
  const signal = await signalled;
  console.log(`\n${signal}: stopping`);
  for (const line of sandbox.zoneReport()) console.log(line);
  await sandbox.close();
  console.log('dns01 sandbox stopped; its files are removed');
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(await runSandbox(process.argv.slice(2)));
