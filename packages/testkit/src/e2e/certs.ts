import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Splits a PEM bundle into its certificates, leaf first. */
export function parsePemChain(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** The DNS names of a certificate's subjectAltName, sorted. */
export function dnsNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4))
    .sort();
}

/** The leaf's DNS names, from a PEM string or file holding the leaf first (cert.pem, fullchain.pem). */
export function certificateNames(pemOrPath: string): string[] {
  const pem = pemOrPath.includes('-----BEGIN') ? pemOrPath : readFileSync(pemOrPath, 'utf8');
  const [leaf] = parsePemChain(pem);
  if (!leaf) throw new Error(`no certificate in ${pemOrPath.includes('-----BEGIN') ? 'the PEM given' : pemOrPath}`);
  return dnsNames(leaf);
}

/**
 * True when each certificate of the chain is signed by the next one and the
 * last one by `rootPem` (Pebble's issuing root of this run).
 */
export function chainsToRoot(chainPem: string, rootPem: string): boolean {
  const chain = [...parsePemChain(chainPem), new X509Certificate(rootPem)];
  if (chain.length < 2) return false;
  return chain.slice(0, -1).every((cert, i) => cert.verify(chain[i + 1]!.publicKey));
}
