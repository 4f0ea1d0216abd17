// The uacme hook contract (man uacme, --hook): `<method> <type> <ident>
// <token> <auth>`, begin/done/failed; exit 1 declines a challenge type.
import { describe, expect, it } from 'vitest';
import { builtExecutable, errorLines, FOREIGN, leakedSecrets, runHook, servedByNameservers, worldPerTest } from '@dns01/testkit/support';

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
      expect(r).toEqual({ status: 1, signal: null, stdout: '', stderr: '' });
    }
    expect(w.emulator.server.requests).toHaveLength(0);
  });

  it('begin dns-01 publishes AUTH as the TXT value unchanged and exits 0 once every nameserver serves it', async () => {
    const w = await start({ nameservers: [{}, { lagMs: 400 }] });
    const r = await runHook(bin, ['begin', 'dns-01', 'example.com', TOKEN, AUTH], w.env);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(w.txt(NAME).sort()).toEqual([AUTH, FOREIGN].sort());
    const addresses = w.dns.zoneNameservers().flatMap((ns) => ns.addresses);
    for (const served of await servedByNameservers(w, NAME, addresses)) expect(served).toContain(AUTH);
  });

  it.each(['done', 'failed'])('%s dns-01 deletes exactly that record', async (method) => {
    const w = await start();
    expect((await runHook(bin, ['begin', 'dns-01', 'www.example.com', TOKEN, AUTH], w.env)).status).toBe(0);
    expect((await runHook(bin, ['begin', 'dns-01', 'example.com', TOKEN, AUTH], w.env)).status).toBe(0);
    const r = await runHook(bin, [method, 'dns-01', 'example.com', TOKEN, AUTH], w.env);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(w.txt(NAME)).toEqual([FOREIGN]);
    expect(w.txt('_acme-challenge.www.example.com')).toEqual([AUTH]);
  });

  it('a wildcard identifier uses _acme-challenge.<base domain>', async () => {
    const w = await start();
    const r = await runHook(bin, ['begin', 'dns-01', '*.example.com', TOKEN, AUTH], w.env);
    expect(r.status).toBe(0);
    expect(w.txt(NAME)).toContain(AUTH);
  });

  it('a wrong number of arguments or an unknown method is a usage error (exit 2)', async () => {
    const w = await start();
    const few = await runHook(bin, ['begin', 'dns-01', 'example.com'], w.env);
    expect(few.status).toBe(2);
    expect(few.stderr).toMatch(/^dns01-uacme: error: expected 5 arguments/);
    const unknown = await runHook(bin, ['renew', 'dns-01', 'example.com', TOKEN, AUTH], w.env);
    expect(unknown.status).toBe(2);
    expect(w.emulator.server.requests).toHaveLength(0);
  });

  it('a provider failure declines loudly: non-zero, one error line, nothing created, no secret shown', async () => {
    const w = await start();
    const env = { ...w.env, SOURCEDESK_API_KEY: 'wrong-key-Pq73', DNS01_LOG_LEVEL: 'debug' };
    const r = await runHook(bin, ['begin', 'dns-01', 'example.com', TOKEN, AUTH], env);
    expect(r.status).toBe(4);
    expect(r.stdout).toBe('');
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^dns01-uacme: error: /)]);
    expect(w.txt(NAME)).toEqual([FOREIGN]);
    expect(leakedSecrets(w, r.stdout, r.stderr)).toEqual([]);
    expect(r.stderr).not.toContain('wrong-key-Pq73');
  });

  describe('dns-persist-01 (uacme 1.8.1: TOKEN is the issuer, AUTH the value in quotes)', () => {
    const PERSIST = '_validation-persist.example.com';
    const PERSIST_AUTH = 'pebble.letsencrypt.org; accounturi=https://127.0.0.1:14000/my-account/7';
    const dnsOnly = (w: { env: Record<string, string> }) => ({ DNS01_RESOLVERS: w.env.DNS01_RESOLVERS!, DNS01_NS_PORT: w.env.DNS01_NS_PORT! });

    it('begin accepts (exit 0) with no credentials and no API call when every nameserver serves a fitting record', async () => {
      const w = await start({ records: [{ name: PERSIST, type: 'TXT', data: `${PERSIST_AUTH}; policy=wildcard` }] });
      // Quoted, as uacme 1.8.1 really hands it, and bare.
      for (const [ident, auth] of [
        ['example.com', `"${PERSIST_AUTH}"`],
        ['*.example.com', PERSIST_AUTH],
      ] as const) {
        const r = await runHook(bin, ['begin', 'dns-persist-01', ident, 'pebble.letsencrypt.org', auth], dnsOnly(w));
        expect(r.status).toBe(0);
        expect(r.stdout).toBe('');
      }
      expect(w.emulator.server.requests).toHaveLength(0);
    });

    it('begin declines (exit 1) and says how to set the record when none fits; done and failed leave everything alone', async () => {
      const w = await start({ records: [{ name: PERSIST, type: 'TXT', data: 'pebble.letsencrypt.org; accounturi=https://127.0.0.1:14000/my-account/other' }] });
      const r = await runHook(bin, ['begin', 'dns-persist-01', 'example.com', '', PERSIST_AUTH], dnsOnly(w));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /declining dns-persist-01 for example\.com: no record .* names pebble\.letsencrypt\.org.*dns01 persist set example\.com --issuer pebble\.letsencrypt\.org --account-uri https:\/\/127\.0\.0\.1:14000\/my-account\/7/,
      );
      for (const method of ['done', 'failed']) expect((await runHook(bin, [method, 'dns-persist-01', 'example.com', '', PERSIST_AUTH], w.env)).status).toBe(0);
      expect(w.txt(PERSIST)).toHaveLength(1);
      expect(w.emulator.server.requests).toHaveLength(0);
    });
  });
});
