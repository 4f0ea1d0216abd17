import type { Answer } from 'dns-packet';
import type { NameserverInfo } from './lookup.js';
import { DnsQueryError, queryServer, type DnsReply } from './transport.js';
import type { AddressState } from './types.js';

export interface CheckOptions {
  nsPort: number;
  queryTimeoutMs: number;
  attempts?: number;
  signal?: AbortSignal;
}

const ownerIs = (a: Answer, name: string) => a.name.toLowerCase().replace(/\.$/, '') === name;

/** A TXT record's strings joined, as the value a zone file writer meant. */
function txtValue(a: Answer): string {
  const data = 'data' in a ? a.data : '';
  const parts = Array.isArray(data) ? data : [data];
  return parts.map((p) => (Buffer.isBuffer(p) ? p.toString('utf8') : String(p))).join('');
}

/** What one authoritative answer means for the expected values. */
export function judgeReply(reply: DnsReply, name: string, expected: ReadonlySet<string>): Pick<AddressState, 'status' | 'served' | 'detail'> {
  switch (reply.rcode) {
    case 'NOERROR':
      break;
    case 'NXDOMAIN':
      return { status: 'nxdomain', served: [] };
    case 'SERVFAIL':
      return { status: 'servfail', served: [] };
    case 'REFUSED':
      return { status: 'refused', served: [] };
    default:
      return { status: 'error', served: [], detail: `answered ${reply.rcode}` };
  }
  const answers = reply.answers ?? [];
  const served = [...new Set(answers.filter((a) => a.type === 'TXT' && ownerIs(a, name)).map(txtValue))];
  const missing = [...expected].filter((v) => !served.includes(v));
  if (missing.length === 0) return { status: 'ok', served };
  const alias = answers.find((a) => a.type === 'CNAME' && ownerIs(a, name));
  if (alias) return { status: 'missing', served, detail: `the name is a CNAME to ${'data' in alias ? String(alias.data) : '?'}` };
  if (!reply.flag_aa && served.length === 0) {
    const referral = (reply.authorities ?? []).find((a) => a.type === 'NS');
    if (referral) return { status: 'error', served, detail: `not authoritative (refers to ${referral.name})` };
  }
  return { status: 'missing', served, detail: served.length === 0 ? 'no TXT record' : undefined };
}

/** Asks one address of one nameserver for the TXT set at `name`, recursion off. */
export async function checkAddress(
  nameserver: string,
  address: string,
  name: string,
  expected: ReadonlySet<string>,
  options: CheckOptions,
): Promise<AddressState> {
  const base = { nameserver, address, name };
  try {
    const reply = await queryServer({ host: address, port: options.nsPort }, name, 'TXT', {
      recursionDesired: false,
      timeoutMs: options.queryTimeoutMs,
      attempts: options.attempts,
      signal: options.signal,
    });
    return { ...base, ...judgeReply(reply, name, expected) };
  } catch (error) {
    if (!(error instanceof DnsQueryError)) throw error;
    return { ...base, status: error.kind === 'timeout' ? 'timeout' : 'error', served: [], detail: error.message };
  }
}

/**
 * Asks every address of a nameserver at once; confirmed the moment one
 * address serves every value, so an unreachable sibling does not hold it up.
 */
export function checkNameserver(
  ns: NameserverInfo,
  name: string,
  expected: ReadonlySet<string>,
  options: CheckOptions,
): Promise<{ confirmed: boolean; states: AddressState[] }> {
  if (ns.addresses.length === 0) {
    const state: AddressState = { nameserver: ns.name, address: '-', name, status: 'error', served: [], detail: ns.problem ?? 'no address' };
    return Promise.resolve({ confirmed: false, states: [state] });
  }
  const siblings = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, siblings.signal]) : siblings.signal;
  return new Promise((resolve, reject) => {
    const states: (AddressState | undefined)[] = ns.addresses.map(() => undefined);
    let left = ns.addresses.length;
    let settled = false;
    const settle = (confirmed: boolean) => {
      if (settled) return;
      settled = true;
      siblings.abort();
      resolve({ confirmed, states: states.filter((s): s is AddressState => s !== undefined) });
    };
    ns.addresses.forEach((address, i) => {
      checkAddress(ns.name, address, name, expected, { ...options, signal }).then(
        (state) => {
          states[i] = state;
          left -= 1;
          if (state.status === 'ok') settle(true);
          else if (left === 0) settle(false);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          siblings.abort();
          reject(options.signal?.aborted ? options.signal.reason : error);
        },
      );
    });
  });
}
