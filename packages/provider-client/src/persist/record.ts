import { InvalidInputError } from '../errors.js';
import { normalizeDomain, normalizeFqdn } from '../names.js';

/**
 * The dns-persist-01 record (draft-ietf-acme-dns-persist): one TXT record at
 * `_validation-persist.<domain>` whose value is an RFC 8659 issue-value: the
 * CA's issuer domain name, then `; key=value` parameters, `accounturi`
 * mandatory (RFC 8657), `policy=wildcard` and `persistUntil` optional.
 */
export const PERSIST_LABEL = '_validation-persist';

export interface PersistSpec {
  /** The CA's issuer domain name, as its challenge object names it (e.g. letsencrypt.org). */
  issuer: string;
  /** The ACME account URI allowed to issue. */
  accountUri: string;
  /** Adds `policy=wildcard`: the record also covers subdomains and `*.<domain>`. */
  wildcard?: boolean;
  /** Adds `persistUntil=<unix seconds>`: CAs ignore the record for new validations after it. */
  persistUntil?: number;
}

export interface PersistRecord {
  issuer: string;
  accountUri?: string;
  wildcard: boolean;
  persistUntil?: number;
  /** Every parameter, keys lower case (RFC 8659 keys are case-insensitive here, as the draft says of policy). */
  params: Record<string, string>;
  /** The TXT value as served. */
  raw: string;
  /**
   * Why the value is an issue-value that cannot be read one way (a key given
   * twice: a CA may take either): such a record is never matched, replaced
   * or deleted, only reported.
   */
  malformed?: string;
}

/** `_validation-persist.<domain>`. A wildcard is refused: its record lives at the base domain with policy=wildcard. */
export function persistName(domain: string): string {
  const { domain: base, wildcard } = normalizeDomain(domain);
  if (wildcard) {
    throw new InvalidInputError(`"${domain}" is a wildcard; the persistent record for it lives at ${PERSIST_LABEL}.${base}`, {
      hint: `Name ${base} and add --wildcard (policy=wildcard covers *.${base} and its subdomains)`,
    });
  }
  return normalizeFqdn(`${PERSIST_LABEL}.${base}`);
}

// RFC 8659 section 4.2: value = *(%x21-3A / %x3C-7E), key = 1*(ALPHA / DIGIT).
const PARAM_VALUE = /^[\x21-\x3a\x3c-\x7e]+$/;
const PARAM_KEY = /^[A-Za-z0-9]+$/;

/** Checks a spec and returns the issuer in canonical form. */
function checkSpec(spec: PersistSpec): string {
  const issuer = normalizeFqdn(spec.issuer);
  if (!PARAM_VALUE.test(spec.accountUri)) {
    throw new InvalidInputError('the account URI is empty or has characters an issue-value cannot carry (spaces, ";")', {
      hint: 'Give the account URI exactly as the CA returned it (e.g. https://acme-v02.api.letsencrypt.org/acme/acct/123)',
    });
  }
  try {
    const url = new URL(spec.accountUri);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
  } catch {
    throw new InvalidInputError(`"${spec.accountUri}" is not an account URI`, { hint: 'It starts with https:// and names your ACME account' });
  }
  if (spec.persistUntil !== undefined && (!Number.isSafeInteger(spec.persistUntil) || spec.persistUntil <= 0)) {
    throw new InvalidInputError('persistUntil must be a positive number of seconds since the epoch');
  }
  return issuer;
}

/** The TXT value for a spec: `issuer; accounturi=...[; policy=wildcard][; persistUntil=N]`. */
export function formatPersistValue(spec: PersistSpec): string {
  const parts = [checkSpec(spec), `accounturi=${spec.accountUri}`];
  if (spec.wildcard) parts.push('policy=wildcard');
  if (spec.persistUntil !== undefined) parts.push(`persistUntil=${spec.persistUntil}`);
  const value = parts.join('; ');
  if (Buffer.byteLength(value) > 255) {
    throw new InvalidInputError(`the record value would be ${Buffer.byteLength(value)} bytes; providers take at most 255`);
  }
  return value;
}

/** Parses a served TXT value; undefined when it is not an issue-value (another kind of TXT record). */
export function parsePersistValue(raw: string): PersistRecord | undefined {
  const [head, ...rest] = raw.split(';');
  const issuerText = (head ?? '').trim();
  let issuer: string;
  try {
    issuer = normalizeFqdn(issuerText);
  } catch {
    return undefined;
  }
  if (issuerText === '' || /\s/.test(issuerText)) return undefined;
  const params: Record<string, string> = {};
  const twice = new Set<string>();
  for (const part of rest) {
    const text = part.trim();
    if (text === '') continue;
    const at = text.indexOf('=');
    if (at <= 0) return undefined;
    const key = text.slice(0, at).trim();
    const value = text.slice(at + 1).trim();
    if (!PARAM_KEY.test(key) || !PARAM_VALUE.test(value)) return undefined;
    if (key.toLowerCase() in params) twice.add(key.toLowerCase());
    else params[key.toLowerCase()] = value;
  }
  if (twice.size > 0) {
    const keys = [...twice].join(', ');
    return { issuer, wildcard: false, params, raw, malformed: `${keys} given more than once (a CA may read either value)` };
  }
  const until = params.persistuntil;
  const persistUntil = until !== undefined && /^\d+$/.test(until) ? Number(until) : undefined;
  return {
    issuer,
    accountUri: params.accounturi,
    wildcard: params.policy?.toLowerCase() === 'wildcard',
    persistUntil,
    params,
    raw,
  };
}

/** Same CA and same account: the record a `set` would replace and a `remove` deletes. Never a malformed one. */
export function sameBinding(record: PersistRecord, spec: Pick<PersistSpec, 'issuer' | 'accountUri'>): boolean {
  return record.malformed === undefined && record.issuer === normalizeFqdn(spec.issuer) && record.accountUri === spec.accountUri;
}

/**
 * `--until`: unix seconds, or a date/time JavaScript parses (2027-06-30,
 * 2027-06-30T12:00:00Z). Must lie in the future.
 */
export function parseUntil(text: string, now = Date.now()): number {
  const trimmed = text.trim();
  const seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : Math.floor(Date.parse(trimmed) / 1000);
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new InvalidInputError(`--until "${text}" is not a date`, { hint: 'Use a date such as 2027-06-30 or seconds since the epoch' });
  }
  if (seconds * 1000 <= now) throw new InvalidInputError(`--until "${text}" lies in the past`);
  return seconds;
}
