import type { Answer, Packet, Question } from 'dns-packet';
import type { StoredRecord, ZoneStore } from '../zone-store.js';

export const Rcode = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4, refused: 5 } as const;

/** The parts of a reply the server fills in; the header flags are added by the caller. */
export interface Reply {
  rcode: number;
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
}

/** Host name -> addresses for nameserver names, which may lie outside every zone. */
export type HostAddresses = ReadonlyMap<string, readonly string[]>;

const MAX_CNAME_CHAIN = 8;
const NEGATIVE_TTL = 60;

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function isAtOrBelow(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** One version of one zone, as a nameserver (or the resolver) serves it. */
interface ZoneView {
  zone: string;
  serial: number;
  records: StoredRecord[];
}

function soaRecord(store: ZoneStore, view: ZoneView): Answer {
  const primary = store.nameservers(view.zone)[0]?.name ?? `ns.${view.zone}`;
  return {
    name: view.zone,
    type: 'SOA',
    ttl: NEGATIVE_TTL,
    data: {
      mname: normalizeName(primary),
      rname: `hostmaster.${view.zone}`,
      serial: view.serial,
      refresh: 3600,
      retry: 600,
      expire: 86_400,
      minimum: NEGATIVE_TTL,
    },
  };
}

/** The root zone's SOA, as a real resolver puts it in the authority of a name under no delegated zone (a TLD that does not exist). */
const ROOT_SOA: Answer = {
  name: '.',
  type: 'SOA',
  ttl: NEGATIVE_TTL,
  data: { mname: 'a.root-servers.net', rname: 'nstld.verisign-grs.com', serial: 2024010100, refresh: 1800, retry: 900, expire: 604_800, minimum: 86_400 },
};

/** TXT strings are at most 255 bytes each; longer values are split as zone files do. */
function txtChunks(value: string): Buffer[] {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length === 0) return [bytes];
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) chunks.push(bytes.subarray(i, i + 255));
  return chunks;
}

function toAnswer(owner: string, r: StoredRecord): Answer | undefined {
  switch (r.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'NS':
      return { name: owner, type: r.type, ttl: r.ttl, data: r.data };
    case 'TXT':
      return { name: owner, type: 'TXT', ttl: r.ttl, data: txtChunks(r.data) };
    case 'MX':
      return { name: owner, type: 'MX', ttl: r.ttl, data: { preference: r.priority ?? 10, exchange: r.data } };
    case 'CAA': {
      // Zone-file form: <flags> <tag> "<value>"
      const m = /^(\d+)\s+([A-Za-z0-9]+)\s+"(.*)"$/.exec(r.data);
      if (!m) return undefined;
      const flags = Number(m[1]);
      return {
        name: owner,
        type: 'CAA',
        ttl: r.ttl,
        data: { flags, tag: m[2] as 'issue' | 'issuewild' | 'iodef', value: m[3]!, issuerCritical: (flags & 0x80) !== 0 },
      };
    }
    default:
      return undefined;
  }
}

function hostAddressRecords(hosts: HostAddresses, name: string, type: 'A' | 'AAAA'): Answer[] {
  const wantV6 = type === 'AAAA';
  return (hosts.get(name) ?? []).filter((a) => a.includes(':') === wantV6).map((data) => ({ name, type, ttl: 300, data }));
}

type Lookup = { kind: 'answer'; answers: Answer[] } | { kind: 'cname'; answers: Answer[]; target: string } | { kind: 'nodata' } | { kind: 'nxdomain' };

/** Looks one name up inside one zone version, following CNAMEs that stay inside it. */
function lookupInZone(store: ZoneStore, view: ZoneView, hosts: HostAddresses, qname: string, qtype: string): Lookup {
  const answers: Answer[] = [];
  let name = qname;
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    const atName = view.records.filter((r) => r.name === name);
    if (qtype === 'SOA' && name === view.zone) return { kind: 'answer', answers: [...answers, soaRecord(store, view)] };
    const cname = atName.find((r) => r.type === 'CNAME');
    if (cname && qtype !== 'CNAME') {
      answers.push(toAnswer(name, cname)!);
      const target = normalizeName(cname.data);
      if (deepestZone(store, target) !== view.zone) return { kind: 'cname', answers, target };
      name = target;
      continue;
    }
    let matching = atName.filter((r) => r.type === qtype).flatMap((r) => toAnswer(name, r) ?? []);
    if (matching.length === 0 && (qtype === 'A' || qtype === 'AAAA')) matching = hostAddressRecords(hosts, name, qtype);
    if (matching.length > 0) return { kind: 'answer', answers: [...answers, ...matching] };
    if (answers.length > 0) return { kind: 'answer', answers };
    const exists = name === view.zone || hosts.has(name) || view.records.some((r) => r.name === name || r.name.endsWith(`.${name}`));
    return exists ? { kind: 'nodata' } : { kind: 'nxdomain' };
  }
  return { kind: 'answer', answers };
}

/** The deepest zone in the store at or above `name` for which `accept` holds. */
function deepestZone(store: ZoneStore, name: string, accept: (zone: string) => boolean = () => true): string | undefined {
  let best: string | undefined;
  for (const zone of store.zoneNames()) {
    if (isAtOrBelow(name, zone) && accept(zone) && (!best || zone.length > best.length)) best = zone;
  }
  return best;
}

