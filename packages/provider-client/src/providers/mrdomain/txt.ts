/**
 * TXT values as the API shows them: plain, or quoted (`"abc"`), possibly as
 * several quoted strings (`"abc" "def"`) for long values. Returns the value
 * without quotes, so it compares equal to what was created.
 */
export function unquoteTxt(raw: string): string {
  const text = raw.trim();
  if (!/^"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*$/s.test(text)) return raw;
  const chunks = [...text.matchAll(/"((?:[^"\\]|\\.)*)"/gs)].map((m) => m[1]!.replace(/\\(.)/gs, '$1'));
  return chunks.join('');
}
