import { describe, expect, it } from 'vitest';
import { InvalidInputError, challengeName, isInZone, normalizeDomain, normalizeFqdn, toAbsolute, toRelative, zoneCandidates } from '../src/internal.js';

describe('normalizeFqdn', () => {
  it('lower-cases and strips one trailing dot', () => {
    expect(normalizeFqdn('WWW.Example.COM.')).toBe('www.example.com');
    expect(normalizeFqdn('  example.com ')).toBe('example.com');
  });

  it('turns IDN labels into punycode A-labels', () => {
    expect(normalizeFqdn('Bücher.example')).toBe('xn--bcher-kva.example');
    expect(normalizeFqdn('münchen.de')).toBe('xn--mnchen-3ya.de');
    expect(normalizeFqdn('_acme-challenge.straße.de')).toBe('_acme-challenge.xn--strae-oqa.de');
  });

  it('keeps underscores (service labels) and already-encoded A-labels', () => {
    expect(normalizeFqdn('_acme-challenge.xn--bcher-kva.example')).toBe('_acme-challenge.xn--bcher-kva.example');
  });

  it('accepts a label of exactly 63 octets and a name of 253', () => {
    const l63 = 'a'.repeat(63);
    expect(normalizeFqdn(`${l63}.example`)).toBe(`${l63}.example`);
    const name253 = [l63, l63, l63, 'a'.repeat(61)].join('.');
    expect(name253.length).toBe(253);
    expect(normalizeFqdn(name253)).toBe(name253);
  });

  it.each([
    ['', 'not a domain name'],
    ['.', 'not a domain name'],
    ['a..example', 'empty label'],
    [`${'a'.repeat(64)}.example`, 'longer than 63'],
    [['a'.repeat(63), 'a'.repeat(63), 'a'.repeat(63), 'a'.repeat(62)].join('.'), 'longer than 253'],
    ['-bad.example', 'invalid label'],
    ['bad-.example', 'invalid label'],
    ['sp ace.example', 'invalid label'],
    ['semi;colon.example', 'invalid label'],
    ['*.example.com', 'invalid label'],
  ])('rejects %j (%s)', (input, reason) => {
    expect(() => normalizeFqdn(input)).toThrow(InvalidInputError);
    expect(() => normalizeFqdn(input)).toThrow(reason);
  });

  it('counts octets of the A-label, not characters of the U-label', () => {
    // 30 × "ü" becomes a punycode label far longer than 63 octets.
    expect(() => normalizeFqdn(`${'ü'.repeat(60)}.example`)).toThrow(InvalidInputError);
  });
});

describe('challenge names', () => {
  it('prefixes _acme-challenge and strips a wildcard', () => {
    expect(challengeName('example.com')).toBe('_acme-challenge.example.com');
    expect(challengeName('*.example.com')).toBe('_acme-challenge.example.com');
    expect(challengeName('*.Sub.Example.com.')).toBe('_acme-challenge.sub.example.com');
    expect(challengeName('bücher.example')).toBe('_acme-challenge.xn--bcher-kva.example');
  });

  it('marks wildcards', () => {
    expect(normalizeDomain('*.example.com')).toEqual({ domain: 'example.com', wildcard: true });
    expect(normalizeDomain('example.com')).toEqual({ domain: 'example.com', wildcard: false });
  });

  it('rejects a wildcard that is not the leftmost whole label', () => {
    expect(() => challengeName('a.*.example.com')).toThrow(InvalidInputError);
    expect(() => challengeName('*example.com')).toThrow(InvalidInputError);
  });
});

describe('relative and absolute names', () => {
  it('makes names relative to a zone, "" for the apex', () => {
    expect(toRelative('_acme-challenge.example.com', 'example.com')).toBe('_acme-challenge');
    expect(toRelative('_acme-challenge.a.b.example.com.', 'Example.com')).toBe('_acme-challenge.a.b');
    expect(toRelative('example.com', 'example.com')).toBe('');
  });

  it('refuses a name outside the zone, including a mere suffix match', () => {
    expect(() => toRelative('_acme-challenge.badexample.com', 'example.com')).toThrow(InvalidInputError);
    expect(() => toRelative('example.org', 'example.com')).toThrow('not inside the zone');
  });

  it('reads relative, "@", empty and absolute names', () => {
    expect(toAbsolute('_acme-challenge', 'example.com')).toBe('_acme-challenge.example.com');
    expect(toAbsolute('@', 'example.com')).toBe('example.com');
    expect(toAbsolute('', 'example.com')).toBe('example.com');
    expect(toAbsolute('_acme-challenge.example.com.', 'example.com')).toBe('_acme-challenge.example.com');
    expect(toAbsolute('_ACME-challenge.Example.com', 'example.com')).toBe('_acme-challenge.example.com');
    expect(toAbsolute('www.other.org.', 'example.com')).toBe('www.other.org');
  });

  it('knows zone membership by whole labels', () => {
    expect(isInZone('a.example.com', 'example.com')).toBe(true);
    expect(isInZone('example.com', 'example.com')).toBe(true);
    expect(isInZone('aexample.com', 'example.com')).toBe(false);
  });

  it('lists zone candidates from the name itself up to the registered domain', () => {
    expect(zoneCandidates('_acme-challenge.a.example.co.uk')).toEqual(['_acme-challenge.a.example.co.uk', 'a.example.co.uk', 'example.co.uk', 'co.uk']);
  });
});

describe('listedName: names as providers list them', () => {
  // A name DNS cannot carry stays as listed (lower case), so it never equals a normalised name.
  it.each([
    ['WWW.Example.com.', 'absolute', 'www.example.com'],
    ['a..b', 'absolute', 'a..b'],
    ['@', 'either', 'example.com'],
    ['_acme-challenge', 'either', '_acme-challenge.example.com'],
    ['_acme-challenge.example.com', 'either', '_acme-challenge.example.com'],
    ['a..b', 'either', 'a..b'],
    ['*', 'either', '*'],
    // relative: only a trailing dot makes a name absolute.
    ['@', 'relative', 'example.com'],
    ['', 'relative', 'example.com'],
    ['_acme-challenge', 'relative', '_acme-challenge.example.com'],
    ['_acme-challenge.example.com.', 'relative', '_acme-challenge.example.com'],
    ['_acme-challenge.example.com', 'relative', '_acme-challenge.example.com.example.com'],
    ['*', 'relative', '*'],
  ] as const)('%j listed %s in example.com is %j', async (listed, convention, expected) => {
    const { listedName } = await import('../src/names.js');
    expect(listedName(listed, 'example.com', convention)).toBe(expected);
  });
});
