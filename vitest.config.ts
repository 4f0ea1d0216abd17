import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));
const alias = Object.fromEntries([
  // Subpaths before their packages, which would match them as a prefix.
  ['@dns01/provider-client/internal', fileURLToPath(new URL('./packages/provider-client/src/internal.ts', import.meta.url))],
  ['@dns01/testkit/e2e', fileURLToPath(new URL('./packages/testkit/src/e2e/index.ts', import.meta.url))],
  ['@dns01/testkit/support', fileURLToPath(new URL('./packages/testkit/src/support/index.ts', import.meta.url))],
  ...['provider-client', 'testkit', 'cli', 'certbot-hook', 'lego-exec', 'acme-client-plugin', 'dehydrated-hook', 'uacme-hook', 'gateway'].map((n) => [
    `@dns01/${n}`,
    pkg(n),
  ]),
]);

const E2E_FILES = readdirSync(fileURLToPath(new URL('./test/e2e', import.meta.url))).filter((f) => f.endsWith('.test.ts')).length;

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'test/integration/**/*.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 20_000,
          // Before the e2e project, never beside it: its timing-sensitive tests get the cores to themselves.
          sequence: { groupOrder: 0 },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          // Every file at once (a fresh clone has no timings, so vitest would order them by size and
          // start the two long matrices last): the time goes into the clients' own sleeps and the
          // nameservers' lag, not the CPU. Inside the matrix and failure files the providers run
          // side by side too (docs/e2e.md).
          maxWorkers: E2E_FILES,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
