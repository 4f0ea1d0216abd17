import { InvalidInputError, normalizeDomain, normalizeFqdn } from '@dns01/provider-client/internal';

/**
 * A client's scope: the names whose `_acme-challenge` records it may touch.
 * `example.com` covers `_acme-challenge.example.com`, the challenge name of
 * the apex and of its wildcard alike; `*.example.com` covers the challenge
 * name of every name below example.com (not example.com itself).
 */
export type Scope = readonly string[];

/** One scope entry, normalised (lower case, A-labels, `*.` kept). */
export function parseScopeName(text: string): string {
  const { domain, wildcard } = normalizeDomain(text);
  if (domain.startsWith('_') || domain.includes('._')) {
    throw new InvalidInputError(`"${text}" is not a host name a certificate can name`, {
      hint: 'Name the domains the client issues for, e.g. example.com,*.example.com',
    });
  }
  return wildcard ? `*.${domain}` : domain;
}

/** Parses a comma-separated list of scope names (`--names`), without duplicates. */
export function parseScope(text: string): string[] {
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new InvalidInputError('--names needs at least one name', { hint: 'e.g. --names example.com,*.example.com' });
  return [...new Set(names.map(parseScopeName))];
}

/** May a client with `scope` touch `_acme-challenge.<domain>`? `domain` as a certificate names it (a leading `*.` stands for the same challenge name). */
export function inScope(scope: Scope, domain: string): boolean {
  let name: string;
  try {
    name = normalizeDomain(domain).domain;
  } catch {
    return false;
  }
  return scope.some((entry) => (entry.startsWith('*.') ? name.endsWith(`.${entry.slice(2)}`) : name === entry));
}

export const CHALLENGE_PREFIX = '_acme-challenge.';

/** The domain whose challenge name `fqdn` is (`_acme-challenge.example.com.` -> example.com); undefined for any other name. */
export function domainOfChallengeName(fqdn: string): string | undefined {
  let name: string;
  try {
    name = normalizeFqdn(fqdn);
  } catch {
    return undefined;
  }
  return name.startsWith(CHALLENGE_PREFIX) ? name.slice(CHALLENGE_PREFIX.length) : undefined;
}
