// Result lines and short secrets (issue 15, item 8): a one-letter password
// must not corrupt the lines hooks parse, and a short secret is warned about once.
import { afterEach, expect, test } from 'vitest';
import { clearSecrets, registerSecret } from '@dns01/provider-client/internal';
import { runMain } from '../src/index.js';

afterEach(() => clearSecrets());

async function run(main: Parameters<typeof runMain>[1]): Promise<{ out: string; err: string[] }> {
  let out = '';
  const err: string[] = [];
  await runMain('dns01-test', main, { exit: false, env: { HOME: '/nonexistent' }, writeOut: (t) => (out += t), writeErr: (l) => err.push(l) });
  return { out, err };
}

test('a one-letter secret leaves result lines intact and is still masked where it stands alone', async () => {
  const { out, err } = await run(async (ctx) => {
    registerSecret('e', 'NETCUP_API_PASSWORD');
    ctx.out('created TXT _acme-challenge.example.com in zone example.com', ['_acme-challenge.example.com', 'example.com']);
    ctx.out('_acme-challenge.e.example.com TXT "e" zone example.com', ['_acme-challenge.e.example.com', 'e', 'example.com']);
    ctx.logger.info('the password is e');
  });
  expect(out).toBe('created TXT _acme-challenge.example.com in zone example.com\n_acme-challenge.e.example.com TXT "e" zone example.com\n');
  expect(err.filter((l) => l.includes('shorter than 8 characters'))).toHaveLength(1);
  expect(err.join('\n')).toContain('NETCUP_API_PASSWORD is shorter than 8 characters');
  expect(err.join('\n')).toContain('the password is ***');
});

test('a secret of 8 characters or more is masked everywhere, without a warning', async () => {
  const { out, err } = await run(async (ctx) => {
    registerSecret('examplepw', 'NETCUP_API_PASSWORD');
    ctx.out('key examplepw');
  });
  expect(out).toBe('key ***\n');
  expect(err.join('\n')).not.toContain('shorter than');
});
