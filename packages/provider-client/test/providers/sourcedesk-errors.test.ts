import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  Dns01Error,
  ProviderApiError,
  ZoneNotFoundError,
  InvalidInputError,
  clearSecrets,
  createLogger,
  describeError,
} from '../../src/internal.js';
import { createSourcedeskClient } from '../../src/providers/sourcedesk/client.js';
import { silentLogger } from '../../src/log.js';
import { sourcedesk } from '../../src/providers/sourcedesk/index.js';
import { FAST_RETRY_HTTP, providerRig, type EmulatorOptionsOf, type ProviderRig } from '@dns01/testkit';
import { failure as rejection } from '@dns01/testkit/support';

const ZONE = 'sourcedesk-shop.test';
const NAME = `_acme-challenge.${ZONE}`;
type Rig = ProviderRig<'sourcedesk'>;
/** The account holds ZONE, and parked.test without a zone at sourceDESK. */
const rig = (emulator: EmulatorOptionsOf['sourcedesk'] = {}): Promise<Rig> =>
  providerRig('sourcedesk', { zones: [ZONE], foreignZones: ['parked.test'], emulator: { domainsWithoutZone: ['parked.test'], ...emulator } });
const zone = { name: ZONE };
/** Every error here is one line with a hint. */
const failure = (promise: Promise<unknown>) => rejection(promise, { hint: true });

