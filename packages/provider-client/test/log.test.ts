import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, createLogger, loggerFromEnv, registerSecret } from '../src/internal.js';

afterEach(() => clearSecrets());

const capture = () => {
  const lines: string[] = [];
  return { lines, write: (l: string) => lines.push(l) };
};

describe('logger', () => {
  it('shows errors only when quiet, progress at info, API detail at debug', () => {
    for (const [level, expected] of [
      ['quiet', ['e']],
      ['info', ['e', 'w', 'i']],
      ['debug', ['e', 'w', 'i', 'd']],
    ] as const) {
      const c = capture();
      const log = createLogger({ level, write: c.write });
      log.error('e');
      log.warn('w');
      log.info('i');
      log.debug('d');
      expect(c.lines.map((l) => l.split(' ').pop())).toEqual(expected);
    }
  });

  it('writes human lines with scope, severity and fields', () => {
    const c = capture();
    createLogger({ write: c.write }).child('netcup').warn('slow answer', { ms: 812, zone: 'example.com' });
    expect(c.lines).toEqual(['dns01 netcup: warn: slow answer (ms=812 zone=example.com)']);
  });

  it('writes one JSON object per line on request', () => {
    const c = capture();
    const now = () => new Date('2026-01-02T03:04:05.000Z');
    createLogger({ format: 'json', write: c.write, now, scope: 'xsserver' }).info('created', { name: '_acme-challenge.example.com' });
    expect(JSON.parse(c.lines[0]!)).toEqual({
      time: '2026-01-02T03:04:05.000Z',
      level: 'info',
      scope: 'xsserver',
      msg: 'created',
      name: '_acme-challenge.example.com',
    });
  });

  it('never writes a secret, in text or JSON, in messages or fields, at debug level', () => {
    registerSecret('hunter2-secret');
    for (const format of ['text', 'json'] as const) {
      const c = capture();
      const log = createLogger({ level: 'debug', format, write: c.write });
      log.debug('login with hunter2-secret', { body: 'apipasswd=hunter2-secret', nested: { key: 'hunter2-secret' } });
      log.error(`url /api/1/${encodeURIComponent('hunter2-secret')}/dns`);
      expect(c.lines.join('\n')).not.toContain('hunter2');
      expect(c.lines.join('\n')).toContain('***');
    }
  });

  it('reads its level and format from the environment and names a bad value', () => {
    expect(loggerFromEnv({ DNS01_LOG_LEVEL: 'debug' }).level).toBe('debug');
    expect(loggerFromEnv({}).level).toBe('info');
    expect(() => loggerFromEnv({ DNS01_LOG_LEVEL: 'verbose' })).toThrow('DNS01_LOG_LEVEL is malformed: must be one of quiet, info, debug');
    expect(() => loggerFromEnv({ DNS01_LOG_FORMAT: 'xml' })).toThrow('DNS01_LOG_FORMAT is malformed');
  });
});
