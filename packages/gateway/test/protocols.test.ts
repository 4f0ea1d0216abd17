// The gateway's protocols against the netcup emulator over loopback: httpreq
// (default and RAW, the JSON echo), acme-dns (both key spellings, the
// two-value rule), scopes, authentication.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dnsChallengeValue } from '@dns01/provider-client';
import { acmeValue, APEX, rigPerTest, WEB } from './rig.js';

const startRig = rigPerTest();

describe('httpreq', () => {
  it('default mode: present creates the record and echoes the JSON; cleanup deletes exactly it and nothing else', async () => {
    const rig = await startRig({ clients: [WEB], world: { records: [{ name: APEX, type: 'TXT', data: 'foreign-kept' }] } });
    const value = acmeValue('httpreq-default');
    const body = { fqdn: `${APEX}.`, value };
    const presented = await rig.post('/present', body, { id: 'web1' });
    expect(presented.status).toBe(200);
    expect(presented.json()).toEqual(body);
    expect(rig.world.txt(APEX).sort()).toEqual(['foreign-kept', value].sort());
    expect(rig.gateway.ledger.all().map((e) => [e.client, e.name, e.value, e.state])).toEqual([['web1', APEX, value, 'present']]);

    const cleaned = await rig.post('/cleanup', body, { id: 'web1' });
    expect(cleaned.status).toBe(200);
    expect(cleaned.json()).toEqual(body);
    expect(rig.world.txt(APEX)).toEqual(['foreign-kept']);
    expect(rig.gateway.ledger.size).toBe(0);
  });

  it('RAW mode: the value is the digest of keyAuth, for a name below the zone through the *. scope', async () => {
    const rig = await startRig({ clients: [WEB] });
    const body = { domain: 'www.example.com', token: 'tok', keyAuth: 'tok.thumbprint-raw' };
    const presented = await rig.post('/present', body, { id: 'web1' });
    expect(presented.status).toBe(200);
    expect(presented.json()).toEqual(body);
    expect(rig.world.txt('_acme-challenge.www.example.com')).toEqual([dnsChallengeValue('tok.thumbprint-raw')]);
    expect((await rig.post('/cleanup', body, { id: 'web1' })).status).toBe(200);
    expect(rig.world.txt('_acme-challenge.www.example.com')).toEqual([]);
  });

  it('a cleanup of a value the client never placed deletes nothing (not even the same value placed by another)', async () => {
    const rig = await startRig({ clients: [WEB, { id: 'web2', names: ['example.com'] }] });
    const value = acmeValue('shared');
    expect((await rig.post('/present', { fqdn: APEX, value }, { id: 'web2' })).status).toBe(200);
    expect((await rig.post('/cleanup', { fqdn: APEX, value }, { id: 'web1' })).status).toBe(200);
    expect(rig.world.txt(APEX)).toEqual([value]);
  });

  it('the same value placed by two clients stays until the second one cleans up', async () => {
    const rig = await startRig({ clients: [WEB, { id: 'web2', names: ['example.com'] }] });
    const value = acmeValue('both');
    for (const id of ['web1', 'web2']) expect((await rig.post('/present', { fqdn: APEX, value }, { id })).status).toBe(200);
    expect((await rig.post('/cleanup', { fqdn: APEX, value }, { id: 'web1' })).status).toBe(200);
    expect(rig.world.txt(APEX)).toEqual([value]);
    expect((await rig.post('/cleanup', { fqdn: APEX, value }, { id: 'web2' })).status).toBe(200);
    expect(rig.world.txt(APEX)).toEqual([]);
  });
});

