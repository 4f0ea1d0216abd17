// The lego exec contract, against the built dns01-lego run as lego runs it:
// default mode `present|cleanup <fqdn> <value>`, RAW mode
// `present|cleanup -- <domain> <token> <keyAuth>`.
import { describe, expect, it } from 'vitest';
import type { TestWorld } from '@dns01/testkit';
import { builtExecutable, errorLines, FOREIGN, leakedSecrets, runHook, servedByNameservers, worldPerTest } from '@dns01/testkit/support';

const bin = builtExecutable('lego-exec', 'dns01-lego');
const NAME = '_acme-challenge.example.com';

// A key authorization and its TXT value, computed independently with
// `printf %s KEYAUTH | openssl dgst -sha256 -binary | base64url`.
const KEY_AUTH = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI';
const KEY_AUTH_TXT = 'lCM7cZyQXcVHK2nnW3jjAhNT3Fvm18UN-kWZZknKoYM';

const start = worldPerTest('xsserver', NAME);

function nameserverAddresses(w: TestWorld): string[] {
  return w.dns.zoneNameservers().flatMap((ns) => ns.addresses);
}

describe('dns01-lego, default mode (present|cleanup <fqdn> <value>)', () => {
  it('present creates the record and exits 0 only once every authoritative nameserver serves it', async () => {
    const w = await start({ nameservers: [{}, { lagMs: 400 }] });
    const r = await runHook(bin, ['present', `${NAME}.`, 'lego-value-1'], w.env);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(w.txt(NAME).sort()).toEqual([FOREIGN, 'lego-value-1'].sort());
    for (const served of await servedByNameservers(w, NAME, nameserverAddresses(w))) expect(served).toContain('lego-value-1');
  });

  it('cleanup deletes exactly that value and leaves other TXT records alone', async () => {
    const w = await start();
    expect((await runHook(bin, ['present', `${NAME}.`, 'lego-value-2'], w.env)).status).toBe(0);
    const r = await runHook(bin, ['cleanup', `${NAME}.`, 'lego-value-2'], w.env);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(w.txt(NAME)).toEqual([FOREIGN]);
  });

  it('takes a value that starts with "-" (no option parsing of lego arguments)', async () => {
    const w = await start();
    const r = await runHook(bin, ['present', `${NAME}.`, '-starts-with-dash'], w.env);
    expect(r.status).toBe(0);
    expect(w.txt(NAME)).toContain('-starts-with-dash');
  });

  it('refuses a name that is not _acme-challenge.<domain> with a usage error pointing at RAW mode', async () => {
    const w = await start();
    const r = await runHook(bin, ['present', 'elsewhere.example.net.', 'v'], w.env);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^dns01-lego: error: .*EXEC_MODE=RAW/);
    expect(w.emulator.server.requests).toHaveLength(0);
  });
});

