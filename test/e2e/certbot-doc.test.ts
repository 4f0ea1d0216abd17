// docs/clients/certbot.md's hook commands, taken from the page as printed, run
// by both matrices' certbot (2.1 on bookworm, 5.5 in the sid chroot): certbot
// checks a hook's first word on the PATH before it runs anything, so a command
// it refuses ('DNS01_CONFIG=... dns01-certbot auth', issue 26) fails here.
// Each issues an apex + wildcard certificate from Pebble with no provider
// variable in certbot's environment: only what the hook command names.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  certbotManualArgs,
  certificateNames,
  explain,
  REPO_ROOT,
  runClient,
  startE2eWorld,
  writeDefaultConfig,
  zoneSnapshot,
  type E2eWorld,
} from '@dns01/testkit/e2e';
import { SUITES } from './harness/suites.js';

const PAGE = readFileSync(join(REPO_ROOT, 'docs/clients/certbot.md'), 'utf8');
/** The config file the page's hook commands name, replaced by the test's own. */
const PAGE_CONFIG = '/etc/dns01/netcup.conf';
const hooks = (kind: 'auth' | 'cleanup') => [...PAGE.matchAll(new RegExp(`--manual-${kind}-hook '([^']+)'`, 'g'))].map((m) => m[1]!);
const AUTH = hooks('auth');
const CLEANUP = hooks('cleanup');
/** Each auth hook the page shows, with the cleanup hook shown beside it (the plain one for an auth hook shown alone). */
const PAIRS = AUTH.map((auth, i) => [auth, CLEANUP[i] ?? CLEANUP[0]!] as const);

test('the page shows the plain hooks and the env forms (config file, debug level)', () => {
  expect(AUTH).toEqual(['dns01-certbot auth', `env DNS01_CONFIG=${PAGE_CONFIG} dns01-certbot auth`, 'env DNS01_LOG_LEVEL=debug dns01-certbot auth']);
  expect(CLEANUP).toEqual(['dns01-certbot cleanup', `env DNS01_CONFIG=${PAGE_CONFIG} dns01-certbot cleanup`]);
});

describe.concurrent.each(SUITES)('certbot $versions.certbot', { timeout: 600_000 }, (suite) => {
  let e2e: E2eWorld;
  beforeAll(async () => {
    e2e = await startE2eWorld('netcup', { suite, purpose: 'certbot-doc' });
  }, 120_000);
  afterAll(async () => e2e?.close());

  // One after another: the runs share the world's zone, and a run's cleanup must not race another's validation.
  test.sequential.each(PAIRS)('--manual-auth-hook %j --manual-cleanup-hook %j: accepted, and the certificate issued', async (auth, cleanup) => {
    const ctx = await e2e.context();
    const config = join(ctx.dir, 'netcup.conf');
    writeFileSync(
      config,
      Object.entries(ctx.settings)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
      { mode: 0o600 },
    );
    chmodSync(config, 0o600);
    // The hooks without DNS01_CONFIG read the default file, as certbot renew from a timer does.
    writeDefaultConfig(ctx.dir, ctx.settings);
    const env = { PATH: ctx.env.PATH, HOME: ctx.dir, LANG: 'C.UTF-8', REQUESTS_CA_BUNDLE: ctx.pebble.tls.caCertPath };
    const before = zoneSnapshot(e2e.world, e2e.zone);
    const hooks = { auth: auth.replace(PAGE_CONFIG, config), cleanup: cleanup.replace(PAGE_CONFIG, config) };
    const r = await runClient(ctx, 'certbot', certbotManualArgs(ctx, hooks, 'doc'), { env, timeoutMs: 240_000 });
    expect(r.code, explain(r)).toBe(0);
    const chain = join(ctx.dir, 'config', 'live', 'doc', 'fullchain.pem');
    expect(existsSync(chain), explain(r)).toBe(true);
    expect(certificateNames(readFileSync(chain, 'utf8'))).toEqual([...ctx.domains].sort());
    expect(zoneSnapshot(e2e.world, e2e.zone)).toEqual(before);
  });
});
