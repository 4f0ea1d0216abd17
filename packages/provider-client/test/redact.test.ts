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
} from '../src/index.js';

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
