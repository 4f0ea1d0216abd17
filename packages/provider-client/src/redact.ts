/**
 * Process-wide registry of secret values. Everything that reaches a human or a
 * log (error messages, log lines, CLI output) passes through `redact()`.
 *
 * A secret can leak in transformed form, so each registered value is stored
 * with the encodings it can take on the wire: URL path/query encoding,
 * form encoding, JSON string escaping, and base64 (HTTP Basic credentials).
 */
const MASK = '***';
const variants = new Set<string>();
let ordered: string[] = [];

function rebuild(): void {
  ordered = [...variants].sort((a, b) => b.length - a.length);
}

function encodingsOf(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret, 'utf8').toString('base64'),
  ];
}

/** Registers a secret; empty strings are ignored. */
export function registerSecret(secret: string | undefined | null): void {
  if (!secret) return;
  for (const v of encodingsOf(secret)) if (v.length > 0) variants.add(v);
  rebuild();
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
  return out;
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
  ordered = [];
}
