/**
 * Where help texts and hints send the reader: the repository's docs by URL,
 * which exist wherever dns01 was installed from (an npm install has no docs/).
 */
export const DOCS_BASE_URL = 'https://github.com/dns01-suite/dns01/blob/main/docs/';

/** `docsUrl('configuration.md#the-config-file')`: the page (and section) as a URL. */
export function docsUrl(page: string): string {
  return `${DOCS_BASE_URL}${page}`;
}