describe('sourcedesk: every documented return code of the DNS actions', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('800 (wrong customer ID or key) is an AuthenticationError naming both variables, not retried', async () => {
    r.emulator.setCredentials({ customerId: '10042', apiKey: 'rotated-key' });
    const e = await failure(r.provider.findZone(NAME));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.message).toBe('sourcedesk dns/list: authorization failed (code 800: Authentication failed.)');
    expect(e.hint).toMatch(/SOURCEDESK_CUSTOMER_ID and SOURCEDESK_API_KEY/);
    expect(r.emulator.server.requests).toHaveLength(1);
  });

  it('801 "Group not allowed." (the customer lacks the domain-API permission) is an AuthenticationError (exit 4) naming the fix, on every action', async () => {
    r.emulator.setDomainApi(false);
    for (const call of [() => r.provider.findZone(NAME), () => r.provider.listTxt(zone, NAME), () => r.provider.appendTxt(zone, NAME, 'v')]) {
      const e = await failure(call());
      expect(e).toBeInstanceOf(AuthenticationError);
      expect(e.exitCode).toBe(4);
      expect(e.message).toMatch(
        /^sourcedesk dns\/(list|show): the key was accepted, but this customer may not use the domain API \(code 801: Group not allowed\.\)$/,
      );
      expect(e.hint).toBe('Enable API access to domains for this customer in the sourceDESK panel (or ask sourceDESK support to enable it for your key)');
    }
    expect(r.emulator.calls.add ?? 0).toBe(0);
  });

  it('802 (action unknown) points at SOURCEDESK_ENDPOINT', async () => {
    r.emulator.answerNext({ action: 'add', code: 802, message: 'Action not found.' });
    const e802 = await failure(r.provider.appendTxt(zone, NAME, 'v'));
    expect(e802).toMatchObject({ name: 'ProviderApiError', transient: false, action: 'dns/add' });
    expect(e802.message).toMatch(/does not know the action "add" \(code 802: Action not found\.\)/);
    expect(e802.hint).toMatch(/SOURCEDESK_ENDPOINT/);
  });

  it('803 (domain not in the account) is a ZoneNotFoundError on show, add and delete', async () => {
    const other = { name: 'not-mine.test' };
    for (const call of [
      () => r.provider.listTxt(other, '_acme-challenge.not-mine.test'),
      () => r.provider.appendTxt(other, '_acme-challenge.not-mine.test', 'v'),
      () => r.provider.deleteTxt(other, '_acme-challenge.not-mine.test', 'v'),
    ]) {
      const e = await failure(call());
      expect(e).toBeInstanceOf(ZoneNotFoundError);
      expect(e.message).toBe('sourcedesk dns/show: the domain not-mine.test is not in this account (code 803: Domain not found.)');
    }
  });

  it('804 (domain without a zone at sourceDESK) is a ZoneNotFoundError telling to use its nameservers', async () => {
    const e = await failure(r.provider.appendTxt({ name: 'parked.test' }, '_acme-challenge.parked.test', 'v'));
    expect(e).toBeInstanceOf(ZoneNotFoundError);
    expect(e.message).toMatch(/parked.test has no DNS zone at sourceDESK \(code 804/);
    expect(e.hint).toMatch(/nameservers/);
    expect(await r.provider.findZone('_acme-challenge.parked.test').catch((x: unknown) => x)).toBeInstanceOf(ZoneNotFoundError);
  });

  it('805 on add is an InvalidInputError; 805 on delete (no valid record) leaves the record', async () => {
    r.emulator.answerNext({ action: 'add', code: 805, message: 'Error at adding record.' });
    expect(await failure(r.provider.appendTxt(zone, NAME, 'v'))).toBeInstanceOf(InvalidInputError);
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'kept' });
    r.emulator.answerNext({ action: 'delete', code: 805, message: 'No valid record specified.' });
    const e = await failure(r.provider.deleteTxt(zone, NAME, 'kept'));
    expect(e).toMatchObject({ name: 'ProviderApiError', transient: false });
    expect(e.message).toBe('sourcedesk dns/delete: the record id was refused as invalid (code 805: No valid record specified.)');
    expect(r.txt(NAME)).toEqual(['kept']);
  });

  it('806 on delete means already gone: deleteRecord says absent, deleteTxt says absent', async () => {
    const client = createSourcedeskClient(
      { customerId: r.env.SOURCEDESK_CUSTOMER_ID!, apiKey: r.env.SOURCEDESK_API_KEY!, endpoint: r.emulator.url },
      { logger: silentLogger, http: FAST_RETRY_HTTP },
    );
    expect(await client.deleteRecord(ZONE, '999999')).toBe('absent');
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'vanishing' });
    // Another client deletes it between dns01's listing and its delete: 806, and the listing after it shows it gone.
    const vanish = (q: { url: string }) =>
      q.url.endsWith('/dns/delete') &&
      r.store.remove(
        ZONE,
        r.store.records(ZONE, { name: NAME }).map((x) => x.id),
      ) >= 0;
    r.emulator.server.inject({ fault: { kind: 'delay', ms: 1 }, match: vanish });
    expect(await r.provider.deleteTxt(zone, NAME, 'vanishing')).toBe('absent');
    expect(r.emulator.calls.delete).toBe(2);
  });

  it('807 (edit failed) and an undocumented code are clear ProviderApiErrors', async () => {
    r.emulator.answerNext({ action: 'add', code: 807, message: 'Error at editing record (invalid record data)' });
    const e807 = await failure(r.provider.appendTxt(zone, NAME, 'v'));
    expect(e807.message).toMatch(/^sourcedesk dns\/add: editing the record failed \(code 807/);
    r.emulator.answerNext({ action: 'list', code: 999, message: 'Something\nnew' });
    const e999 = await failure(r.provider.findZone(NAME));
    expect(e999).toBeInstanceOf(ProviderApiError);
    expect(e999.message).toBe('sourcedesk dns/list: failed with an undocumented return code (code 999: Something new)');
    expect(r.snapshot(ZONE).filter((x) => x.type === 'TXT')).toEqual([]);
  });
});

describe('sourcedesk: replies of an unexpected shape', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  const cases: [string, 'list' | 'show' | 'add', unknown][] = [
    ['a record without content', 'show', { code: 100, message: 'ok', data: { '1': { name: '', type: 'TXT', ttl: 60, priority: 0 } } }],
    ['records as a string', 'show', { code: 100, message: 'ok', data: 'records' }],
    ['a list of records one of which has no type', 'show', { code: 100, message: 'ok', data: [{ name: '', content: 'x' }] }],
    ['zones as a string', 'list', { code: 100, message: 'ok', data: 'example.com' }],
    ['no code', 'add', { message: 'Record added.', data: {} }],
    ['a non-numeric code', 'show', { code: 'OK', message: 'ok', data: {} }],
  ];
  for (const [label, action, body] of cases) {
    it(`${label} is a ProviderApiError naming sourcedesk and dns/${action}`, async () => {
      r.emulator.answerNext({ action, body: JSON.stringify(body) });
      const run = action === 'list' ? r.provider.findZone(NAME) : action === 'show' ? r.provider.listTxt(zone, NAME) : r.provider.appendTxt(zone, NAME, 'v');
      const e = await failure(run);
      expect(e).toBeInstanceOf(ProviderApiError);
      expect(e.message).toMatch(new RegExp(`^sourcedesk dns/${action}: answered in an unexpected shape \\(`));
    });
  }

  it('a body that is not JSON is a ProviderApiError', async () => {
    r.emulator.server.inject({ fault: { kind: 'malformed' } });
    const e = await failure(r.provider.listTxt(zone, NAME));
    expect(e).toBeInstanceOf(ProviderApiError);
    expect(e.message).toMatch(/^sourcedesk dns\/show: answered with a body that is not JSON/);
  });

  it('an HTML 403 (a blocked IP) is an AuthenticationError mentioning the block', async () => {
    r.emulator.ban();
    const e = await failure(r.provider.findZone(NAME));
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.message).toBe('sourcedesk dns/list: access denied (HTTP 403)');
    expect(e.hint).toMatch(/IP address may be blocked/);
  });
});

