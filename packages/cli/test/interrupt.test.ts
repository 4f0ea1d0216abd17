// Ctrl-C while records exist (issue 15, item 16): the first signal stops the
// wait and cleans up; a second one exits at once (130) but names every record
// it leaves behind.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { interruptTwice } from './interrupt-twice.js';
import { startNode, startTestWorld, type TestWorld } from '@dns01/testkit';

const BIN = resolve(import.meta.dirname, '../dist/bin/dns01.js');
let world: TestWorld<'netcup'>;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' first`);
  world = await startTestWorld({ provider: 'netcup', nameservers: [{}, { lagMs: Number.POSITIVE_INFINITY }], propagationTimeout: 60 });
});
afterAll(async () => world?.close());

test('two quick interrupts: exit 130 and the record left behind is named', { timeout: 60_000 }, async () => {
  const run = startNode(BIN, ['present', 'example.com', 'interrupted-twice'], {
    env: { PATH: process.env.PATH, HOME: '/nonexistent', ...world.env },
    timeoutMs: 55_000,
  });
  // Once it waits (the record exists), make the cleanup slow and interrupt twice.
  await run.stderrShows('created TXT');
  const status = await interruptTwice(run, world);
  expect(status).toBe(130);
  expect(run.stderr).toMatch(
    /dns01: error: interrupted again.*TXT _acme-challenge\.example\.com "interrupted-twice"; remove it with: dns01 cleanup example\.com interrupted-twice$/m,
  );
});
