/**
 * A TXT value as a provider API shows it: plain, quoted (`"abc"`), or split
 * into several quoted strings (`"abc" "def"`) for long values. Returns the
 * value without quotes (escapes resolved), so it compares equal to what was
 * created; anything else comes back unchanged.
 */
export function unquoteTxt(raw: string): string {
  const text = raw.trim();
  if (!/^"(?:[^"\\]|\\.)*"(?:\s*"(?:[^"\\]|\\.)*")*$/s.test(text)) return raw;
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"/gs)].map((m) => m[1]!.replace(/\\(.)/gs, '$1')).join('');
}

/** A TXT value in presentation format, one string in double quotes (`"` and `\` escaped), as APIs that take zone-file rdata want it. */
export function quoteTxt(value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}
