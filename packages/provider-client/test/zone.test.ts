import { describe, expect, it } from 'vitest';
import { KeyedMutex, ZoneNotFoundError, locateZone, memoizeZones, type Zone } from '../src/internal.js';

describe('locateZone', () => {
  it('asks the provider about the SOA apex first: one question in the common case', async () => {
    const asked: string[] = [];
    const zone = await locateZone('_acme-challenge.a.b.example.com', {
      provider: 'p',
      findApex: async () => 'example.com',
      confirm: async (c) => {
        asked.push(c);
        return c === 'example.com' ? { name: c } : undefined;
      },
    });
    expect(zone).toEqual({ name: 'example.com' });
    expect(asked).toEqual(['example.com']);
  });

  it('walks up from the longest name when DNS does not know, and finds a delegated sub-zone first', async () => {
    const asked: string[] = [];
    const held = new Set(['example.com', 'b.example.com']);
    const zone = await locateZone('_acme-challenge.a.b.example.com', {
      provider: 'p',
      findApex: async () => {
        throw new Error('no DNS');
      },
      confirm: async (c) => {
        asked.push(c);
        return held.has(c) ? { name: c } : undefined;
      },
    });
    expect(zone.name).toBe('b.example.com');
    expect(asked).toEqual(['_acme-challenge.a.b.example.com', 'a.b.example.com', 'b.example.com']);
  });

  it('says which name no zone holds, with a hint', async () => {
    const error = await locateZone('_acme-challenge.example.org', {
      provider: 'netcup',
      confirm: async () => undefined,
      hint: 'CloudDNS zones are not reachable',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZoneNotFoundError);
    expect((error as ZoneNotFoundError).oneLine).toBe('netcup: no zone in this account holds _acme-challenge.example.org. CloudDNS zones are not reachable');
  });
});

describe('memoizeZones', () => {
  it('asks once per name, also for concurrent callers, and forgets failures', async () => {
    let calls = 0;
    let fail = true;
    const find = memoizeZones(async (fqdn): Promise<Zone> => {
      calls += 1;
      if (fail) throw new Error('outage');
      return { name: fqdn.split('.').slice(-2).join('.') };
    });
    await expect(find('a.example.com')).rejects.toThrow('outage');
    fail = false;
    const [a, b] = await Promise.all([find('A.example.com.'), find('a.example.com')]);
    expect(a).toEqual({ name: 'example.com' });
    expect(b).toBe(a);
    expect(calls).toBe(2);
  });
});

describe('KeyedMutex', () => {
  it('runs tasks for one key one at a time, in order, and keys independently', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    let active = 0;
    let maxActive = 0;
    const task = (key: string, id: number, fail = false) =>
      mutex.run(key, async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        events.push(`${key}${id}+`);
        await new Promise((r) => setTimeout(r, 5));
        events.push(`${key}${id}-`);
        active -= 1;
        if (fail) throw new Error(`fail ${id}`);
        return id;
      });
    const results = await Promise.allSettled([task('a', 1), task('a', 2, true), task('a', 3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(events).toEqual(['a1+', 'a1-', 'a2+', 'a2-', 'a3+', 'a3-']);
    expect(maxActive).toBe(1);
    events.length = 0;
    await Promise.all([task('x', 1), task('y', 1)]);
    expect(events.slice(0, 2).sort()).toEqual(['x1+', 'y1+']);
  });
});
