import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Dns01Error,
  ExitCode,
  InvalidInputError,
  findZoneApex,
  formatProgress,
  resolveCnameTarget,
  systemResolvers,
  waitForPropagation,
} from '@dns01/provider-client/internal';
import { NS1, NS3, txtQueries, useDnsWorld } from '@dns01/testkit/support';

const world = useDnsWorld();
const resolverOptions = () => ({ resolvers: [world.dns.resolverAddress], queryTimeoutMs: 500 });
/** Nothing listens there: queries fail at once (ICMP port unreachable). */
const deadResolver = { host: '127.0.0.253', port: 5353 };

describe('findZoneApex (SOA walk)', () => {
  it('walks up to the apex of the registered domain', async () => {
    expect(await findZoneApex('_acme-challenge.a.b.example.com', resolverOptions())).toBe('example.com');
    expect(await findZoneApex('example.com', resolverOptions())).toBe('example.com');
  });

  it('stops at a child zone delegated below the registered domain', async () => {
    expect(await findZoneApex('_acme-challenge.www.sub.example.com', resolverOptions())).toBe('sub.example.com');
  });

  it('says undefined when DNS does not know the name or no resolver answers', async () => {
    expect(await findZoneApex('host.nowhere.invalid', resolverOptions())).toBeUndefined();
    expect(await findZoneApex('example.com', { resolvers: [deadResolver], queryTimeoutMs: 300 })).toBeUndefined();
  });

  it('tries the next resolver when the first does not answer', async () => {
    expect(await findZoneApex('x.example.com', { resolvers: [deadResolver, world.dns.resolverAddress], queryTimeoutMs: 300 })).toBe('example.com');
  });

  it('does not take a CNAME owner for an apex', async () => {
    world.store.add('example.com', { name: 'alias.example.com', type: 'CNAME', data: 'delegated.test' });
    expect(await findZoneApex('alias.example.com', resolverOptions())).toBe('example.com');
  });
});

describe('resolveCnameTarget', () => {
  it('returns the name itself when there is no CNAME', async () => {
    expect(await resolveCnameTarget('_acme-challenge.example.com', resolverOptions())).toBe('_acme-challenge.example.com');
  });

  it('follows a delegation into another zone, hop by hop', async () => {
    world.store.add('example.com', { name: '_acme-challenge.example.com', type: 'CNAME', data: 'hop.sub.example.com.' });
    world.store.add('sub.example.com', { name: 'hop.sub.example.com', type: 'CNAME', data: '_acme-challenge.delegated.test' });
    const target = await resolveCnameTarget('_acme-challenge.Example.com', resolverOptions());
    expect(target).toBe('_acme-challenge.delegated.test');

    // The wait then asks the target zone's nameservers, not the delegating zone's.
    world.store.add('delegated.test', { name: target, type: 'TXT', data: 'token' });
    const result = await waitForPropagation([{ name: target, values: ['token'] }], world.options());
    expect(Object.keys(result.confirmedAt)).toEqual([NS3]);
    expect(txtQueries(world, NS1, target)).toEqual([]);
  });

  it('refuses a CNAME loop with a clear error', async () => {
    world.store.add('example.com', { name: 'a.example.com', type: 'CNAME', data: 'b.example.com' });
    world.store.add('example.com', { name: 'b.example.com', type: 'CNAME', data: 'a.example.com' });
    await expect(resolveCnameTarget('a.example.com', resolverOptions())).rejects.toThrow(/CNAME loop/);
  });

  it('a CNAME to a name DNS cannot carry is a DNS error (exit 1) naming the record, not bad input (exit 2)', async () => {
    world.store.add('example.com', { name: '_acme-challenge.example.com', type: 'CNAME', data: '-bad-.example.org' });
    const error = await resolveCnameTarget('_acme-challenge.example.com', resolverOptions()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Dns01Error);
    expect(error).not.toBeInstanceOf(InvalidInputError);
    expect((error as Dns01Error).exitCode).toBe(ExitCode.failure);
    expect((error as Dns01Error).message).toContain('_acme-challenge.example.com is a CNAME to "-bad-.example.org"');
    expect((error as Dns01Error).hint).toMatch(/CNAME/);
  });

  it('fails clearly, with a hint, when no resolver answers', async () => {
    const error = await resolveCnameTarget('_acme-challenge.example.com', { resolvers: [deadResolver], queryTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Dns01Error);
    expect((error as Dns01Error).message).toContain('127.0.0.253:5353');
    expect((error as Dns01Error).hint).toMatch(/DNS01_RESOLVERS/);
  });
});

describe('queries', () => {
  let rogue: Socket | undefined;
  afterEach(() => {
    rogue?.close();
    rogue = undefined;
  });

  it('ignore a reply whose question does not match and keep listening', async () => {
    // A resolver that first answers for another name (same id), then correctly.
    rogue = createSocket('udp4');
    rogue.on('message', (msg, from) => {
      const query = dnsPacket.decode(msg);
      const question = query.questions![0]!;
      const reply = (name: string) =>
        dnsPacket.encode({
          type: 'response',
          id: query.id,
          flags: dnsPacket.RECURSION_AVAILABLE,
          questions: [{ ...question, name }],
          answers: [{ name, type: 'SOA', ttl: 60, data: { mname: 'ns.x', rname: 'h.x', serial: 1 } }],
        });
      rogue!.send(reply('evil.example'), from.port, from.address);
      setTimeout(() => rogue!.send(reply(question.name), from.port, from.address), 20);
    });
    await new Promise<void>((resolve) => rogue!.bind(0, '127.0.0.1', resolve));
    const apex = await findZoneApex('good.example', { resolvers: [{ host: '127.0.0.1', port: rogue.address().port }], queryTimeoutMs: 1000 });
    expect(apex).toBe('good.example');
  });
});

describe('systemResolvers', () => {
  it('reads the nameserver lines of resolv.conf, IPv6 included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'resolv-'));
    const file = join(dir, 'resolv.conf');
    writeFileSync(file, '# comment\nsearch example.com\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\noptions ndots:1\n');
    expect(systemResolvers(file)).toEqual([
      { host: '192.0.2.53', port: 53 },
      { host: 'fe80::1', port: 53 },
    ]);
    expect(systemResolvers(join(dir, 'missing'))).toEqual([{ host: '127.0.0.1', port: 53 }]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('formatProgress', () => {
  it('gives one line naming confirmed and lagging nameservers', () => {
    const line = formatProgress({
      elapsedMs: 12_400,
      round: 5,
      confirmed: ['ns1.x'],
      lagging: [
        {
          nameserver: 'ns2.x',
          name: '_acme-challenge.x',
          expected: ['a', 'b'],
          states: [
            { nameserver: 'ns2.x', address: '2001:db8::2', name: '_acme-challenge.x', status: 'timeout', served: [] },
            { nameserver: 'ns2.x', address: '127.0.0.3', name: '_acme-challenge.x', status: 'missing', served: ['a'] },
          ],
        },
      ],
    });
    expect(line).toBe('waiting 12s: ns1.x confirmed; ns2.x (127.0.0.3) serves 1 of 2 values');
  });
});
