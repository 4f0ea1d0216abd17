import { createHash } from 'node:crypto';
import { InvalidInputError } from './errors.js';

/**
 * The TXT value of a dns-01 challenge (RFC 8555 section 8.4): the unpadded
 * base64url SHA-256 digest of the key authorization (`<token>.<thumbprint>`).
 */
export function dnsChallengeValue(keyAuthorization: string): string {
  if (keyAuthorization.trim() === '') throw new InvalidInputError('the key authorization is empty');
  return createHash('sha256').update(keyAuthorization, 'utf8').digest('base64url');
}