describe('dns01-lego, RAW mode (EXEC_MODE=RAW: present|cleanup -- <domain> <token> <keyAuth>)', () => {
  it('computes the TXT value from the key authorization, and cleanup removes it', async () => {
    const w = await start();
    const env = { ...w.env, EXEC_MODE: 'RAW' };
    const present = await runHook(bin, ['present', '--', 'example.com', 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA', KEY_AUTH], env);
    expect(present.status).toBe(0);
    expect(w.txt(NAME).sort()).toEqual([FOREIGN, KEY_AUTH_TXT].sort());
    const cleanup = await runHook(bin, ['cleanup', '--', 'example.com', 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA', KEY_AUTH], env);
    expect(cleanup.status).toBe(0);
    expect(w.txt(NAME)).toEqual([FOREIGN]);
  });

  it('handles a wildcard domain and a token that starts with "-"', async () => {
    const w = await start();
    const env = { ...w.env, EXEC_MODE: 'RAW' };
    const r = await runHook(bin, ['present', '--', '*.example.com', '-token', KEY_AUTH], env);
    expect(r.status).toBe(0);
    expect(w.txt(NAME)).toContain(KEY_AUTH_TXT);
  });

  it('a call shaped for the other mode is a one-line usage error (exit 2) that touches nothing', async () => {
    const w = await start();
    const raw = await runHook(bin, ['present', `${NAME}.`, 'value'], { ...w.env, EXEC_MODE: 'RAW' });
    expect(raw.status).toBe(2);
    expect(raw.stderr).toMatch(/^dns01-lego: error: present expects -- <domain> <token> <keyAuth>.*EXEC_MODE/);
    const plain = await runHook(bin, ['present', '--', 'example.com', 'token', KEY_AUTH], w.env);
    expect(plain.status).toBe(2);
    expect(w.emulator.server.requests).toHaveLength(0);
    expect(w.txt(NAME)).toEqual([FOREIGN]);
  });
});

describe('dns01-lego, failures', () => {
  it('an unknown action is a usage error (exit 2)', async () => {
    const w = await start();
    const r = await runHook(bin, ['timeout', `${NAME}.`, 'v'], w.env);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^dns01-lego: error: unknown action "timeout"/);
  });

  it('without DNS01_PROVIDER: configuration error (exit 3) naming the variable', async () => {
    const w = await start();
    const { DNS01_PROVIDER: _omitted, ...env } = w.env;
    const r = await runHook(bin, ['present', `${NAME}.`, 'v'], env);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/DNS01_PROVIDER is not set/);
  });

  it('wrong credentials: exit 4, nothing created, no secret in the output even at debug level', async () => {
    const w = await start();
    const env = { ...w.env, XSSERVER_PASSWORD: 'wrong-password-Zx81', DNS01_LOG_LEVEL: 'debug' };
    const r = await runHook(bin, ['present', `${NAME}.`, 'v'], env);
    expect(r.status).toBe(4);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^dns01-lego: error: /)]);
    expect(w.txt(NAME)).toEqual([FOREIGN]);
    expect(leakedSecrets(w, r.stdout, r.stderr)).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain('wrong-password-Zx81');
  });

  it('a domain in DNS but not in the account: zone not found (exit 5), one line', async () => {
    const w = await start({ foreignZones: ['not-in-account.org'] });
    const r = await runHook(bin, ['present', '_acme-challenge.not-in-account.org.', 'v'], w.env);
    expect(r.status).toBe(5);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^dns01-lego: error: .*not-in-account\.org/)]);
  });

  // lego runs the cleanup after a failed present too; docs/clients/lego.md promises exit 6 only when something may be left.
  it.each(['xsserver', 'netcup'] as const)('%s: the cleanup after a present that failed (zone not found) exits 0 with a note', async (provider) => {
    const w = await start({ provider, foreignZones: ['not-in-account.org'] });
    const present = await runHook(bin, ['present', '_acme-challenge.not-in-account.org.', 'v'], w.env);
    expect(present.status).toBe(5);
    for (const env of [w.env, { ...w.env, DNS01_RUN_CACHE: '0' }]) {
      const cleanup = await runHook(bin, ['cleanup', '_acme-challenge.not-in-account.org.', 'v'], env);
      expect(cleanup.status, cleanup.stderr).toBe(0);
      expect(errorLines(cleanup.stderr)).toEqual([]);
      expect(cleanup.stderr).toMatch(/^dns01-lego: nothing to delete/m);
    }
  });

  it.each(['xsserver', 'netcup'] as const)(
    '%s: the cleanup after a present refused at connect exits 0 with a note; the present named no record',
    async (provider) => {
      const w = await start({ provider });
      const dead = { ...w.env, XSSERVER_ENDPOINT: 'http://127.0.0.1:9/api', NETCUP_ENDPOINT: 'http://127.0.0.1:9/api' };
      const present = await runHook(bin, ['present', `${NAME}.`, 'refused-value'], dead, 60_000);
      expect(present.status).toBe(6);
      expect(errorLines(present.stderr)).toHaveLength(1);
      expect(present.stderr).not.toContain('refused-value');
      const cleanup = await runHook(bin, ['cleanup', `${NAME}.`, 'refused-value'], dead, 60_000);
      expect(cleanup.status, cleanup.stderr).toBe(0);
      expect(cleanup.stderr).toContain(`nothing to delete for TXT ${NAME} "refused-value": its present failed and left nothing behind`);
      expect(w.txt(NAME)).toEqual([FOREIGN]);
    },
  );

  it('a nameserver that never serves the record: exit 7 and the record is removed again', async () => {
    const w = await start({ nameservers: [{}, { lagMs: 3_600_000 }], propagationTimeout: 1 });
    const r = await runHook(bin, ['present', `${NAME}.`, 'never-propagates'], w.env);
    expect(r.status).toBe(7);
    expect(w.txt(NAME)).toEqual([FOREIGN]);
  });

  it('DNS01_WAIT=0 creates the record and returns without asking the nameservers', async () => {
    const w = await start({ nameservers: [{}, { lagMs: 3_600_000 }], propagationTimeout: 1 });
    const before = w.dns.queryLog.length;
    const r = await runHook(bin, ['present', `${NAME}.`, 'no-wait'], { ...w.env, DNS01_WAIT: '0', DNS01_CNAME: '0' });
    expect(r.status).toBe(0);
    expect(w.txt(NAME)).toContain('no-wait');
    expect(w.dns.queryLog.slice(before).filter((q) => q.type === 'TXT')).toHaveLength(0);
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    const r = await runHook(bin, ['--help'], {});
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/EXEC_MODE=RAW/);
  });
});