describe('acme-dns', () => {
  it('POST /update with lower-case and capitalised keys; the last two values per name are kept, older ones deleted exactly', async () => {
    const rig = await startRig({ clients: [WEB], world: { records: [{ name: APEX, type: 'TXT', data: 'foreign-kept' }] } });
    const [v1, v2, v3] = ['one', 'two', 'three'].map(acmeValue) as [string, string, string];
    const first = await rig.post('/update', { subdomain: 'example.com', txt: v1 }, { id: 'web1', style: 'api-key' });
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ txt: v1 });
    const second = await rig.post('/update', { SubDomain: 'example.com', Txt: v2 }, { id: 'web1', style: 'api-key' });
    expect(second.status).toBe(200);
    expect(second.json()).toEqual({ txt: v2 });
    expect(rig.world.txt(APEX).sort()).toEqual(['foreign-kept', v1, v2].sort());
    expect((await rig.post('/update', { subdomain: 'example.com', txt: v3 }, { id: 'web1', style: 'api-key' })).status).toBe(200);
    expect(rig.world.txt(APEX).sort()).toEqual(['foreign-kept', v2, v3].sort());
    expect(
      rig.gateway.ledger
        .all()
        .map((e) => e.value)
        .sort(),
    ).toEqual([v2, v3].sort());
  });

  it('the fulldomain works as the subdomain too; malformed values and subdomains are refused as acme-dns refuses them', async () => {
    const rig = await startRig({ clients: [WEB] });
    const auth = { id: 'web1', style: 'api-key' as const };
    expect((await rig.post('/update', { subdomain: APEX, txt: acmeValue('full') }, auth)).status).toBe(200);
    const badTxt = await rig.post('/update', { subdomain: 'example.com', txt: 'short' }, auth);
    expect([badTxt.status, badTxt.json()]).toEqual([400, { error: 'bad_txt' }]);
    const badSub = await rig.post('/update', { subdomain: 'exa mple..com', txt: acmeValue('x') }, auth);
    expect([badSub.status, badSub.json()]).toEqual([400, { error: 'bad_subdomain' }]);
    const register = await rig.post('/register', {});
    expect(register.status).toBe(403);
    const health = await fetch(`${rig.gateway.url}/health`);
    expect(health.status).toBe(200);
  });
});

describe('scope and authentication', () => {
  it('a name outside the scope is answered 403 and costs no provider request', async () => {
    const rig = await startRig({ clients: [{ id: 'narrow', names: ['example.com'] }] });
    const before = rig.providerRequests();
    for (const body of [
      { fqdn: '_acme-challenge.other.org.', value: acmeValue('a') },
      { fqdn: '_acme-challenge.www.example.com.', value: acmeValue('b') },
      { fqdn: 'example.com.', value: acmeValue('c') },
      { fqdn: 'www.example.com.', value: acmeValue('d') },
    ]) {
      const reply = await rig.post('/present', body, { id: 'narrow' });
      expect([body.fqdn, reply.status]).toEqual([body.fqdn, 403]);
    }
    const acmeDns = await rig.post('/update', { subdomain: 'other.org', txt: acmeValue('e') }, { id: 'narrow', style: 'api-key' });
    expect(acmeDns.status).toBe(403);
    expect(rig.providerRequests()).toBe(before);
    expect(rig.world.txt('_acme-challenge.other.org')).toEqual([]);
  });

  it('a wrong secret, an unknown client and no credentials get the same fixed 401; ten failures from one address are throttled', async () => {
    const rig = await startRig({ clients: [WEB] });
    const body = { fqdn: APEX, value: acmeValue('auth') };
    const wrong = await rig.post('/present', body, { id: 'web1', secret: 'not-the-secret' });
    const unknown = await rig.post('/present', body, { id: 'nobody', secret: 'whatever' });
    const none = await rig.post('/present', body);
    const acmeDns = await rig.post('/update', { subdomain: 'example.com', txt: body.value }, { id: 'web1', secret: 'nope', style: 'api-key' });
    for (const r of [wrong, unknown, none, acmeDns]) expect([r.status, r.text]).toEqual([401, '{"error":"forbidden"}']);
    for (let i = 0; i < 6; i++) await rig.post('/present', body, { id: 'web1', secret: `wrong-${i}` });
    const throttled = await rig.post('/present', body, { id: 'web1' });
    expect(throttled.status).toBe(429);
    expect(rig.world.txt(APEX)).toEqual([]);
  });

  it('a client allowed only from another network is refused from loopback', async () => {
    const rig = await startRig({ clients: [{ id: 'far', names: ['example.com'], from: ['10.0.0.0/8'] }] });
    const reply = await rig.post('/present', { fqdn: APEX, value: acmeValue('far') }, { id: 'far' });
    expect(reply.status).toBe(401);
    expect(rig.world.txt(APEX)).toEqual([]);
  });

  it('the audit log names every request, never a secret', async () => {
    const rig = await startRig({ clients: [WEB] });
    const value = acmeValue('audit');
    await rig.post('/present', { fqdn: APEX, value }, { id: 'web1' });
    await rig.post('/present', { fqdn: APEX, value }, { id: 'web1', secret: 'wrong-secret-audit' });
    await rig.post('/present', { fqdn: '_acme-challenge.other.org', value }, { id: 'web1' });
    const text = readFileSync(join(rig.stateDir, 'audit.log'), 'utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.client, l.protocol, l.action, l.name ?? null, l.result, l.status])).toEqual([
      ['web1', 'httpreq', 'present', APEX, 'ok', 200],
      ['-', 'httpreq', 'present', null, 'unauthorized', 401],
      ['web1', 'httpreq', 'present', '_acme-challenge.other.org', 'forbidden_name', 403],
    ]);
    for (const l of lines) expect(Object.keys(l)).toEqual(expect.arrayContaining(['time', 'source', 'ms']));
    expect(text).not.toContain(rig.secrets.web1);
    expect(text).not.toContain('wrong-secret-audit');
    for (const secret of rig.world.secrets) expect(text).not.toContain(secret);
  });
});

