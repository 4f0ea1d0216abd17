import type { Answer } from 'dns-packet';
import { normalizeFqdn, zoneCandidates } from '../names.js';
import { askResolvers } from '../propagation/resolvers.js';
import type { ResolverOptions } from '../propagation/types.js';
import { parsePersistValue } from './record.js';

export interface CaaProperty {
  flags: number;
  tag: string;
  value: string;
}

export interface CaaVerdict {
  /** Where the relevant RRset was found (RFC 8659 section 3); undefined when no name up the tree has CAA. */
  at?: string;
  properties: CaaProperty[];
  permitted: boolean;
  /** Why not, when not permitted. */
  reason?: string;
}

const KNOWN_TAGS = new Set(['issue', 'issuewild', 'iodef', 'issuemail', 'issuevmc']);

function caaOf(answers: Answer[]): CaaProperty[] {
  return answers.flatMap((a) => {
    if (a.type !== 'CAA') return [];
    const data = a.data as { flags?: number; tag?: string; value?: string | Buffer };
    return [{ flags: data.flags ?? 0, tag: String(data.tag ?? '').toLowerCase(), value: String(data.value ?? '') }];
  });
}

/** The relevant CAA RRset of `domain`: its own, else the closest ancestor's (RFC 8659 section 3). */
export async function relevantCaa(domain: string, options: ResolverOptions): Promise<{ at?: string; properties: CaaProperty[] }> {
  for (const name of zoneCandidates(normalizeFqdn(domain))) {
    const reply = await askResolvers(name, 'CAA', options);
    const properties = caaOf(reply.answers ?? []);
    if (properties.length > 0) return { at: name, properties };
  }
  return { properties: [] };
}

/**
 * Whether the CAA set lets `issuer` issue for the domain by dns-persist-01
 * for `accountUri` (RFC 8657: accounturi and validationmethods parameters).
 */
export function judgeCaa(found: { at?: string; properties: CaaProperty[] }, want: { issuer: string; accountUri?: string; wildcard: boolean }): CaaVerdict {
  const base = { at: found.at, properties: found.properties };
  const critical = found.properties.find((p) => (p.flags & 0x80) !== 0 && !KNOWN_TAGS.has(p.tag));
  if (critical) return { ...base, permitted: false, reason: `CAA at ${found.at} has a critical property "${critical.tag}" no CA may ignore` };
  const wild = found.properties.filter((p) => p.tag === 'issuewild');
  const relevant = want.wildcard && wild.length > 0 ? wild : found.properties.filter((p) => p.tag === 'issue');
  if (relevant.length === 0) return { ...base, permitted: true };
  const issuer = normalizeFqdn(want.issuer);
  const reasons: string[] = [];
  for (const property of relevant) {
    const parsed = parsePersistValue(property.value);
    if (!parsed || parsed.issuer !== issuer) continue;
    if (parsed.malformed) {
      reasons.push(`it is malformed: ${parsed.malformed}`);
      continue;
    }
    const account = parsed.params.accounturi;
    if (account !== undefined && want.accountUri !== undefined && account !== want.accountUri) {
      reasons.push(`its accounturi is ${account}`);
      continue;
    }
    const methods = parsed.params.validationmethods;
    if (
      methods !== undefined &&
      !methods
        .split(',')
        .map((m) => m.trim().toLowerCase())
        .includes('dns-persist-01')
    ) {
      reasons.push(`its validationmethods are ${methods}`);
      continue;
    }
    return { ...base, permitted: true };
  }
  const tag = relevant[0]!.tag;
  const why = reasons.length > 0 ? `; the ${issuer} entry does not fit: ${reasons.join(', ')}` : `; it names ${relevant.map((p) => `"${p.value}"`).join(', ')}`;
  return { ...base, permitted: false, reason: `CAA ${tag} at ${found.at} does not allow ${issuer} by dns-persist-01${why}` };
}
