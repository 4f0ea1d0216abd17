/** Words as a POSIX shell reads them back: each quoted unless it is plainly safe. */
export function shellWords(words: readonly string[]): string {
  return words.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