describe('records the gateway did not create', () => {
  it('a value the zone held already is used, and never deleted: not by cleanup, not at a restart', async () => {
    const value = acmeValue('foreign-same-value');
    const rig = await startRig({ clients: [WEB], world: { records: [{ name: APEX, type: 'TXT', data: value }] } });
    expect((await rig.post('/present', { fqdn: APEX, value }, { id: 'web1' })).status).toBe(200);
    expect(rig.gateway.ledger.all().map((e) => e.state)).toEqual(['found']);
    await rig.restart();
    expect(rig.world.txt(APEX)).toEqual([value]);
    expect((await rig.post('/present', { fqdn: APEX, value }, { id: 'web1' })).status).toBe(200);
    expect((await rig.post('/cleanup', { fqdn: APEX, value }, { id: 'web1' })).status).toBe(200);
    expect(rig.world.txt(APEX)).toEqual([value]);
    expect(rig.gateway.ledger.size).toBe(0);
  });

  it('a value one client created and another found: whichever cleans up last deletes it', async () => {
    const rig = await startRig({ clients: [WEB, { id: 'web2', names: ['example.com'] }] });
    const value = acmeValue('heir');
    expect((await rig.post('/present', { fqdn: APEX, value }, { id: 'web1' })).status).toBe(200);
    expect((await rig.post('/present', { fqdn: APEX, value }, { id: 'web2' })).status).toBe(200);
    expect(rig.gateway.ledger.all().map((e) => [e.client, e.state])).toEqual([
      ['web1', 'present'],
      ['web2', 'found'],
    ]);
    expect((await rig.post('/cleanup', { fqdn: APEX, value }, { id: 'web1' })).status).toBe(200);
    expect(rig.world.txt(APEX)).toEqual([value]);
    expect(rig.gateway.ledger.all().map((e) => [e.client, e.state])).toEqual([['web2', 'present']]);
    expect((await rig.post('/cleanup', { fqdn: APEX, value }, { id: 'web2' })).status).toBe(200);
    expect(rig.world.txt(APEX)).toEqual([]);
  });
});
