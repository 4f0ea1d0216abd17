import { normalizeDomain } from '@dns01/provider-client/internal';
import { CHALLENGE_PREFIX } from '../scope.js';
import { ACME_VALUE, isObject, property, type Endpoint, type Parsed } from './types.js';

/**
 * acme-dns's `POST /update` (cert-manager's acmeDNS solver, lego's and
 * Traefik's acme-dns, acme.sh's dns_acmedns, Caddy): headers X-Api-User and
 * X-Api-Key, body `{"subdomain": ..., "txt": ...}` (goacmedns before 0.2:
 * `SubDomain` and `Txt`). The gateway's subdomain of an account is the
 * domain itself (`example.com`), its fulldomain the real challenge name, so
 * no CNAME is needed. Replies as acme-dns does: 200 `{"txt": value}`, 400
 * `{"error": "bad_txt"}` or `"bad_subdomain"`.
 */
export const acmeDnsUpdate: Endpoint = {
  protocol: 'acme-dns',
  action: 'present',
  auth: 'api-key',
  parse(body): Parsed {
    if (!isObject(body)) return { ok: false, status: 400, error: 'malformed_json_payload' };
    const subdomain = property(body, 'subdomain');
    const txt = property(body, 'txt');
    const domain = typeof subdomain === 'string' ? domainOfSubdomain(subdomain) : undefined;
    if (domain === undefined) return { ok: false, status: 400, error: 'bad_subdomain' };
    if (typeof txt !== 'string' || !ACME_VALUE.test(txt)) return { ok: false, status: 400, error: 'bad_txt', name: `${CHALLENGE_PREFIX}${domain}` };
    return { ok: true, domain, name: `${CHALLENGE_PREFIX}${domain}`, value: txt, reply: { txt } };
  },
};

/** The domain an account's subdomain names: the domain itself, or its challenge name as `fulldomain` shows it. */
function domainOfSubdomain(subdomain: string): string | undefined {
  try {
    const { domain } = normalizeDomain(subdomain);
    return domain.startsWith(CHALLENGE_PREFIX) ? normalizeDomain(domain.slice(CHALLENGE_PREFIX.length)).domain : domain;
  } catch {
    return undefined;
  }
}

/** The account entry `client add` prints for one name, as goacmedns's storage and cert-manager's secret hold it. */
export function acmeDnsAccount(options: { id: string; secret: string; name: string; serverUrl?: string }): Record<string, string> {
  const { domain } = normalizeDomain(options.name);
  return {
    username: options.id,
    password: options.secret,
    fulldomain: `${CHALLENGE_PREFIX}${domain}`,
    subdomain: domain,
    // Without a trailing slash: clients append "/update" to it.
    ...(options.serverUrl ? { server_url: options.serverUrl.replace(/\/+$/, '') } : {}),
  };
}
