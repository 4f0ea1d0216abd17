import type { Answer } from 'dns-packet';
import { Dns01Error } from '../errors.js';
import { isInZone, normalizeFqdn } from '../names.js';
import { askResolvers, ResolverFailure } from './resolvers.js';
import type { ResolverOptions } from './types.js';

const MAX_CNAME_HOPS = 8;

const owner = (a: Answer) => a.name.toLowerCase().replace(/\.$/, '');
const stringData = (a: Answer): string =>
  String('data' in a ? a.data : '')
    .toLowerCase()
    .replace(/\.$/, '');

/**
 * The zone apex holding `fqdn` by SOA queries walking up the labels. A
 * negative answer's SOA (in authority) names the apex at once; a name that is
 * a CNAME is not an apex. Throws ResolverFailure when no resolver answers.
 */
export async function walkToApex(fqdn: string, options: ResolverOptions): Promise<string | undefined> {
  const labels = normalizeFqdn(fqdn).split('.');
  for (let i = 0; i < labels.length; i++) {
    const name = labels.slice(i).join('.');
    const reply = await askResolvers(name, 'SOA', options);
    const soaHere = (reply.answers ?? []).find((a) => a.type === 'SOA' && owner(a) === name);
    if (soaHere) return name;
    const isAlias = (reply.answers ?? []).some((a) => a.type === 'CNAME' && owner(a) === name);
    const enclosing = (reply.authorities ?? []).find((a) => a.type === 'SOA' && isInZone(name, owner(a)));
    if (enclosing && !isAlias) return owner(enclosing);
  }
  return undefined;
}

/** The zone apex holding `fqdn`, by SOA queries walking up the labels; undefined when DNS does not say. */
export async function findZoneApex(fqdn: string, options: ResolverOptions = {}): Promise<string | undefined> {
  try {
    return await walkToApex(fqdn, options);
  } catch (error) {
    if (error instanceof ResolverFailure) return undefined;
    throw error;
  }
}

/** A CNAME's target, normalised; one DNS cannot carry is a fault of the DNS data, not of the caller's input. */
function cnameTarget(owner: string, data: string): string {
  try {
    return normalizeFqdn(data);
  } catch (error) {
    throw new Dns01Error(`${owner} is a CNAME to "${data}", which is not a valid DNS name: ${(error as Error).message}`, {
      hint: 'Fix the CNAME record of the challenge name: it must point at a valid DNS name',
    });
  }
}

/**
 * Follows CNAMEs at `name` (delegated challenge names) to the final owner
 * name, hop by hop through the recursive resolvers.
 */
export async function resolveCnameTarget(name: string, options: ResolverOptions = {}): Promise<string> {
  const start = normalizeFqdn(name);
  const seen = new Set<string>([start]);
  let current = start;
  for (let hop = 0; hop < MAX_CNAME_HOPS; hop++) {
    let reply;
    try {
      reply = await askResolvers(current, 'CNAME', options);
    } catch (error) {
      if (!(error instanceof ResolverFailure)) throw error;
      throw new Dns01Error(`could not check for a CNAME at ${current}: ${error.message}`, {
        hint: 'Set DNS01_RESOLVERS to a working recursive resolver, or DNS01_CNAME=0 (--no-cname) when the name is not delegated',
      });
    }
    const cname = (reply.answers ?? []).find((a) => a.type === 'CNAME' && owner(a) === current);
    if (!cname) return current;
    const target = cnameTarget(current, stringData(cname));
    if (seen.has(target))
      throw new Dns01Error(`CNAME loop at ${start} (${[...seen, target].join(' -> ')})`, { hint: 'Fix the CNAME records of the challenge name' });
    seen.add(target);
    current = target;
  }
  throw new Dns01Error(`more than ${MAX_CNAME_HOPS} CNAMEs from ${start}`, { hint: 'Point the challenge name at its target with a single CNAME' });
}

export interface NameserverInfo {
  /** Host name, lower case. */
  name: string;
  addresses: string[];
  /** Why there are no addresses, when there are none. */
  problem?: string;
}

/** The NS set of a zone and every address (A and AAAA) of each nameserver. */
export async function nameserverSet(zone: string, options: ResolverOptions): Promise<NameserverInfo[]> {
  const reply = await askResolvers(zone, 'NS', options);
  const names = [...new Set((reply.answers ?? []).filter((a) => a.type === 'NS' && owner(a) === zone).map(stringData))].sort();
  return Promise.all(names.map((name) => nameserverAddresses(name, options)));
}

export async function nameserverAddresses(name: string, options: ResolverOptions): Promise<NameserverInfo> {
  const [v4, v6] = await Promise.allSettled([askResolvers(name, 'A', options), askResolvers(name, 'AAAA', options)]);
  const addresses: string[] = [];
  const problems: string[] = [];
  for (const [result, type] of [
    [v4, 'A'],
    [v6, 'AAAA'],
  ] as const) {
    if (result.status === 'rejected') {
      if (!(result.reason instanceof ResolverFailure)) throw result.reason;
      problems.push(result.reason.message);
      continue;
    }
    for (const a of result.value.answers ?? []) if (a.type === type && owner(a) === name && 'data' in a) addresses.push(String(a.data));
  }
  if (addresses.length > 0) return { name, addresses };
  return { name, addresses, problem: problems.length > 0 ? problems.join('; ') : 'no A or AAAA record' };
}
