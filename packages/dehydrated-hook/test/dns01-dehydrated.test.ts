// The dehydrated hook contract, against the built dns01-dehydrated run as
// dehydrated runs it (see /usr/share/doc/dehydrated/examples/hook.sh and
// docs/hook_chain.md).
import { describe, expect, it } from 'vitest';
import type { TestWorld } from '@dns01/testkit';
import { builtExecutable, errorLines, FOREIGN, leakedSecrets, runHook, servedByNameservers, worldPerTest } from '@dns01/testkit/support';

const bin = builtExecutable('dehydrated-hook', 'dns01-dehydrated');
const APEX = '_acme-challenge.example.com';
const WWW = '_acme-challenge.www.example.com';

const start = worldPerTest('netcup', APEX);

describe('dns01-dehydrated: handlers it does not own', () => {
  const ignored: string[][] = [
    ['this_hookscript_is_broken__dehydrated_is_working_fine__please_ignore_unknown_hooks_in_your_script'],
    ['startup_hook'],
    ['exit_hook'],
    ['exit_hook', 'some error text'],
    ['generate_csr', 'example.com', '/var/lib/dehydrated/certs/example.com', 'example.com www.example.com'],
    ['deploy_cert', 'example.com', '/k.pem', '/c.pem', '/f.pem', '/ch.pem', '1700000000'],
    ['sync_cert', '/k.pem', '/c.pem', '/f.pem', '/ch.pem', '/r.csr'],
    ['unchanged_cert', 'example.com', '/k.pem', '/c.pem', '/f.pem', '/ch.pem'],
    ['deploy_ocsp', 'example.com', '/o.der', '1700000000'],
    ['invalid_challenge', 'example.com', '{"status":"invalid"}'],
    ['request_failure', '500', 'oops', 'POST', 'headers'],
  ];

  it.each(ignored.map((args) => [args[0]!, args]))('%s exits 0 with nothing on stdout or stderr, and calls no API', async (_name, args) => {
    const w = await start();
    // No credentials at all: an ignored handler must not even read them.
    const r = await runHook(bin, args, {});
    expect(r).toEqual({ status: 0, signal: null, stdout: '', stderr: '' });
    expect(w.emulator.server.requests).toHaveLength(0);
  });
});

describe('dns01-dehydrated: deploy_challenge / clean_challenge', () => {
  it('deploy_challenge creates the record, waits for every nameserver, prints nothing on stdout', async () => {
    const w = await start({ nameservers: [{}, { lagMs: 400 }] });
    const r = await runHook(bin, ['deploy_challenge', 'example.com', 'token-1', 'dehydrated-value-1'], w.env);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(w.txt(APEX).sort()).toEqual([FOREIGN, 'dehydrated-value-1'].sort());
    const addresses = w.dns.zoneNameservers().flatMap((ns) => ns.addresses);
    for (const served of await servedByNameservers(w, APEX, addresses)) expect(served).toContain('dehydrated-value-1');
  });

  it('HOOK_CHAIN=yes: several triples in one call, one wait for all, then one clean_challenge removes exactly them', async () => {
    const w = await start();
    const triples = ['example.com', 't1', 'chain-apex', 'www.example.com', 't2', 'chain-www', 'example.com', 't3', 'chain-wildcard'];
    const deploy = await runHook(bin, ['deploy_challenge', ...triples], w.env);
    expect(deploy.status).toBe(0);
    expect(deploy.stdout).toBe('');
    expect(w.txt(APEX).sort()).toEqual([FOREIGN, 'chain-apex', 'chain-wildcard'].sort());
    expect(w.txt(WWW)).toEqual(['chain-www']);
    // One wait for the whole chain: the flow reports the end of a wait once per wait.
    expect(deploy.stderr.match(/every authoritative nameserver serves/g)).toHaveLength(1);

    const clean = await runHook(bin, ['clean_challenge', ...triples], w.env);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toBe('');
    expect(w.txt(APEX)).toEqual([FOREIGN]);
    expect(w.txt(WWW)).toEqual([]);
  });

  it('without HOOK_CHAIN the calls of a run share one netcup session and the zone the DNS names: one login, one call per record', async () => {
    const w = await start();
    const env = { ...w.env, DNS01_WAIT: '0' };
    const triples = [
      ['example.com', 't1', 'single-apex'],
      ['www.example.com', 't2', 'single-www'],
    ];
    for (const t of triples) expect((await runHook(bin, ['deploy_challenge', ...t], env)).status).toBe(0);
    for (const t of triples) expect((await runHook(bin, ['clean_challenge', ...t], env)).status).toBe(0);
    const emulator = (w as TestWorld<'netcup'>).emulator;
    expect((await runHook(bin, ['exit_hook'], env)).status).toBe(0);
    expect(emulator.actionCounts()).toEqual({ login: 1, updateDnsRecords: 4 });
    // Kept for the next run until netcup's idle limit ends it.
    expect(emulator.openSessions()).toBe(1);
    expect(w.txt(APEX)).toEqual([FOREIGN]);
  });

  it('arguments that are not whole triples: usage error (exit 2), nothing created', async () => {
    const w = await start();
    const r = await runHook(bin, ['deploy_challenge', 'example.com', 'token'], w.env);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^dns01-dehydrated: error: deploy_challenge needs <domain> <token> <value> triples/);
    expect(w.emulator.server.requests).toHaveLength(0);
  });

  it('a failure is loud on stderr (one line), non-zero, nothing on stdout, nothing left behind, no secret shown', async () => {
    const w = await start();
    const env = { ...w.env, NETCUP_API_PASSWORD: 'wrong-password-Nm40', DNS01_LOG_LEVEL: 'debug' };
    const r = await runHook(bin, ['deploy_challenge', 'example.com', 't', 'v1', 'www.example.com', 't', 'v2'], env);
    expect(r.status).toBe(4);
    expect(r.stdout).toBe('');
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^dns01-dehydrated: error: /)]);
    expect(w.txt(APEX)).toEqual([FOREIGN]);
    expect(leakedSecrets(w, r.stdout, r.stderr)).toEqual([]);
    expect(r.stderr).not.toContain('wrong-password-Nm40');
  });

  it('one triple in a zone the account lacks: exit 5 and the records of the other triples are removed again', async () => {
    const w = await start({ foreignZones: ['other-zone.org'] });
    const r = await runHook(bin, ['deploy_challenge', 'example.com', 't', 'kept-nowhere', 'other-zone.org', 't', 'v'], w.env);
    expect(r.status).toBe(5);
    expect(w.txt(APEX)).toEqual([FOREIGN]);
  });

  it('no handler at all is a usage error (exit 2)', async () => {
    const r = await runHook(bin, [], {});
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });
});
