import { expect } from 'vitest';
import { certificateNames, chainsToRoot } from '@dns01/testkit/e2e';

/** Every certificate of an issuance names exactly `domains` and chains to Pebble's root of this run. */
export function expectCertificatesFor(certificates: string[], domains: readonly string[], rootPem: string): void {
  expect(certificates.length).toBeGreaterThan(0);
  for (const cert of certificates) {
    expect(certificateNames(cert)).toEqual([...domains].sort());
    expect(chainsToRoot(cert, rootPem)).toBe(true);
  }
}