describe('sourcedesk: retries', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());
  const onAction = (action: string) => (q: { url: string }) => q.url.endsWith(`/dns/${action}`);

  it('retries reads after 5xx and a hang, then succeeds', async () => {
    r.emulator.server.inject({ fault: { kind: 'status', status: 503 }, times: 2, match: onAction('show') });
    r.emulator.server.inject({ fault: { kind: 'hang' }, match: onAction('show') });
    await r.provider.appendTxt(zone, NAME, 'after-retries');
    expect(r.txt(NAME)).toEqual(['after-retries']);
    // Three failed tries and the listing before the add, then the one that confirms it.
    expect(r.emulator.server.requests.filter(onAction('show'))).toHaveLength(5);
  });

  it('retries an add refused with 429 (the API did not act) and adds once', async () => {
    r.emulator.server.inject({ fault: { kind: 'status', status: 429, retryAfter: 0 }, match: onAction('add') });
    await r.provider.appendTxt(zone, NAME, 'after-429');
    expect(r.txt(NAME)).toEqual(['after-429']);
    expect(r.emulator.server.requests.filter(onAction('add'))).toHaveLength(2);
  });

  it('does not resend an add after a 5xx; looks, and reports a transient error when nothing was added', async () => {
    r.emulator.server.inject({ fault: { kind: 'status', status: 500 }, match: onAction('add') });
    const e = await failure(r.provider.appendTxt(zone, NAME, 'unsure'));
    expect(e).toMatchObject({ name: 'ProviderApiError', transient: true });
    expect(r.emulator.server.requests.filter(onAction('add'))).toHaveLength(1);
    expect(r.txt(NAME)).toEqual([]);
  });

  it('an add whose reply is lost (timeout after acting) is found by looking, and not added twice', async () => {
    r.emulator.hangAfterActing('add');
    await r.provider.appendTxt(zone, NAME, 'lost-reply');
    expect(r.txt(NAME)).toEqual(['lost-reply']);
    expect(r.emulator.calls.add).toBe(1);
    expect(r.logs.some((l) => l.includes('dns/add failed, but the record'))).toBe(true);
  });

  it('gives up on a lasting outage with a transient ProviderApiError', async () => {
    r.emulator.server.inject({ fault: { kind: 'status', status: 502 }, times: 100 });
    const e = await failure(r.provider.findZone(NAME));
    expect(e).toMatchObject({ name: 'ProviderApiError', transient: true });
    expect(e.message).toBe('sourcedesk dns/list: the provider API failed (HTTP 502)');
    expect(r.emulator.server.requests.length).toBeGreaterThan(1);
  });
});

