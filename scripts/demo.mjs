#!/usr/bin/env node
// pnpm demo: on a fresh machine, installs what it needs, then issues a real
// certificate from a local ACME server (Pebble) with acme-client and the
// dns01 plugin, on the netcup emulator whose two nameservers lag like real
// secondaries (scaled down to seconds), and prints the timeline.
//
//   pnpm demo --serve    the sandbox instead (scripts/sandbox.mjs): keeps running for any client
//
// Before the setup step only node built-ins may be imported.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { prepare } from './lib/prepare.mjs';

if (process.argv[2] === '--serve') {
  const { runSandbox } = await import('./sandbox.mjs');
  process.exit(await runSandbox(process.argv.slice(3)));
}

const root = resolve(import.meta.dirname, '..');
const ZONE = 'demo.example';
const NAMES = [ZONE, `*.${ZONE}`];
/** Real secondaries lag minutes; the demo scales that to seconds. */
const NAMESERVERS = [
  { name: 'ns1.dns01-demo.net', lagMs: 1500 },
  { name: 'ns2.dns01-demo.net', lagMs: 4000 },
];

function step(text) {
  console.log(`\n== ${text}`);
}

// Dependencies, Debian's pebble (installed as root; otherwise the exact command is printed), a build if needed.
prepare('demo', step);

const { startAcmeWorld, certificateNames } = await import('@dns01/testkit/e2e');
const { dns01Challenge, createLogger } = await import(pathToFileURL(join(root, 'packages/acme-client-plugin/dist/index.js')).href);
const { default: acme } = await import('acme-client');

step(`issuing a certificate for ${NAMES.join(', ')} on the netcup emulator`);
const acmeWorld = await startAcmeWorld({
  provider: 'netcup',
  zones: [ZONE],
  nameservers: NAMESERVERS,
  pollingInterval: 0.5,
  propagationTimeout: 60,
});
const { world, pebble } = acmeWorld;
console.log(`netcup emulator ${world.emulator.url}, nameservers ${NAMESERVERS.map((n) => `${n.name} (lag ${n.lagMs / 1000}s)`).join(', ')}`);
console.log(`Pebble ${pebble.directoryUrl}`);

/** The timeline: what happened, at +seconds from the order. */
const start = Date.now();
const timeline = [];
const mark = (what) => {
  const line = `+${((Date.now() - start) / 1000).toFixed(1).padStart(5)}s  ${what}`;
  timeline.push(line);
  console.log(line);
};
const confirmed = new Set();
const logger = createLogger({
  level: 'info',
  write(line) {
    if (/created TXT/.test(line)) mark(line.replace(/^dns01[^:]*: /, ''));
    // Progress lines name each nameserver as it confirms; the final line means all of them did.
    const all = /every authoritative nameserver serves/.test(line);
    for (const ns of NAMESERVERS.map((n) => n.name)) {
      if (confirmed.has(ns) || !(all || line.includes(`${ns} confirmed`))) continue;
      confirmed.add(ns);
      mark(`${ns} confirmed: it serves the record`);
    }
  },
});

const plugin = dns01Challenge({ env: world.env, logger });
let validated = false;
const challenge = {
  ...plugin,
  async challengeCreateFn(authz, ch, keyAuthorization) {
    await plugin.challengeCreateFn(authz, ch, keyAuthorization);
    mark(`ready for ${authz.wildcard ? '*.' : ''}${authz.identifier.value}: Pebble may validate`);
  },
  async challengeRemoveFn(authz, ch, keyAuthorization) {
    if (!validated) {
      validated = true;
      mark('validated by Pebble');
    }
    await plugin.challengeRemoveFn(authz, ch, keyAuthorization);
    mark(`cleaned up the record of ${authz.wildcard ? '*.' : ''}${authz.identifier.value}`);
  },
};

let exitCode = 0;
try {
  acme.axios.defaults.httpsAgent = new Agent({ ca: readFileSync(pebble.tls.caCertPath) });
  const client = new acme.Client({ directoryUrl: pebble.directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
  const [, csr] = await acme.crypto.createCsr({ commonName: ZONE, altNames: NAMES }, await acme.crypto.createPrivateEcdsaKey());
  mark('order placed');
  const cert = await client.auto({
    csr,
    termsOfServiceAgreed: true,
    ...challenge,
    // acme-client's own pre-check would ask this machine's resolver, which cannot see the demo zone.
    skipChallengeVerification: true,
  });
  mark('certificate issued');
  step('result');
  console.log(`certificate names: ${certificateNames(cert).join(', ')}`);
  console.log(`TXT records left at _acme-challenge.${ZONE}: ${world.txt(`_acme-challenge.${ZONE}`).length}`);
} catch (error) {
  exitCode = 1;
  console.error(`demo: failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await acmeWorld.close();
}
process.exit(exitCode);
