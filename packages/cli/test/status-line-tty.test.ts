// The live status line as a terminal sees it: the built executables run under
// a pseudo-terminal (util-linux `script`), against the emulators.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runProcess, startTestWorld, type TestWorld } from '@dns01/testkit';

const DNS01 = resolve(import.meta.dirname, '../dist/bin/dns01.js');
const LEGO = resolve(import.meta.dirname, '../../lego-exec/dist/bin/dns01-lego.js');
const CLEAR = '\r\x1b[2K';
const DRAW = `${CLEAR}dns01: waiting `;
/** A pattern where `~` stands for the escape sequence that clears the line. */
const screenPattern = (source: string) => new RegExp(source.replaceAll('~', `${CLEAR}`.replace('[', '\\[')));

let world: TestWorld;
beforeAll(async () => {
  for (const bin of [DNS01, LEGO]) if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'pnpm build' first`);
  world = await startTestWorld({ provider: 'xsserver', nameservers: [{}, { lagMs: 1500 }], pollingInterval: 0.2 });
});
afterAll(() => world?.close());

/** Runs a command line under a pseudo-terminal; returns what the terminal received. */
async function inTerminal(command: string, env: Record<string, string> = {}): Promise<string> {
  const r = await runProcess('script', ['-qec', `stty cols 150; ${command}`, '/dev/null'], {
    env: { PATH: process.env.PATH, HOME: '/nonexistent', TERM: 'xterm', ...world.env, ...env },
    timeoutMs: 30_000,
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

test('dns01 present draws the status line in place, logs above it, and clears it at the end', async () => {
  const screen = await inTerminal(`${process.execPath} ${DNS01} present example.com tty-value`);
  expect(screen).toContain(`${DRAW}0s of 15s | looking up the nameservers`);
  expect(screen).toMatch(screenPattern('~dns01: waiting \\ds of 15s, 1/2 nameservers ok \\| ns1 ok \\| ns2 (NXDOMAIN|no TXT yet)'));
  // The log line of the change goes above the status line, which is drawn again after it.
  expect(screen).toMatch(screenPattern('~dns01: waiting 0s: [^\\r]*\\r?\\n~dns01: waiting \\ds of'));
  expect(screen.slice(screen.lastIndexOf(CLEAR))).toContain(`${CLEAR}dns01: every authoritative nameserver serves the record after`);
  await inTerminal(`${process.execPath} ${DNS01} cleanup example.com tty-value`);
});

test('no status line with DNS01_STATUS_LINE=0, with -q, or from a hook', async () => {
  const off = await inTerminal(`${process.execPath} ${DNS01} present example.com tty-off`, { DNS01_STATUS_LINE: '0' });
  expect(off).toContain('every authoritative nameserver serves the record');
  expect(off).not.toContain('\x1b[');
  const quiet = await inTerminal(`${process.execPath} ${DNS01} cleanup -q example.com tty-off`);
  expect(quiet).not.toContain('\x1b[');
  const hook = await inTerminal(`${process.execPath} ${LEGO} present _acme-challenge.example.com. tty-lego`);
  expect(hook).not.toContain('\x1b[');
  await inTerminal(`${process.execPath} ${LEGO} cleanup _acme-challenge.example.com. tty-lego`);
});
