// The packaged systemd unit: its own user, a state directory, the hardening
// the docs promise; `systemd-analyze verify` where the host has it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const UNIT = resolve(import.meta.dirname, '../systemd/dns01-gateway.service');

function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

it('runs dns01 serve as its own user with a private state directory and the promised hardening', () => {
  const d = directives(readFileSync(UNIT, 'utf8'));
  const one = (key: string) => d.get(key)?.at(-1);
  expect(one('ExecStart')).toMatch(/dns01 serve$/);
  expect(one('User')).toBe('dns01-gateway');
  expect(one('StateDirectory')).toBe('dns01-gateway');
  expect(one('StateDirectoryMode')).toBe('0700');
  expect(one('UMask')).toBe('0077');
  for (const [key, value] of [
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
    ['CapabilityBoundingSet', ''],
    ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
  ])
    expect([key, one(key!)]).toEqual([key, value]);
  expect(one('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
  expect(one('KillSignal')).toBe('SIGTERM');
  // Longer than the gateway's own shutdown bound (60 s), so it is never killed while it finishes requests.
  expect(Number(one('TimeoutStopSec'))).toBeGreaterThan(60);
});

it('systemd-analyze verify accepts it (where the host has systemd-analyze)', () => {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.error) return;
  const verify = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
  expect(verify.stderr.split('\n').filter((l) => l.includes('dns01-gateway.service') && !/User .* not found|Failed to resolve user/.test(l))).toEqual([]);
});
