// The callbacks' contract as acme-client's auto() uses them
// (node_modules/acme-client/src/auto.js): challengeCreateFn(authz, challenge,
// keyAuthorization) for each authorization, all started together, then
// challengeRemoveFn with the same arguments. For dns-01 acme-client hands the
// TXT value itself as keyAuthorization.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ClientAutoOptions } from 'acme-client';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, ConfigError, InvalidInputError, ZoneNotFoundError } from '@dns01/provider-client';
import type { TestWorld } from '@dns01/testkit';
import { dns01Challenge, type AcmeAuthorization, type AcmeChallenge } from '../src/index.js';
import { FOREIGN, servedByNameservers, worldPerTest } from '@dns01/testkit/support';

const APEX = '_acme-challenge.example.com';

const start = worldPerTest('netcup', APEX);

let authzCounter = 0;
function authz(domain: string, wildcard = false): AcmeAuthorization {
  authzCounter += 1;
  return { identifier: { type: 'dns', value: domain }, wildcard, url: `https://acme.test/authz/${authzCounter}` };
}
const dns01: AcmeChallenge = { type: 'dns-01', url: 'https://acme.test/chall/1' };

/** The netcup API actions the emulator received, in order. */
function netcupActions(w: TestWorld): string[] {
  return w.emulator.server.requests.flatMap((r) => {
    try {
      return [String((JSON.parse(r.body) as { action?: unknown }).action)];
    } catch {
      return [];
    }
  });
}

function nameserverAddresses(w: TestWorld): string[] {
  return w.dns.zoneNameservers().flatMap((ns) => ns.addresses);
}

describe('dns01Challenge(): the object spread into client.auto()', () => {
  it('has challengeCreateFn, challengeRemoveFn and challengePriority ["dns-01"], typed for acme-client', async () => {
    const w = await start();
    const plugin = dns01Challenge({ env: w.env });
    const forAuto: Pick<ClientAutoOptions, 'challengeCreateFn' | 'challengeRemoveFn' | 'challengePriority'> = plugin;
    expect(Object.keys(forAuto).sort()).toEqual(['challengeCreateFn', 'challengePriority', 'challengeRemoveFn']);
    expect(plugin.challengePriority).toEqual(['dns-01']);
  });

  it('checks options and provider settings at once, before any API call', async () => {
    const w = await start();
    expect(() => dns01Challenge({ env: w.env, provider: 'nosuch' as never })).toThrow(ConfigError);
    expect(() => dns01Challenge({ env: w.env, unknownOption: true } as never)).toThrow(/unknownOption|Unrecognized/i);
    expect(() => dns01Challenge({ env: w.env, propagation: { timeoutSeconds: -1 } })).toThrow(/propagation\.timeoutSeconds/);
    const { NETCUP_API_KEY: _omitted, ...withoutKey } = w.env;
    expect(() => dns01Challenge({ env: withoutKey })).toThrow(/NETCUP_API_KEY is not set/);
    expect(w.emulator.server.requests).toHaveLength(0);
  });

  it('refuses a challenge that is not dns-01 with a clear error, touching nothing', async () => {
    const w = await start();
    const plugin = dns01Challenge({ env: w.env });
    const http01 = { type: 'http-01', url: 'https://acme.test/chall/h' };
    await expect(plugin.challengeCreateFn(authz('example.com'), http01, 'token.thumb')).rejects.toThrow(InvalidInputError);
    await expect(plugin.challengeCreateFn(authz('example.com'), http01, 'token.thumb')).rejects.toThrow(/dns-01.*challengePriority/);
    expect(w.emulator.server.requests).toHaveLength(0);
  });
});

