import { describe, expect, test } from 'vitest';
import { formatPersistValue, judgeCaa, parsePersistValue, parseUntil, persistName, sameBinding } from '../../src/internal.js';

const ACCOUNT = 'https://ca.example/acct/123';

describe('persist record', () => {
  test('the name is _validation-persist.<domain>, normalised; a wildcard is refused with a hint', () => {
    expect(persistName('Example.COM.')).toBe('_validation-persist.example.com');
    expect(() => persistName('*.example.com')).toThrow(/wildcard.*_validation-persist\.example\.com/);
  });

  test('the value follows the draft: issuer; accounturi=...; policy=wildcard; persistUntil=N', () => {
    expect(formatPersistValue({ issuer: 'Authority.Example', accountUri: ACCOUNT })).toBe(`authority.example; accounturi=${ACCOUNT}`);
    expect(formatPersistValue({ issuer: 'letsencrypt.org', accountUri: ACCOUNT, wildcard: true, persistUntil: 1_900_000_000 })).toBe(
      `letsencrypt.org; accounturi=${ACCOUNT}; policy=wildcard; persistUntil=1900000000`,
    );
  });

  test.each([
    ['an account URI with a space', { issuer: 'ca.example', accountUri: 'https://ca.example/a b' }],
    ['an account URI with ";"', { issuer: 'ca.example', accountUri: 'https://ca.example/a;policy=wildcard' }],
    ['an account URI that is no URL', { issuer: 'ca.example', accountUri: 'acct-123' }],
    ['an issuer that is no domain', { issuer: 'ca example', accountUri: ACCOUNT }],
    ['a value over 255 bytes', { issuer: 'ca.example', accountUri: `https://ca.example/${'a'.repeat(260)}` }],
  ])('refuses %s', (_, spec) => {
    expect(() => formatPersistValue(spec)).toThrow();
  });

  test('parses served values with any spacing and key case; other TXT values are not persist records', () => {
    const parsed = parsePersistValue(`letsencrypt.org;accounturi=${ACCOUNT};  Policy=WILDCARD ; persistUntil=1900000000; future=x`);
    expect(parsed).toMatchObject({ issuer: 'letsencrypt.org', accountUri: ACCOUNT, wildcard: true, persistUntil: 1_900_000_000 });
    expect(parsed?.params.future).toBe('x');
    expect(parsePersistValue('v=spf1 include:example.net -all')).toBeUndefined();
    expect(parsePersistValue('google-site-verification=abc')).toBeUndefined();
    expect(parsePersistValue(`ca.example; policy=other`)).toMatchObject({ wildcard: false, accountUri: undefined });
  });

  test('sameBinding compares the CA (case-insensitively) and the account (exactly)', () => {
    const record = parsePersistValue(`CA.example; accounturi=${ACCOUNT}; policy=wildcard`)!;
    expect(sameBinding(record, { issuer: 'ca.example', accountUri: ACCOUNT })).toBe(true);
    expect(sameBinding(record, { issuer: 'ca.example', accountUri: `${ACCOUNT}4` })).toBe(false);
    expect(sameBinding(record, { issuer: 'other.example', accountUri: ACCOUNT })).toBe(false);
  });

  test('a key given twice (any case) is malformed: no account read from it, never the same binding as either account', () => {
    for (const raw of [`ca.example; accounturi=${ACCOUNT}; accounturi=${ACCOUNT}9`, `ca.example; accounturi=${ACCOUNT}9; AccountURI=${ACCOUNT}`]) {
      const record = parsePersistValue(raw)!;
      expect(record.malformed).toMatch(/^accounturi given more than once/);
      expect(record.accountUri).toBeUndefined();
      expect(sameBinding(record, { issuer: 'ca.example', accountUri: ACCOUNT })).toBe(false);
      expect(sameBinding(record, { issuer: 'ca.example', accountUri: `${ACCOUNT}9` })).toBe(false);
    }
    expect(parsePersistValue(`ca.example; accounturi=${ACCOUNT}; policy=wildcard; policy=wildcard`)).toMatchObject({
      wildcard: false,
      malformed: expect.stringMatching(/^policy given/),
    });
  });

  test('--until takes a date or epoch seconds in the future', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    expect(parseUntil('2027-06-30T00:00:00Z', now)).toBe(Date.parse('2027-06-30T00:00:00Z') / 1000);
    expect(parseUntil('1900000000', now)).toBe(1_900_000_000);
    expect(() => parseUntil('2020-01-01', now)).toThrow(/past/);
    expect(() => parseUntil('next week', now)).toThrow(/not a date/);
  });
});

describe('CAA (RFC 8659, RFC 8657)', () => {
  const want = { issuer: 'letsencrypt.org', accountUri: ACCOUNT, wildcard: false };
  const at = (properties: { flags?: number; tag: string; value: string }[]) => ({
    at: 'example.com',
    properties: properties.map((p) => ({ flags: p.flags ?? 0, ...p })),
  });

  test('no CAA anywhere: any CA may issue', () => {
    expect(judgeCaa({ properties: [] }, want).permitted).toBe(true);
  });
  test('an issue property naming the CA allows it; one naming only another CA forbids it', () => {
    expect(judgeCaa(at([{ tag: 'issue', value: 'letsencrypt.org' }]), want).permitted).toBe(true);
    const verdict = judgeCaa(at([{ tag: 'issue', value: 'pki.goog' }]), want);
    expect(verdict.permitted).toBe(false);
    expect(verdict.reason).toMatch(/does not allow letsencrypt\.org.*pki\.goog/);
  });
  test('accounturi and validationmethods restrict the CA entry', () => {
    expect(judgeCaa(at([{ tag: 'issue', value: `letsencrypt.org; accounturi=${ACCOUNT}` }]), want).permitted).toBe(true);
    expect(judgeCaa(at([{ tag: 'issue', value: 'letsencrypt.org; accounturi=https://ca.example/acct/999' }]), want).reason).toMatch(/accounturi/);
    expect(judgeCaa(at([{ tag: 'issue', value: 'letsencrypt.org; validationmethods=dns-01,http-01' }]), want).reason).toMatch(/validationmethods/);
    expect(judgeCaa(at([{ tag: 'issue', value: 'letsencrypt.org; validationmethods=dns-persist-01' }]), want).permitted).toBe(true);
  });
  test('an entry with a parameter given twice allows nothing', () => {
    const verdict = judgeCaa(at([{ tag: 'issue', value: `letsencrypt.org; accounturi=${ACCOUNT}; accounturi=https://ca.example/acct/999` }]), want);
    expect(verdict.permitted).toBe(false);
    expect(verdict.reason).toMatch(/malformed: accounturi given more than once/);
  });
  test('issuewild decides for wildcards when present; iodef alone restricts nothing', () => {
    const caa = at([
      { tag: 'issue', value: 'letsencrypt.org' },
      { tag: 'issuewild', value: ';' },
    ]);
    expect(judgeCaa(caa, want).permitted).toBe(true);
    expect(judgeCaa(caa, { ...want, wildcard: true }).permitted).toBe(false);
    expect(judgeCaa(at([{ tag: 'iodef', value: 'mailto:x@example.com' }]), want).permitted).toBe(true);
  });
  test('an unknown critical property forbids issuance', () => {
    expect(
      judgeCaa(
        at([
          { flags: 128, tag: 'tbs', value: 'x' },
          { tag: 'issue', value: 'letsencrypt.org' },
        ]),
        want,
      ).permitted,
    ).toBe(false);
  });
});
