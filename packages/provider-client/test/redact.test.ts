import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  Dns01Error,
  ProviderApiError,
  clearSecrets,
  describeError,
  redact,
  redactValue,
  registerBasicAuth,
  registerSecret,
} from '../src/internal.js';

afterEach(() => clearSecrets());

describe('redaction', () => {
  const secret = 'p@ss word/&=+ü"x';

  it('masks a secret in every encoding it can take on the wire', () => {
    registerSecret(secret);
    const encodings = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ k: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
      Buffer.from(secret).toString('base64'),
    ];
    for (const e of encodings) {
      const out = redact(`before ${e} after`);
      expect(out).toBe('before *** after');
    }
  });

  it('masks a key embedded in a URL path and a form body', () => {
    registerSecret('K3y/With+Chars');
    const url = `https://sourceway.de/api/1234/${encodeURIComponent('K3y/With+Chars')}/dns/show`;
    expect(redact(url)).toBe('https://sourceway.de/api/1234/***/dns/show');
    const body = new URLSearchParams({ apiuser: 'u', apipasswd: 'K3y/With+Chars' }).toString();
    expect(redact(body)).toBe('apiuser=u&apipasswd=***');
  });

  it('masks HTTP Basic credentials as the header carries them', () => {
    registerBasicAuth('alice', 'hunter2-long');
    const header = `Basic ${Buffer.from('alice:hunter2-long').toString('base64')}`;
    expect(redact(header)).toBe('Basic ***');
  });

  it('prefers the longest match so no fragment of a secret survives', () => {
    registerSecret('abc');
    registerSecret('abcdef');
    expect(redact('x abcdef y abc')).toBe('x *** y ***');
  });

  it('redacts messages of errors at construction, hints and the whole cause chain', () => {
    registerSecret('topsecret');
    const root = new Error('socket hang up at https://h/api/1/topsecret/dns/add');
    const mid = new ProviderApiError('sourcedesk', 'dns/add', 'failed for key topsecret', { cause: root, hint: 'key topsecret' });
    const top = new AuthenticationError('login failed', { cause: mid });
    expect(mid.message).not.toContain('topsecret');
    expect(mid.hint).not.toContain('topsecret');
    const line = describeError(top);
    expect(line).toContain('login failed');
    expect(line).toContain('sourcedesk dns/add');
    expect(line).toContain('socket hang up');
    expect(line).not.toContain('topsecret');
    expect(line).not.toContain('\n');
  });

  it('redacts structured values deeply', () => {
    registerSecret('s3cr3t-value');
    expect(redactValue({ a: ['s3cr3t-value'], b: { c: 'x s3cr3t-value' }, n: 1 })).toEqual({
      a: ['***'],
      b: { c: 'x ***' },
      n: 1,
    });
  });

  it('gives errors a one-line form with the hint', () => {
    const e = new Dns01Error('zone not found', { hint: 'Check the account' });
    expect(e.oneLine).toBe('zone not found. Check the account');
  });

  it('ignores empty secrets', () => {
    registerSecret('');
    registerSecret(undefined);
    expect(redact('nothing to hide')).toBe('nothing to hide');
  });
});

describe('redaction before shortening (issue 15, item 7)', () => {
  const key = "sK/4+q&w=Z%e?#ü k!*'()~";

  it('masks lowercase %xx and PHP rawurlencode / urlencode forms', () => {
    registerSecret(key);
    const raw = encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const forms = [
      encodeURIComponent(key)
        .toLowerCase()
        .replace(/%[0-9a-f]{2}/g, (m) => m), // lowercase hex
      encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      raw,
      raw.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      raw.replace(/%20/g, '+').replace(/~/g, '%7E'),
    ];
    for (const f of forms.slice(1)) expect(redact(`x ${f} y`), f).toBe('x *** y');
  });

  it('sourceDESK: a long message that echoes the key is masked before it is cut to length', async () => {
    const { errorForCode } = await import('../src/providers/sourcedesk/errors.js');
    registerSecret(key);
    const message = `${'a'.repeat(140)} wrong key ${key} for customer`;
    const error = errorForCode('add', 805, message, 'example.com');
    expect(error.message).toContain('***');
    for (let n = 4; n <= key.length; n++) expect(error.message).not.toContain(key.slice(0, n));
  });

  it('MrDomain: a message that echoes a password with whitespace inside is masked before its whitespace is collapsed', async () => {
    const { errorForReply } = await import('../src/providers/mrdomain/errors.js');
    const password = 'md\tpass  word';
    registerSecret(password);
    const error = errorForReply('service/dnscreate', { success: false, errorCode: 1004, errorCodeMsg: `Invalid password ${password}`, messages: [] } as never);
    expect(error.message).toContain('***');
    expect(error.message).not.toContain('md pass');
    expect(error.message).not.toContain('pass word');
  });
});

describe('short secrets (issue 15, item 8)', () => {
  it('masking a one-letter secret never alters result fields that are known not to be secret', async () => {
    const { redactExcept } = await import('../src/redact.js');
    registerSecret('e');
    expect(redact('created TXT x')).toBe('created TXT x');
    expect(redact('password e refused, "e", /e/')).toBe('password *** refused, "***", /***/');
    registerSecret('example');
    const line = 'created TXT _acme-challenge.example.com in zone example.com';
    expect(redact(line)).toBe('created TXT _acme-challenge.***.com in zone ***.com');
    expect(redactExcept(line, ['_acme-challenge.example.com', 'example.com'])).toBe(line);
    expect(redactExcept('key example in _acme-challenge.example.com', ['_acme-challenge.example.com'])).toBe('key *** in _acme-challenge.example.com');
  });

  it('warns once about a secret shorter than 8 characters, naming no part of it', async () => {
    const { onShortSecret } = await import('../src/redact.js');
    const warnings: string[] = [];
    onShortSecret((w) => warnings.push(w));
    registerSecret('abc', 'NETCUP_API_KEY');
    registerSecret('abc', 'NETCUP_API_KEY');
    registerSecret('defgh', 'NETCUP_API_PASSWORD');
    registerSecret('long-enough-secret');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/NETCUP_API_KEY is shorter than 8 characters/);
    for (const w of warnings) {
      expect(w).not.toContain('abc');
      expect(w).not.toContain('defgh');
    }
  });
});