describe('challengeCreateFn / challengeRemoveFn against the emulator', () => {
  it('create resolves once every authoritative nameserver serves the value; remove deletes exactly it', async () => {
    const w = await start({ nameservers: [{}, { lagMs: 400 }] });
    const plugin = dns01Challenge({ env: w.env });
    const a = authz('example.com');
    await plugin.challengeCreateFn(a, dns01, 'acme-client-value');
    for (const served of await servedByNameservers(w, APEX, nameserverAddresses(w))) expect(served).toContain('acme-client-value');
    await plugin.challengeRemoveFn(a, dns01, 'acme-client-value');
    expect(w.txt(APEX)).toEqual([FOREIGN]);
  });

  it('parallel authorizations (as auto() runs them) share one provider session, then close it', async () => {
    const w = await start();
    const plugin = dns01Challenge({ env: w.env });
    const authzs = [
      { a: authz('example.com'), value: 'par-apex' },
      { a: authz('www.example.com'), value: 'par-www' },
      { a: authz('example.com', true), value: 'par-wildcard' },
    ];
    await Promise.all(authzs.map(({ a, value }) => plugin.challengeCreateFn(a, dns01, value)));
    expect(w.txt(APEX).sort()).toEqual([FOREIGN, 'par-apex', 'par-wildcard'].sort());
    expect(w.txt('_acme-challenge.www.example.com')).toEqual(['par-www']);
    await Promise.all(authzs.map(({ a, value }) => plugin.challengeRemoveFn(a, dns01, value)));
    expect(w.txt(APEX)).toEqual([FOREIGN]);
    expect(w.txt('_acme-challenge.www.example.com')).toEqual([]);
    const actions = netcupActions(w);
    expect(actions.filter((x) => x === 'login')).toHaveLength(1);
    expect(actions.filter((x) => x === 'logout')).toHaveLength(1);
    expect(actions.at(-1)).toBe('logout');
  });

  it('one failing authorization does not disturb the others and leaves nothing behind', async () => {
    const w = await start({ foreignZones: ['not-in-account.org'] });
    const plugin = dns01Challenge({ env: w.env });
    const good = authz('example.com');
    const bad = authz('not-in-account.org');
    const results = await Promise.allSettled([plugin.challengeCreateFn(good, dns01, 'good-value'), plugin.challengeCreateFn(bad, dns01, 'bad-value')]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1].status === 'rejected' && results[1].reason).toBeInstanceOf(ZoneNotFoundError);
    // auto() calls remove for both, the failed one included.
    await plugin.challengeRemoveFn(bad, dns01, 'bad-value');
    await plugin.challengeRemoveFn(good, dns01, 'good-value');
    expect(w.txt(APEX)).toEqual([FOREIGN]);
  });

  it('takes the provider and its settings programmatically and keeps the secrets out of errors', async () => {
    const w = await start();
    const dnsOnly = Object.fromEntries(Object.entries(w.env).filter(([k]) => k.startsWith('DNS01_') && k !== 'DNS01_PROVIDER'));
    const settings = Object.fromEntries(Object.entries(w.env).filter(([k]) => k.startsWith('NETCUP_')));
    const ok = dns01Challenge({ provider: 'netcup', settings, env: dnsOnly });
    const a = authz('example.com');
    await ok.challengeCreateFn(a, dns01, 'programmatic');
    expect(w.txt(APEX)).toContain('programmatic');
    await ok.challengeRemoveFn(a, dns01, 'programmatic');

    const wrongPassword = 'not-the-password-Jd62';
    const bad = dns01Challenge({ provider: 'netcup', settings: { ...settings, NETCUP_API_PASSWORD: wrongPassword }, env: dnsOnly });
    const error = await bad.challengeCreateFn(authz('example.com'), dns01, 'never').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(String((error as Error).message)).not.toContain(wrongPassword);
    expect(w.txt(APEX)).toEqual([FOREIGN]);
  });

  it('remove for an authorization it never created is a no-op', async () => {
    const w = await start();
    const plugin = dns01Challenge({ env: w.env });
    await plugin.challengeRemoveFn(authz('example.com'), dns01, 'unknown');
    expect(w.emulator.server.requests).toHaveLength(0);
  });
});

describe('packaging', () => {
  it('loads from ESM (import) and CommonJS (require) through the exports map of the built package', async () => {
    const cwd = resolve(import.meta.dirname, '..');
    const script = [
      "const esm = await import('@dns01/acme-client-plugin');",
      "const { createRequire } = await import('node:module');",
      "const cjs = createRequire(process.cwd() + '/package.json')('@dns01/acme-client-plugin');",
      'console.log(typeof esm.dns01Challenge, typeof cjs.dns01Challenge);',
      "try { cjs.dns01Challenge({ provider: 'nosuch' }); } catch (e) { console.log(e.name); }",
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd, timeout: 15_000 });
    expect(stdout.trim().split('\n')).toEqual(['function function', 'ConfigError']);
  });
});
