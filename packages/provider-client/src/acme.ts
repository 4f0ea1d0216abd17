import { createHash } from 'node:crypto';
import { flag, setting } from './config.js';
import { InvalidInputError } from './errors.js';

/**
 * The TXT value of a dns-01 challenge (RFC 8555 section 8.4): the unpadded
 * base64url SHA-256 digest of the key authorization (`<token>.<thumbprint>`).
 */
export function dnsChallengeValue(keyAuthorization: string): string {
  if (keyAuthorization.trim() === '') throw new InvalidInputError('the key authorization is empty');
  return createHash('sha256').update(keyAuthorization, 'utf8').digest('base64url');
}

/**
 * DNS01_WAIT for the hook executables: 0 creates the records and returns at
 * once (the ACME client, or a later `dns01 wait`, does the waiting).
 */
export const hookWaitSetting = setting({
  names: ['DNS01_WAIT'],
  schema: flag,
  default: true,
  description: '0: the lego, dehydrated and uacme hooks create the records and return without waiting for the authoritative nameservers',
  docs: { flag: '--no-wait (dns01 present)' },
});
