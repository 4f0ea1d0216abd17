import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/**
 * The ACME account URI from an ACME client's own account files:
 * - acme.sh: `ca.conf` in its CA directory (`~/.acme.sh/ca/<host>/<path>/ca.conf`), line `ACCOUNT_URL='...'`;
 * - lego: `accounts/<server>/<email>/account.json`, field `registration.uri`.
 * Neither file holds the account key (acme.sh keeps it in account.key, lego in keys/).
 */
export function accountUriFromFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the account file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: "Name acme.sh's ca.conf or lego's account.json, or give --account-uri",
    });
  }
  const acmesh = /^ACCOUNT_URL=(['"]?)(\S+?)\1\s*$/m.exec(text);
  if (acmesh) return acmesh[2]!;
  try {
    const uri = (JSON.parse(text) as { registration?: { uri?: unknown } }).registration?.uri;
    if (typeof uri === 'string' && uri !== '') return uri;
  } catch {
    // not JSON: fall through to the error
  }
  throw new ConfigError(`${path} holds no account URI (neither an acme.sh ACCOUNT_URL line nor a lego registration.uri)`, {
    hint: "Name acme.sh's ca.conf (~/.acme.sh/ca/<server>/ca.conf) or lego's accounts/<server>/<email>/account.json, or give --account-uri",
  });
}
