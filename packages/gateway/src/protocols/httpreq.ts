import { checkTxtValue, dnsChallengeValue, normalizeDomain } from '@dns01/provider-client/internal';
import { CHALLENGE_PREFIX, domainOfChallengeName } from '../scope.js';
import { isObject, type Endpoint, type Parsed } from './types.js';

/** The longest key authorization accepted (a token and a thumbprint are far shorter). */
const MAX_KEY_AUTH = 512;

/**
 * lego's httpreq (lego and Traefik `httpreq`, acme.sh's dns_acmeproxy):
 * `POST /present` and `/cleanup` with HTTP Basic auth and either
 * `{"fqdn": "_acme-challenge.example.com.", "value": ...}` or, in RAW mode,
 * `{"domain", "token", "keyAuth"}` (the value is then the digest of keyAuth).
 * Replies 200 with the request's JSON echoed back: acme.sh's dns_acmeproxy
 * counts a reply as success only if it holds the value.
 */
function parseHttpreq(body: unknown): Parsed {
  if (!isObject(body)) return { ok: false, status: 400, error: 'malformed_json_payload' };
  if ('fqdn' in body || 'value' in body) {
    const { fqdn, value } = body;
    if (typeof fqdn !== 'string') return { ok: false, status: 400, error: 'bad_fqdn' };
    const domain = domainOfChallengeName(fqdn);
    if (domain === undefined) return { ok: false, status: 403, error: 'forbidden_name', name: printable(fqdn) };
    if (typeof value !== 'string' || !isTxtValue(value)) return { ok: false, status: 400, error: 'bad_txt', name: `${CHALLENGE_PREFIX}${domain}` };
    return { ok: true, domain, name: `${CHALLENGE_PREFIX}${domain}`, value, reply: { fqdn, value } };
  }
  const { domain, token, keyAuth } = body;
  if (typeof domain !== 'string') return { ok: false, status: 400, error: 'bad_domain' };
  let base: string;
  try {
    base = normalizeDomain(domain).domain;
  } catch {
    return { ok: false, status: 400, error: 'bad_domain' };
  }
  if ((token !== undefined && typeof token !== 'string') || typeof keyAuth !== 'string' || keyAuth.trim() === '' || keyAuth.length > MAX_KEY_AUTH) {
    return { ok: false, status: 400, error: 'bad_key_auth', name: `${CHALLENGE_PREFIX}${base}` };
  }
  return { ok: true, domain: base, name: `${CHALLENGE_PREFIX}${base}`, value: dnsChallengeValue(keyAuth), reply: { domain, token, keyAuth } };
}

/** A TXT value every provider carries as one string (the core's check: 1-255 printable ASCII, no `"` or `\`). */
function isTxtValue(value: string): boolean {
  try {
    checkTxtValue(value);
    return true;
  } catch {
    return false;
  }
}

/** A name a client sent, safe to put in a log line (control characters escaped, length bounded). */
export function printable(text: string): string {
  const short = text.length > 260 ? `${text.slice(0, 260)}...` : text;
  // eslint-disable-next-line no-control-regex
  return short.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export const httpreqPresent: Endpoint = { protocol: 'httpreq', action: 'present', auth: 'basic', parse: parseHttpreq };
export const httpreqCleanup: Endpoint = { protocol: 'httpreq', action: 'cleanup', auth: 'basic', parse: parseHttpreq };
