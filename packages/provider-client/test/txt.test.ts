import { describe, expect, it } from 'vitest';
import { quoteTxt, unquoteTxt } from '../src/txt.js';

describe('unquoteTxt: TXT values as provider APIs show them', () => {
  it.each([
    ['plain', 'abc', 'abc'],
    ['quoted', '"abc"', 'abc'],
    ['several quoted strings (a long value split)', '"abc" "def"', 'abcdef'],
    ['strings without a space between them', '"abc""def"', 'abcdef'],
    ['escaped quote and backslash inside', '"a\\"b\\\\c"', 'a"b\\c'],
    ['surrounding whitespace', '  "abc"  ', 'abc'],
  ])('%s', (_label, raw, value) => {
    expect(unquoteTxt(raw)).toBe(value);
  });

  it.each([
    ['an unbalanced quote', '"abc'],
    ['text around the quotes', 'x "abc"'],
    ['a quote inside a plain value', 'ab"c'],
  ])('leaves %s unchanged', (_label, raw) => {
    expect(unquoteTxt(raw)).toBe(raw);
  });
});

describe('quoteTxt: a value in presentation format', () => {
  it.each([
    ['plain', 'abc', '"abc"'],
    ['with spaces and semicolons', 'ca.example; accounturi=https://x/1', '"ca.example; accounturi=https://x/1"'],
    ['with a quote and a backslash', 'a"b\\c', '"a\\"b\\\\c"'],
  ])('%s, and back', (_label, value, quoted) => {
    expect(quoteTxt(value)).toBe(quoted);
    expect(unquoteTxt(quoteTxt(value))).toBe(value);
  });
});
