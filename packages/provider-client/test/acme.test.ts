import { describe, expect, it } from 'vitest';
import { dnsChallengeValue, InvalidInputError } from '../src/internal.js';

describe('dnsChallengeValue', () => {
  it('is the unpadded base64url SHA-256 of the key authorization (same as openssl dgst | base64url)', () => {
    const keyAuth = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI';
    expect(dnsChallengeValue(keyAuth)).toBe('lCM7cZyQXcVHK2nnW3jjAhNT3Fvm18UN-kWZZknKoYM');
  });

  it('never pads and uses the URL-safe alphabet', () => {
    for (let i = 0; i < 50; i++) {
      const value = dnsChallengeValue(`token${i}.thumbprint`);
      expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it('refuses an empty key authorization', () => {
    expect(() => dnsChallengeValue('  ')).toThrow(InvalidInputError);
  });
});
