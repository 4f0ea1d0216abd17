import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAST_RETRY_HTTP, providerRig, type ProviderRig } from '@dns01/testkit';
import { clearSecrets, createLogger, describeError, Dns01Error } from '../../src/internal.js';
import { mrdomain } from '../../src/providers/mrdomain/index.js';

const ZONE = 'example.com';
/** A password with characters that change under URL, form and JSON encoding. */
const CREDENTIALS = { apiUser: 'md-user-4711', apiPassword: 'md-Secret/P+ss&w=rd%"7' } as const;
type Rig = ProviderRig<'mrdomain'>;
const rig = (): Promise<Rig> => providerRig('mrdomain', { zones: [ZONE], emulator: { credentials: CREDENTIALS }, apex: 'store' });

const NAME = `_acme-challenge.${ZONE}`;

/** The forms a secret can take on the wire and in text. */
function forms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)];
}

function everythingSaid(h: Rig, errors: unknown[]): string {
  const parts = [...h.logs];
  for (const e of errors) {
    parts.push(describeError(e), String(e), (e as Error).stack ?? '');
    if (e instanceof Dns01Error) parts.push(e.oneLine, JSON.stringify(e));
  }
  return parts.join('\n');
}

describe('mrdomain: secrets never appear in output', () => {
  let h: Rig;
  afterEach(async () => {
    await h.close();
  });

  it('programmatic create() registers the password: debug logs and errors of failing requests stay clean', async () => {
    clearSecrets();
    h = await rig();
    const provider = h.open().provider;
    const wrong = 'wrong/Pass+word&=%"9';
    const errors: unknown[] = [];
    const keep = (p: Promise<unknown>) =>
      p.then(
        () => h.emulator.server.clearFaults(),
        (e: unknown) => {
          errors.push(e);
          h.emulator.server.clearFaults();
        },
      );

    const zone = await provider.findZone(NAME);
    await provider.appendTxt(zone, NAME, 'secret-test');
    h.emulator.server.inject({ fault: { kind: 'status', status: 500 }, times: 2 });
    await provider.listTxt(zone, NAME);
    h.emulator.server.inject({ fault: { kind: 'hang' } });
    await provider.listTxt(zone, NAME);
    h.emulator.server.inject({ fault: { kind: 'malformed' } });
    await keep(provider.listTxt(zone, NAME));
    h.emulator.server.inject({ fault: { kind: 'status', status: 503 }, times: 10 });
    await keep(provider.deleteTxt(zone, NAME, 'secret-test'));
    h.emulator.server.inject({ fault: { kind: 'reset' }, times: 10 });
    await keep(provider.listTxt(zone, NAME));
    h.emulator.failNext(1007);
    await keep(provider.listTxt(zone, NAME));
    h.emulator.failNext(105, { messages: [`value ${CREDENTIALS.apiPassword} rejected`] });
    await keep(provider.appendTxt(zone, NAME, 'another'));
    await keep(h.open({ env: { MRDOMAIN_API_PASSWORD: wrong } }).provider.findZone(`_acme-challenge.${ZONE}`));
    expect(await provider.deleteTxt(zone, NAME, 'secret-test')).toBe('deleted');

    expect(errors).toHaveLength(6);
    const said = everythingSaid(h, errors);
    expect(h.logs.length).toBeGreaterThan(10);
    expect(said).toMatch(/service\/dnslist: POST http:\/\/127\.0\.0\.1:\d+\/service\/dnslist\/ -> 200/);
    for (const secret of [CREDENTIALS.apiPassword, wrong]) {
      for (const form of forms(secret)) expect(said).not.toContain(form);
      // Positive control: the secret did travel, in the POST body only, never in a URL.
      expect(h.emulator.server.requests.some((r) => r.body.includes(new URLSearchParams({ s: secret }).toString().slice(2)))).toBe(true);
      for (const r of h.emulator.server.requests) for (const form of forms(secret)) expect(r.url).not.toContain(form);
    }
  });

  it('MRDOMAIN_API_PASSWORD_FILE is read and the value registered', async () => {
    clearSecrets();
    h = await rig();
    const dir = mkdtempSync(join(tmpdir(), 'mrdomain-'));
    const secret = 'from-a-file/Secret+77';
    writeFileSync(join(dir, 'password'), `${secret}\n`, { mode: 0o600 });
    const config = mrdomain.readConfig({
      MRDOMAIN_API_USER: CREDENTIALS.apiUser,
      MRDOMAIN_API_PASSWORD_FILE: join(dir, 'password'),
      MRDOMAIN_ENDPOINT: h.emulator.url,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(config.apiPassword).toBe(secret);
    const provider = mrdomain.create(config, { logger: createLogger({ level: 'debug', write: (line) => h.logs.push(line) }), http: FAST_RETRY_HTTP });
    const e = await provider.findZone(NAME).catch((x: unknown) => x);
    expect(String((e as Dns01Error).oneLine)).toMatch(/error 1004/);
    const said = everythingSaid(h, [e]);
    for (const form of forms(secret)) expect(said).not.toContain(form);
  });
});