function servedBy(store: ZoneStore, zone: string, nameserver: string): boolean {
  return store.nameservers(zone).some((ns) => normalizeName(ns.name) === nameserver);
}

/** Owner names echo the question as sent (resolvers may randomise its case). */
function echoOwner(answers: Answer[], asked: string, normalized: string): Answer[] {
  return answers.map((a) => (a.name === normalized ? { ...a, name: asked } : a));
}

/**
 * What the authoritative nameserver `nameserver` answers, serving each zone as
 * it was at time `at`: AA set, no recursion, referrals for child zones it does
 * not serve, REFUSED for names outside its zones.
 */
export function authoritativeReply(store: ZoneStore, hosts: HostAddresses, nameserver: string, question: Question, at: number): Reply {
  const qname = normalizeName(question.name);
  const zone = deepestZone(store, qname, (z) => servedBy(store, z, nameserver));
  if (!zone) return { rcode: Rcode.refused, authoritative: false, answers: [], authorities: [] };

  const child = deepestZone(store, qname, (z) => z !== zone && isAtOrBelow(z, zone) && !servedBy(store, z, nameserver));
  if (child) {
    const authorities: Answer[] = store.nameservers(child).map((ns) => ({ name: child, type: 'NS', ttl: 300, data: normalizeName(ns.name) }));
    return { rcode: Rcode.noError, authoritative: false, answers: [], authorities };
  }

  const version = store.recordsAt(zone, at);
  const view: ZoneView = { zone, serial: version.serial, records: version.records };
  const result = lookupInZone(store, view, hosts, qname, question.type);
  switch (result.kind) {
    case 'answer':
    case 'cname':
      return { rcode: Rcode.noError, authoritative: true, answers: echoOwner(result.answers, question.name, qname), authorities: [] };
    case 'nodata':
      return { rcode: Rcode.noError, authoritative: true, answers: [], authorities: [soaRecord(store, view)] };
    case 'nxdomain':
      return { rcode: Rcode.nxDomain, authoritative: true, answers: [], authorities: [soaRecord(store, view)] };
  }
}

/**
 * What a recursive resolver answers from the store's current versions:
 * CNAME chains followed across zones, nameserver host names resolved even
 * outside every zone, and for names no zone holds what a real resolver says
 * of a name under a TLD that does not exist: NXDOMAIN with the root's SOA.
 */
export function recursiveReply(store: ZoneStore, hosts: HostAddresses, question: Question): Reply {
  const asked = normalizeName(question.name);
  const answers: Answer[] = [];
  let qname = asked;
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    const zone = deepestZone(store, qname);
    if (!zone) {
      if (hosts.has(qname)) {
        const own = question.type === 'A' || question.type === 'AAAA' ? hostAddressRecords(hosts, qname, question.type) : [];
        return { rcode: Rcode.noError, authoritative: false, answers: echoOwner([...answers, ...own], question.name, asked), authorities: [] };
      }
      return { rcode: Rcode.nxDomain, authoritative: false, answers: echoOwner(answers, question.name, asked), authorities: [ROOT_SOA] };
    }
    const view: ZoneView = { zone, serial: store.serial(zone), records: store.records(zone) };
    const result = lookupInZone(store, view, hosts, qname, question.type);
    if (result.kind === 'cname') {
      answers.push(...result.answers);
      qname = result.target;
      continue;
    }
    const done = (rcode: number, more: Answer[], authorities: Answer[]): Reply => ({
      rcode,
      authoritative: false,
      answers: echoOwner([...answers, ...more], question.name, asked),
      authorities,
    });
    if (result.kind === 'answer') return done(Rcode.noError, result.answers, []);
    return done(result.kind === 'nxdomain' ? Rcode.nxDomain : Rcode.noError, [], [soaRecord(store, view)]);
  }
  return { rcode: Rcode.servFail, authoritative: false, answers: [], authorities: [] };
}

/** Encodes a reply to `query` with the header flags a server sets. */
export function replyPacket(query: Packet, reply: Reply, options: { recursionAvailable: boolean; truncated?: boolean; id?: number }): Packet {
  const rd = (query.flags ?? 0) & 0x0100;
  let flags = rd | reply.rcode;
  if (reply.authoritative) flags |= 0x0400;
  if (options.recursionAvailable) flags |= 0x0080;
  if (options.truncated) flags |= 0x0200;
  const queryOpt = query.additionals?.find((a) => a.type === 'OPT');
  return {
    type: 'response',
    id: options.id ?? query.id ?? 0,
    flags,
    questions: query.questions ?? [],
    answers: options.truncated ? [] : reply.answers,
    authorities: options.truncated ? [] : reply.authorities,
    additionals: queryOpt ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  };
}

/** The UDP payload size the asker accepts (EDNS), else the classic 512 bytes. */
export function udpLimit(query: Packet): number {
  const opt = query.additionals?.find((a) => a.type === 'OPT');
  return opt && 'udpPayloadSize' in opt ? Math.max(512, opt.udpPayloadSize) : 512;
}
