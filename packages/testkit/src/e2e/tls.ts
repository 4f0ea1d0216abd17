import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { explain, run } from './process.js';

/** A throw-away CA and a server certificate it signed, for Pebble's HTTPS endpoints. */
export interface TestTls {
  /** The CA certificate clients must trust (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, ...). */
  caCertPath: string;
  certPath: string;
  keyPath: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const result = await run('openssl', args, { cwd, timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`openssl failed: ${explain(result)}`);
}

/**
 * Makes, in `dir`, a CA and a server certificate signed by it, for localhost /
 * 127.0.0.1 unless other host names are given (an interception proxy's
 * certificate for a provider's real host name). Python 3.13's strict X.509
 * checks (certbot 5) need the CA's basicConstraints and keyCertSign, and key
 * identifiers on both.
 */
export async function makeTestTls(dir: string, hostNames: readonly string[] = ['localhost']): Promise<TestTls> {
  const newEcKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(
    [
      'req',
      '-x509',
      ...newEcKey,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=dns01 e2e test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      'subjectKeyIdentifier=hash',
    ],
    dir,
  );
  await openssl(['req', ...newEcKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${hostNames[0]}`], dir);
  await writeFile(
    join(dir, 'server.ext'),
    `subjectAltName=${[...hostNames.map((h) => `DNS:${h}`), 'IP:127.0.0.1'].join(',')}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n` +
      'keyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n',
  );
  await openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'],
    dir,
  );
  return { caCertPath: join(dir, 'ca.pem'), certPath: join(dir, 'server.pem'), keyPath: join(dir, 'server.key') };
}
