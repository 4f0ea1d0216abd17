import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { apiLatencyFromEnv, serveHandlers, type EmulatorServer } from '../src/http-server.js';

const handlers = [http.get('*/ping', () => HttpResponse.json({ pong: true }))];

/** Wall time of one request, in ms, and its reply. */
async function timed(server: EmulatorServer): Promise<{ ms: number; body: unknown }> {
  const started = performance.now();
  const res = await fetch(`${server.url}/ping`);
  const body = await res.json();
  return { ms: performance.now() - started, body };
}

describe('serveHandlers: the API latency knob', () => {
  let server: EmulatorServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('delays every answer by latencyMs, and setLatency changes it for later requests', async () => {
    server = await serveHandlers(handlers, { latencyMs: 120 });
    for (let i = 0; i < 2; i++) {
      const { ms, body } = await timed(server);
      expect(body).toEqual({ pong: true });
      // Timers may fire up to a millisecond early; never a whole delay early.
      expect(ms).toBeGreaterThanOrEqual(119);
    }
    server.setLatency(300);
    expect((await timed(server)).ms).toBeGreaterThanOrEqual(299);
    expect(server.requests).toHaveLength(3);
  });

  it('takes its default from TESTKIT_API_LATENCY_MS, 0 when unset, and refuses a value that is no duration', () => {
    expect(apiLatencyFromEnv({})).toBe(0);
    expect(apiLatencyFromEnv({ TESTKIT_API_LATENCY_MS: '' })).toBe(0);
    expect(apiLatencyFromEnv({ TESTKIT_API_LATENCY_MS: '40' })).toBe(40);
    expect(() => apiLatencyFromEnv({ TESTKIT_API_LATENCY_MS: '40ms' })).toThrow(/TESTKIT_API_LATENCY_MS=40ms/);
    expect(() => apiLatencyFromEnv({ TESTKIT_API_LATENCY_MS: '-1' })).toThrow(/0 or more/);
  });

  it('applies TESTKIT_API_LATENCY_MS to a server started while it is set', async () => {
    const before = process.env.TESTKIT_API_LATENCY_MS;
    process.env.TESTKIT_API_LATENCY_MS = '150';
    try {
      server = await serveHandlers(handlers);
    } finally {
      if (before === undefined) delete process.env.TESTKIT_API_LATENCY_MS;
      else process.env.TESTKIT_API_LATENCY_MS = before;
    }
    expect((await timed(server)).ms).toBeGreaterThanOrEqual(149);
  });
});
