/**
 * Process-wide registry of secret values. Everything that reaches a human or a
 * log (error messages, log lines, CLI output) passes through `redact()`.
 *
 * A secret can leak in transformed form, so each registered value is stored
 * with the encodings it can take on the wire: URL path/query encoding,
 * form encoding, JSON string escaping, and base64 (HTTP Basic credentials).
 */
const MASK = '***';
/** Secrets shorter than this are masked only where they stand alone (not inside a word), and warned about. */
export const SHORT_SECRET = 8;
const variants = new Set<string>();
let ordered: string[] = [];
let shortPattern: RegExp | undefined;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function rebuild(): void {
  ordered = [...variants].filter((v) => v.length >= SHORT_SECRET).sort((a, b) => b.length - a.length);
  const short = [...variants].filter((v) => v.length < SHORT_SECRET).sort((a, b) => b.length - a.length);
  shortPattern = short.length > 0 ? new RegExp(`(?<![A-Za-z0-9])(?:${short.map(escapeRegExp).join('|')})(?![A-Za-z0-9])`, 'g') : undefined;
}

/** PHP's rawurlencode (RFC 3986: also `!*'()`), the form some PHP APIs echo parameters in. */
function rawUrlEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

function encodingsOf(secret: string): string[] {
  const percent = [
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    rawUrlEncode(secret),
    rawUrlEncode(secret).replace(/%20/g, '+').replace(/~/g, '%7E'), // PHP urlencode
  ];
  return [secret, ...percent, ...percent.map(lowerHex), JSON.stringify(secret).slice(1, -1), Buffer.from(secret, 'utf8').toString('base64')];
}

let shortSecretListener: ((warning: string) => void) | undefined;
const pendingWarnings: string[] = [];
const warned = new Set<string>();

/**
 * Where the warning about a short secret goes (the logger of an executable).
 * Warnings raised before a listener was set are delivered to it at once.
 */
export function onShortSecret(listener: ((warning: string) => void) | undefined): void {
  shortSecretListener = listener;
  if (listener) for (const w of pendingWarnings.splice(0)) listener(w);
}

/** Registers a secret; empty strings are ignored. `name` (the variable) is used in the warning about a short one. */
export function registerSecret(secret: string | undefined | null, name?: string): void {
  if (!secret) return;
  for (const v of encodingsOf(secret)) if (v.length > 0) variants.add(v);
  rebuild();
  if (secret.length < SHORT_SECRET && !warned.has(secret)) {
    warned.add(secret);
    const warning = `${name ?? 'a secret'} is shorter than ${SHORT_SECRET} characters: it is masked in output only where it stands alone; use a longer one`;
    if (shortSecretListener) shortSecretListener(warning);
    else pendingWarnings.push(warning);
  }
}

/** Registers HTTP Basic credentials, so the Authorization header value is masked too. */
export function registerBasicAuth(user: string, password: string): void {
  registerSecret(password);
  variants.add(Buffer.from(`${user}:${password}`, 'utf8').toString('base64'));
  rebuild();
}

/** Replaces every known secret (in any of its encodings) with `***`. */
export function redact(text: string): string {
  let out = text;
  for (const v of ordered) {
    if (out.includes(v)) out = out.split(v).join(MASK);
  }
  if (shortPattern) out = out.replace(shortPattern, MASK);
  return out;
}

/**
 * Redacts `text` except inside the `keep` substrings: result fields known not
 * to be secret (record names, values, zones), which hooks parse and which a
 * secret that happens to occur in them must not corrupt.
 */
export function redactExcept(text: string, keep: readonly string[]): string {
  const fields = [...new Set(keep.filter((k) => k !== ''))].sort((a, b) => b.length - a.length);
  if (fields.length === 0) return redact(text);
  const pattern = new RegExp(fields.map(escapeRegExp).join('|'), 'g');
  let out = '';
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    out += redact(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + redact(text.slice(last));
}

/** Deep-redacts a value headed for structured (JSON) logs. */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value instanceof Error) return redact(describeError(value));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)]));
  }
  return value;
}

/** The message of an error and of every error in its cause chain, redacted, one line. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  const seen = new Set<unknown>();
  while (current !== undefined && current !== null && !seen.has(current) && parts.length < 5) {
    seen.add(current);
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      const msg = current.message || current.name;
      parts.push(typeof code === 'string' && !msg.includes(code) ? `${msg} (${code})` : msg);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return redact(parts.join(': ').replace(/\s*\n\s*/g, ' '));
}

/** Test helper: forget every registered secret. */
export function clearSecrets(): void {
  variants.clear();
  warned.clear();
  pendingWarnings.length = 0;
  rebuild();
}