describe('sourcedesk: concurrency', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('appends and deletes on two names and from two provider instances at once leave exactly the right records', async () => {
    r.store.add(ZONE, { name: NAME, type: 'TXT', data: 'foreign' });
    const before = r.snapshot(ZONE);
    const second = r.open().provider;
    const wildcard = `_acme-challenge.www.${ZONE}`;
    const values = Array.from({ length: 10 }, (_, i) => `v${i}`);
    await Promise.all([
      ...values.map((v) => r.provider.appendTxt(zone, NAME, `a-${v}`)),
      ...values.map((v) => second.appendTxt(zone, NAME, `b-${v}`)),
      ...values.map((v) => r.provider.appendTxt(zone, wildcard, v)),
    ]);
    expect(r.txt(NAME)).toEqual(['foreign', ...values.map((v) => `a-${v}`), ...values.map((v) => `b-${v}`)].sort());
    expect(r.txt(wildcard)).toEqual(values);
    const outcomes = await Promise.all([
      ...values.map((v) => second.deleteTxt(zone, NAME, `a-${v}`)),
      ...values.map((v) => r.provider.deleteTxt(zone, NAME, `b-${v}`)),
      ...values.map((v) => r.provider.deleteTxt(zone, wildcard, v)),
    ]);
    expect(outcomes.filter((o) => o === 'deleted')).toHaveLength(30);
    expect(r.snapshot(ZONE)).toEqual(before);
  });

  it('the same value appended five times at once is added once', async () => {
    await Promise.all(Array.from({ length: 5 }, () => r.provider.appendTxt(zone, NAME, 'same')));
    expect(r.txt(NAME)).toEqual(['same']);
    expect(r.emulator.calls.add).toBe(1);
  });

  it('an append and a delete of the same value racing end in a consistent state', async () => {
    const [, outcome] = await Promise.all([r.provider.appendTxt(zone, NAME, 'race'), r.provider.deleteTxt(zone, NAME, 'race')]);
    // One provider serialises per zone in call order: the append lands first, then the delete removes it.
    expect(outcome).toBe('deleted');
    expect(r.txt(NAME)).toEqual([]);
  });
});

describe('sourcedesk: secrets never appear in output', () => {
  let r: Rig | undefined;
  const KEY = 'Sec/ret+Key&x=1%2F?#ä';
  beforeEach(() => clearSecrets());
  afterEach(async () => {
    await r?.close();
    clearSecrets();
  });

  it('not in debug logs, messages, hints, stacks or causes, on success and on every kind of failure', async () => {
    r = await rig({ credentials: { customerId: '10042', apiKey: KEY } });
    const lines = r.logs;
    // Built from a literal config (no readConfig): create() must register the key itself.
    const withKey = sourcedesk.create(
      { customerId: '10042', apiKey: KEY, endpoint: r.emulator.url },
      { logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }), http: FAST_RETRY_HTTP },
    );
    const errors: unknown[] = [];
    const attempt = async (run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        errors.push(error);
      }
    };
    const z = await withKey.findZone(NAME);
    await withKey.appendTxt(z, NAME, 'secret-test');
    await withKey.deleteTxt(z, NAME, 'secret-test');
    r.emulator.server.inject({ fault: { kind: 'status', status: 503 }, times: 100 });
    await attempt(() => withKey.listTxt(z, NAME));
    r.emulator.server.clearFaults();
    r.emulator.server.inject({ fault: { kind: 'hang' }, times: 100 });
    await attempt(() => withKey.listTxt(z, NAME));
    r.emulator.server.clearFaults();
    r.emulator.server.inject({ fault: { kind: 'reset' }, times: 100 });
    await attempt(() => withKey.listTxt(z, NAME));
    r.emulator.server.clearFaults();
    r.emulator.server.inject({ fault: { kind: 'malformed' } });
    await attempt(() => withKey.listTxt(z, NAME));
    r.emulator.ban();
    await attempt(() => withKey.listTxt(z, NAME));
    r.emulator.ban(false);
    r.emulator.setCredentials({ customerId: '10042', apiKey: 'another' });
    await attempt(() => withKey.listTxt(z, NAME));
    await r.emulator.close();
    await attempt(() => withKey.listTxt(z, NAME));

    expect(errors).toHaveLength(7);
    // The key really travelled (in the URL path), so not finding it below means it was masked.
    expect(r.emulator.server.requests.some((q) => q.url.includes(encodeURIComponent(KEY)))).toBe(true);
    const text = [
      ...r.logs,
      ...errors.flatMap((e) => {
        const err = e as Dns01Error & { cause?: unknown };
        return [err.message, err.oneLine, String(err.hint), String(err.stack), describeError(err), String(err.cause), JSON.stringify(err)];
      }),
    ].join('\n');
    expect(r.logs.some((l) => l.includes('/dns/show'))).toBe(true);
    for (const form of [KEY, encodeURIComponent(KEY), new URLSearchParams({ k: KEY }).toString().slice(2), encodeURI(KEY)]) {
      expect(text).not.toContain(form);
    }
    expect(text).toContain('/10042/***/dns/');
  });
});
