import { readFileSync } from 'node:fs';
import type { RecordType } from 'dns-packet';
import { parseServerAddress, type ServerAddress } from '../config.js';
import type { ResolverOptions } from './types.js';
import { DnsQueryError, formatServer, queryServer, type DnsReply } from './transport.js';

export const DEFAULT_QUERY_TIMEOUT_MS = 2000;

/** The `nameserver` lines of /etc/resolv.conf; 127.0.0.1 when there are none. */
export function systemResolvers(path = '/etc/resolv.conf'): ServerAddress[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // no resolv.conf: fall through to the loopback default, as the C library does
  }
  const found = text
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
    .flatMap((address) => (address ? (parseServerAddress(address.replace(/%.*$/, '')) ?? []) : []));
  return found.length > 0 ? found : [{ host: '127.0.0.1', port: 53 }];
}

export function resolversOf(options: ResolverOptions): ServerAddress[] {
  return options.resolvers && options.resolvers.length > 0 ? options.resolvers : systemResolvers();
}

/** No configured resolver gave a usable answer; `message` says what each did. */
export class ResolverFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResolverFailure';
  }
}

/**
 * Asks the recursive resolvers in turn until one answers NOERROR or NXDOMAIN.
 * SERVFAIL, REFUSED and silence move on to the next one.
 */
export async function askResolvers(name: string, type: RecordType, options: ResolverOptions): Promise<DnsReply> {
  const failures: string[] = [];
  for (const resolver of resolversOf(options)) {
    try {
      const reply = await queryServer(resolver, name, type, {
        recursionDesired: true,
        timeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
        attempts: options.attempts,
        signal: options.signal,
      });
      if (reply.rcode === 'NOERROR' || reply.rcode === 'NXDOMAIN') return reply;
      failures.push(`${formatServer(resolver)} answered ${reply.rcode}`);
    } catch (error) {
      if (!(error instanceof DnsQueryError)) throw error;
      failures.push(error.message);
    }
  }
  throw new ResolverFailure(`${type} ${name}: ${failures.join('; ')}`);
}
