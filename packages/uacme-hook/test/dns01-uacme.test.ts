// The uacme hook contract (man uacme, --hook): `<method> <type> <ident>
// <token> <auth>`, begin/done/failed; exit 1 declines a challenge type.
import { describe, expect, it } from 'vitest';
import { builtExecutable, errorLines, FOREIGN, leakedSecrets, runHook, servedByNameservers, worldPerTest } from '../../../test/integration/support/hook-process.js';

const bin = builtExecutable('uacme-hook', 'dns01-uacme');
const NAME = '_acme-challenge.example.com';
// For dns-01 uacme passes the digest already (man uacme: AUTH "already
// converted to the base64url-encoded SHA256 digest format").
const AUTH = 'lCM7cZyQXcVHK2nnW3jjAhNT3Fvm18UN-kWZZknKoYM';
const TOKEN = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA';

const start = worldPerTest('sourcedesk', NAME);

describe('dns01-uacme', () => {
  it.each(['http-01', 'tls-alpn-01'])('declines %s with exit 1 at once: no API call, nothing on stdout or stderr', async (type) => {
    const w = await start();
    for (const method of ['begin', 'done', 'failed']) {
      const r = await runHook(bin, [method, type, 'example.com', TOKEN, `${TOKEN}.thumbprint`], w.env);
      expect(r).toEqual({ code: 1, stdout: '', stderr: '' });
    }
    expect(w.emulator.server.requests).toHaveLength(0);
  });

  it('begin dns-01 publishes AUTH as the TXT value unchanged and exits 0 once every nameserver serves it', async () => {
    const w = await start({ nameservers: [{}, { lagMs: 400 }] });
    const r = await runHook(bin, ['begin', 'dns-01', 'example.com', TOKEN, AUTH], w.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(w.txt(NAME).sort()).toEqual([AUTH, FOREIGN].sort());
    const addresses = w.dns.zoneNameservers().flatMap((ns) => ns.addresses);
    for (const served of await servedByNameservers(w, NAME, addresses)) expect(served).toContain(AUTH);
  });

  it.each(['done', 'failed'])('%s dns-01 deletes exactly that record', async (method) => {
    const w = await start();
    expect((await runHook(bin, ['begin', 'dns-01', 'www.example.com', TOKEN, AUTH], w.env)).code).toBe(0);
    expect((await runHook(bin, ['begin', 'dns-01', 'example.com', TOKEN, AUTH], w.env)).code).toBe(0);
    const r = await runHook(bin, [method, 'dns-01', 'example.com', TOKEN, AUTH], w.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(w.txt(NAME)).toEqual([FOREIGN]);
    expect(w.txt('_acme-challenge.www.example.com')).toEqual([AUTH]);
  });

  it('a wildcard identifier uses _acme-challenge.<base domain>', async () => {
    const w = await start();
    const r = await runHook(bin, ['begin', 'dns-01', '*.example.com', TOKEN, AUTH], w.env);
    expect(r.code).toBe(0);
    expect(w.txt(NAME)).toContain(AUTH);
  });

  it('a wrong number of arguments or an unknown method is a usage error (exit 2)', async () => {
    const w = await start();
    const few = await runHook(bin, ['begin', 'dns-01', 'example.com'], w.env);
    expect(few.code).toBe(2);
    expect(few.stderr).toMatch(/^dns01-uacme: error: expected 5 arguments/);
    const unknown = await runHook(bin, ['renew', 'dns-01', 'example.com', TOKEN, AUTH], w.env);
    expect(unknown.code).toBe(2);
    expect(w.emulator.server.requests).toHaveLength(0);
  });

  it('a provider failure declines loudly: non-zero, one error line, nothing created, no secret shown', async () => {
    const w = await start();
    const env = { ...w.env, SOURCEDESK_API_KEY: 'wrong-key-Pq73', DNS01_LOG_LEVEL: 'debug' };
    const r = await runHook(bin, ['begin', 'dns-01', 'example.com', TOKEN, AUTH], env);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^dns01-uacme: error: /)]);
    expect(w.txt(NAME)).toEqual([FOREIGN]);
    expect(leakedSecrets(w, r.stdout, r.stderr)).toEqual([]);
    expect(r.stderr).not.toContain('wrong-key-Pq73');
  });
});
