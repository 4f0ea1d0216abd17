// Input is checked centrally, for every challenge, before the first API call
// (issue 15, items 6 and 10): one bad name or value costs no provider call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from '@dns01/testkit';
import {
  checkTxtValue,
  closeHttp,
  openSession,
  ExitCode,
  InvalidInputError,
  createRecords,
  present,
  cleanup,
  type FlowContext,
  type ProviderName,
} from '../src/internal.js';

const BAD_VALUES: Record<string, string> = {
  empty: '',
  'only spaces': '   ',
  'a double quote': 'ab"cd',
  'a backslash': 'ab\\cd',
  'a newline': 'ab\ncd',
  'a control character': 'ab\u0001cd',
  'a non-ASCII character': 'abcdé',
  '256 characters': 'a'.repeat(256),
};

describe('checkTxtValue', () => {
  it('accepts 1 to 255 printable ASCII characters, spaces included', () => {
    for (const ok of ['x', 'a'.repeat(255), 'XKrxpRBosdIKFzxW_CT3KLZNf6q0HG9i01zxXp5CPBs', 'v=spf1 -all', '~!@#$%^&*()']) {
      expect(() => checkTxtValue(ok)).not.toThrow();
    }
  });
  for (const [what, value] of Object.entries(BAD_VALUES)) {
    it(`refuses ${what} (exit 2)`, () => {
      let caught: unknown;
      try {
        checkTxtValue(value);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidInputError);
      expect((caught as InvalidInputError).exitCode).toBe(ExitCode.usage);
    });
  }
});

describe.each(['netcup', 'xsserver', 'mrdomain', 'sourcedesk'] as ProviderName[])('%s: bad input costs no API call', (provider) => {
  let world: TestWorld;
  let ctx: FlowContext;
  beforeAll(async () => {
    world = await startTestWorld({ provider });
    ctx = openSession(world.env).flow();
  });
  afterAll(async () => {
    await ctx?.provider.close();
    await world?.close();
    await closeHttp();
  });

  it('one bad name among good ones: InvalidInputError before the first call', async () => {
    const before = world.emulator.server.requests.length;
    const challenges = [
      { domain: 'example.com', value: 'good-1' },
      { domain: 'www.example.com', value: 'good-2' },
      { domain: 'bad_-.-example.com', value: 'good-3' },
    ];
    await expect(present(ctx, challenges)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(cleanup(ctx, challenges)).rejects.toBeInstanceOf(InvalidInputError);
    expect(world.emulator.server.requests.length).toBe(before);
    expect(world.txt('_acme-challenge.example.com')).toEqual([]);
  });

  it('one bad value among good ones: InvalidInputError before the first call', async () => {
    for (const value of Object.values(BAD_VALUES)) {
      const before = world.emulator.server.requests.length;
      await expect(
        createRecords(ctx, [
          { domain: 'example.com', value: 'good' },
          { domain: 'www.example.com', value },
        ]),
      ).rejects.toBeInstanceOf(InvalidInputError);
      expect(world.emulator.server.requests.length).toBe(before);
    }
  });
});
