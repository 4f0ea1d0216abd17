/**
 * A stateful emulator of the sourceDESK (sourceway) client API, as the
 * vendor's own server (the sourceDESK panel 1.2.2, its API controllers and
 * DNS drivers) behaves: that code was run on this machine against PowerDNS
 * and MariaDB, and the emulator repeats what it did (docs/providers/sourcedesk.md
 * names each behaviour and its source). It serves the DNS actions dns01 uses:
 * list, show, add, delete.
 *
 * - Requests go to `/api/CUSTOMER_ID/API_KEY/GROUP/ACTION` (any HTTP method,
 *   a trailing slash or further segments ignored); parameters come from the
 *   GET query and the POST form (urlencoded or multipart), POST winning, like
 *   PHP's $_REQUEST; a JSON body is not read.
 * - Every reply is HTTP 200 with `Content-type: text/html`, a new PHP session
 *   cookie, and `{"code": "<string>", "message", "data"}` as PHP's
 *   json_encode writes it; `data` is `[]` on every refusal and after add and
 *   delete.
 * - Checks in the vendor's order: credentials (800), the group (801 "Group
 *   not found."), the customer's domain-API permission (801 "Group not
 *   allowed."), the action (802), the domain (803), the zone (804: also a
 *   zone holding no record the API shows, e.g. SOA and NS only), then the action.
 * - Two drivers, as readings: `powerdns` (the default: records keyed by
 *   their row id, TXT quoted, a TTL under 180 stored as 3600) and `dbs` (the
 *   Domain-Bestellsystem driver; gcloud and rockingregistry number alike:
 *   records as a JSON list from position 0, deleted by position, positions
 *   shifting after each delete, position 0 never deletable).
 *
 * Records live in a ZoneStore (values unquoted, names lower case), so the
 * test DNS server serves what the emulator holds.
 */
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { credentialWiring } from './wiring.js';
import { serveHandlers, type EmulatorServer } from '../http-server.js';
import type { RecordType, StoredRecord, ZoneStore } from '../zone-store.js';
import type { ReadingCase } from '../readings.js';

export interface SourcedeskCredentials {
  customerId: string;
  apiKey: string;
}

/** What the vendor's code leaves to the DNS driver a sourceDESK installation runs (sourceway.de's is unknown). */
export interface SourcedeskReadings {
  /**
   * `powerdns` (default; ran): dns/show keys records by their row id in type
   * then name order, ttl and priority as strings, TXT content quoted; dns/add
   * stores a TTL under 180 (or none, or not a number) as 3600.
   * `dbs` (its code ran with a fake backend): dns/show lists records as a JSON
   * list from position 0, ttl and priority numbers, TXT content as stored
   * (unquoted); dns/delete takes a position, so positions shift after each
   * delete, and position 0 is refused like no record; dns/add keeps any TTL.
   */
  driver?: 'powerdns' | 'dbs';
}

export type SourcedeskReadingCase = ReadingCase<SourcedeskReadings>;

/** Every reading dns01 is tested under, each named for test titles. */
export const SOURCEDESK_READINGS: readonly SourcedeskReadingCase[] = [
  { label: 'PowerDNS driver: records keyed by row id', readings: {} },
  { label: 'dbs driver: records as a list from position 0, deleted by position', readings: { driver: 'dbs' } },
];

export interface SourcedeskEmulatorOptions {
  store: ZoneStore;
  /** Domains of the account on the sourceDESK nameservers, zones at sourceDESK (each must exist in the store): dns/list lists them. */
  zones: string[];
  credentials: SourcedeskCredentials;
  /** Active domains of the account not on the sourceDESK nameservers: dns/list leaves them out, show/add/delete answer 804. */
  domainsWithoutZone?: string[];
  /** Whether the customer may use the domain API (the panel's per-customer flag; default true). Without it every dns action answers 801 "Group not allowed.". */
  domainApi?: boolean;
  /** Which driver to play (default: PowerDNS). */
  readings?: SourcedeskReadings;
}

/** A reply given instead of acting, for the next call(s) of an action. */
export type SourcedeskScriptedReply =
  | { action: string; code: number | string; message?: string; data?: unknown; times?: number }
  /** A raw body (an unexpected shape), served with HTTP 200. */
  | { action: string; body: string; times?: number };

export interface SourcedeskKnobs {
  /** Changes the credentials the account accepts (a revoked or rotated key). */
  setCredentials(credentials: SourcedeskCredentials): void;
  /** Grants or withdraws the customer's domain-API permission. */
  setDomainApi(allowed: boolean): void;
  /** Answers the next call(s) of an action with a given code or body, without acting. */
  answerNext(reply: SourcedeskScriptedReply): void;
  /** Performs the next call(s) of an action, then never answers (the outcome is lost). */
  hangAfterActing(action: string, times?: number): void;
  /** Blocks every request with HTTP 403 and an HTML page (an IP ban), until called with false. */
  ban(on?: boolean): void;
  /** How often each dns action was called (after authentication and permission). */
  readonly calls: Readonly<Record<string, number>>;
}

/** The API's groups (controller/api/<group>/); `dns` and `domain` need the customer's permission. */
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  dns: ['list', 'show', 'add', 'delete', 'edit'],
  domain: ['auth2', 'check', 'delete', 'list', 'modify', 'password', 'pricing', 'register', 'trade', 'transfer'],
  hosting: ['cancel', 'info', 'order', 'set', 'task'],
};
const PERMISSION_GROUPS = new Set(['dns', 'domain']);
/** The types the PowerDNS driver lists (in its order: the listing is sorted by it) and the store can hold. */
const POWERDNS_LISTED: readonly RecordType[] = ['MX', 'A', 'AAAA', 'CNAME', 'SRV', 'TXT'];
/** dns/add of the PowerDNS driver also takes SOA and NS (the API calls it as an admin); SOA is left out here, the store cannot hold it. */
const POWERDNS_ADDABLE: readonly RecordType[] = [...POWERDNS_LISTED, 'NS'];
const DBS_TYPES: readonly RecordType[] = ['MX', 'A', 'AAAA', 'CNAME', 'TXT'];
/** PHP's is_numeric on a string. */
const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
/** A string PHP uses as an integer array key. */
const INTEGER_KEY = /^(0|-?[1-9]\d*)$/;

interface Reply {
  code: number | string;
  message: string;
  data?: unknown;
}

const refusal = (code: number, message: string): Reply => ({ code, message });
const MESSAGES = {
  auth: refusal(800, 'Authentication failed.'),
  noGroup: refusal(801, 'Group not found.'),
  notAllowed: refusal(801, 'Group not allowed.'),
  noAction: refusal(802, 'Action not found.'),
  noDomain: refusal(803, 'Domain not found.'),
  noZone: refusal(804, 'Zone not found.'),
  addFailed: refusal(805, 'Error at adding record.'),
  noRecordGiven: refusal(805, 'No valid record specified.'),
  noRecord: refusal(806, 'Record not found.'),
};

/** An object whose keys keep their order (JSON.stringify puts integer keys first, ascending; PHP keeps the order). */
class Ordered {
  constructor(readonly entries: [string, unknown][]) {}
}

/** JSON as PHP's json_encode writes it: keys in their order, `/` escaped, anything beyond ASCII as \u escapes. */
function phpJson(value: unknown): string {
  const encode = (v: unknown): string => {
    if (v instanceof Ordered) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${encode(x)}`).join(',')}}`;
    if (Array.isArray(v)) return `[${v.map(encode).join(',')}]`;
    if (v !== null && typeof v === 'object') return encode(new Ordered(Object.entries(v)));
    return JSON.stringify(v);
  };
  return encode(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** PHP's `trim($s, "\"'")`: every `"` and `'` at either end. */
const trimQuotes = (s: string) => s.replace(/^["']+|["']+$/g, '');
/** PHP's intval on a numeric string (`16.9` -> 16, `1e1` -> 10). */
const intval = (s: string) => (NUMERIC.test(s) ? Math.trunc(Number(s.trim())) : Number.parseInt(s, 10) || 0);

/**
 * The drivers' `trimDomain`: the name without `.<domain>` or `<domain>` at its
 * end, compared as spelled (a domain sent in another case leaves names absolute).
 */
function trimDomain(name: string, domain: string): string {
  if (name.endsWith(`.${domain}`)) return name.slice(0, -(domain.length + 1));
  if (name.endsWith(domain)) return name.slice(0, name.length - domain.length);
  return name;
}

/** GET query and POST form (urlencoded or multipart), POST winning, like PHP's $_REQUEST. */
async function paramsOf(request: Request): Promise<Map<string, string>> {
  const params = new Map(new URL(request.url).searchParams);
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  if (request.method !== 'POST') return params;
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(await request.text())) params.set(k, v);
  } else if (type.startsWith('multipart/form-data')) {
    for (const [k, v] of await request.formData()) if (typeof v === 'string') params.set(k, v);
  }
  return params;
}

function decodeSegment(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** SQL `LIKE '%<filter>%'` under a case-insensitive collation: `%` any run, `_` any one character. */
function likeMatches(filter: string, name: string): boolean {
  const pattern = [...filter].map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(pattern, 'i').test(name);
}

export function createSourcedeskEmulator(options: SourcedeskEmulatorOptions): { handlers: RequestHandler[]; knobs: SourcedeskKnobs } {
  const { store } = options;
  const lower = (s: string) => s.toLowerCase();
  const zones = options.zones.map(lower);
  for (const z of zones) if (!store.hasZone(z)) throw new Error(`sourcedesk emulator: zone ${z} is not in the store`);
  const withoutZone = (options.domainsWithoutZone ?? []).map(lower);
  const driver = options.readings?.driver ?? 'powerdns';
  let credentials = { ...options.credentials };
  let domainApi = options.domainApi ?? true;
  let banned = false;
  let scripted: (SourcedeskScriptedReply & { left: number })[] = [];
  const hangs = new Map<string, number>();
  const calls: Record<string, number> = {};

  /** The account's domain as stored, for the `domain` sent (SQL `=`: case-insensitive); 803 otherwise. */
  function domainOf(params: Map<string, string>): string | Reply {
    const sent = params.get('domain') ?? '';
    const stored = [...zones, ...withoutZone].find((d) => d === lower(sent));
    return sent === '' || stored === undefined ? MESSAGES.noDomain : stored;
  }

  /** The records the driver shows, in its order; a domain without a zone shows none. */
  function visible(domain: string): StoredRecord[] {
    if (!zones.includes(domain)) return [];
    const records = store.records(domain);
    if (driver === 'dbs') return records.filter((r) => DBS_TYPES.includes(r.type));
    const rank = (r: StoredRecord) => POWERDNS_LISTED.indexOf(r.type);
    return records.filter((r) => rank(r) >= 0).sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** 803, 804 (no zone, or no record it shows: PHP reads an empty list as false), or the domain and what it shows. */
  function zoneOf(params: Map<string, string>): { domain: string; sent: string; records: StoredRecord[] } | Reply {
    const domain = domainOf(params);
    if (typeof domain !== 'string') return domain;
    const records = visible(domain);
    return records.length === 0 ? MESSAGES.noZone : { domain, sent: params.get('domain')!, records };
  }

  function show(params: Map<string, string>): Reply {
    const zone = zoneOf(params);
    if (!('domain' in zone)) return zone;
    const entries: [string, unknown][] = [];
    zone.records.forEach((r, position) => {
      const name = trimDomain(r.name, zone.sent);
      // show.php skips this name (the Domain Connect addon's record).
      if (name === '_domainconnect') return;
      if (driver === 'dbs') entries.push([String(position), { name, type: r.type, content: r.data, ttl: r.ttl, priority: r.priority ?? 0 }]);
      else
        entries.push([r.id, { name, type: r.type, content: r.type === 'TXT' ? `"${r.data}"` : r.data, ttl: String(r.ttl), priority: String(r.priority ?? 0) }]);
    });
    const list = driver === 'dbs' && entries.every(([key], i) => key === String(i));
    return { code: 100, message: 'Zone fetched.', data: list ? entries.map(([, v]) => v) : new Ordered(entries) };
  }

  function add(params: Map<string, string>): Reply {
    const zone = zoneOf(params);
    if (!('domain' in zone)) return zone;
    // A missing field is PHP's null: '' here.
    const [name, type, content, ttl, priority] = ['name', 'type', 'content', 'ttl', 'priority'].map((k) => params.get(k) ?? '') as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (driver === 'dbs') {
      if (!DBS_TYPES.includes(type as RecordType)) return MESSAGES.addFailed;
      const relative = trimDomain(name, zone.sent);
      const owner = relative === '' || relative === '@' ? zone.domain : `${lower(relative)}.${zone.domain}`;
      store.add(zone.domain, { name: owner, type: type as RecordType, data: content, ttl: intval(ttl), priority: intval(priority) });
      return { code: 100, message: 'Record added.' };
    }
    let relative = trimDomain(name, zone.sent);
    if (!/^[A-Za-z0-9]*$/.test(relative.replace(/[.\-_@*]/g, ''))) return MESSAGES.addFailed;
    if (relative === '@') relative = '';
    // Type names are compared as spelled: `txt` is no type.
    if (!POWERDNS_ADDABLE.includes(type as RecordType)) return MESSAGES.addFailed;
    if ((type === 'A' && !isIPv4(content)) || (type === 'AAAA' && !isIPv6(content))) return MESSAGES.addFailed;
    // A name with a trailing dot is stored as given plus the zone: `x.example.com..example.com`.
    const owner = relative === '' ? zone.domain : `${lower(relative)}.${zone.domain}`;
    store.add(zone.domain, {
      name: owner,
      type: type as RecordType,
      // The driver stores TXT content between double quotes, after trimming every quote at either end.
      data: type === 'TXT' ? trimQuotes(content) : content,
      ttl: NUMERIC.test(ttl) && Number(ttl) >= 180 ? Math.trunc(Number(ttl)) : 3600,
      priority: NUMERIC.test(priority) && Number(priority) >= 0 ? Math.trunc(Number(priority)) : 0,
    });
    return { code: 100, message: 'Record added.' };
  }

  function remove(params: Map<string, string>): Reply {
    const zone = zoneOf(params);
    if (!('domain' in zone)) return zone;
    const record = params.get('record') ?? '';
    // PHP's empty() holds for "" and "0".
    if (record === '' || record === '0' || !NUMERIC.test(record)) return MESSAGES.noRecordGiven;
    let doomed: StoredRecord | undefined;
    if (driver === 'dbs') {
      // The driver looks the key up in its list (as PHP keys it) and deletes what is there now.
      doomed = INTEGER_KEY.test(record) ? zone.records[Number(record)] : undefined;
    } else {
      // Any row of the zone, types the API never lists (NS) included.
      doomed = store.records(zone.domain).find((r) => r.id === String(intval(record)));
    }
    if (!doomed) return MESSAGES.noRecord;
    store.remove(zone.domain, [doomed.id]);
    return { code: 100, message: 'Record deleted.' };
  }

  function list(params: Map<string, string>): Reply {
    const filter = params.get('domain') ?? '';
    return { code: 100, message: 'Zones fetched.', data: zones.filter((z) => filter === '' || likeMatches(filter, z)) };
  }

  const perform: Record<string, (params: Map<string, string>) => Reply> = { list, show, add, delete: remove };

  const answer = (r: Reply) =>
    new HttpResponse(phpJson({ code: String(r.code), message: r.message, data: r.data ?? [] }), {
      status: 200,
      headers: {
        'x-powered-by': 'PHP/8.2',
        'set-cookie': `PHPSESSID=${randomBytes(16).toString('hex')}; path=/`,
        expires: 'Thu, 19 Nov 1981 08:52:00 GMT',
        'cache-control': 'no-store, no-cache, must-revalidate',
        pragma: 'no-cache',
        'content-type': 'text/html; charset=UTF-8',
      },
    });

  const handler = http.all('*/api/*', async ({ request }) => {
    if (banned) return new HttpResponse('<html><body><h1>403 Forbidden</h1></body></html>', { status: 403, headers: { 'content-type': 'text/html' } });
    const path = new URL(request.url).pathname;
    const segments = path.slice(path.indexOf('/api/') + '/api/'.length).split('/');
    const [customerId, apiKey] = segments.slice(0, 2).map(decodeSegment);
    const [group = '', action = ''] = segments.slice(2, 4);

    if (customerId !== credentials.customerId || apiKey !== credentials.apiKey) return answer(MESSAGES.auth);
    if (!(group in GROUPS)) return answer(MESSAGES.noGroup);
    if (PERMISSION_GROUPS.has(group) && !domainApi) return answer(MESSAGES.notAllowed);
    if (!GROUPS[group]!.includes(action)) return answer(MESSAGES.noAction);
    calls[action] = (calls[action] ?? 0) + 1;
    // Only the dns actions dns01 uses are emulated; dns01 never edits.
    if (group !== 'dns' || !(action in perform)) return answer(MESSAGES.noAction);

    const script = scripted.find((s) => s.action === action && s.left > 0);
    if (script) {
      script.left -= 1;
      scripted = scripted.filter((s) => s.left > 0);
      if ('body' in script) return new HttpResponse(script.body, { status: 200, headers: { 'content-type': 'text/html; charset=UTF-8' } });
      return answer({ code: script.code, message: script.message ?? `Scripted return code ${script.code}`, data: script.data });
    }

    const reply = perform[action]!(await paramsOf(request));
    const hang = hangs.get(action) ?? 0;
    if (hang > 0) {
      hangs.set(action, hang - 1);
      return new Promise<never>(() => {});
    }
    return answer(reply);
  });

  const knobs: SourcedeskKnobs = {
    setCredentials(next) {
      credentials = { ...next };
    },
    setDomainApi(allowed) {
      domainApi = allowed;
    },
    answerNext(reply) {
      scripted.push({ ...reply, left: reply.times ?? 1 });
    },
    hangAfterActing(action, times = 1) {
      hangs.set(action, (hangs.get(action) ?? 0) + times);
    },
    ban(on = true) {
      banned = on;
    },
    calls,
  };
  return { handlers: [handler], knobs };
}

export function createSourcedeskHandlers(options: SourcedeskEmulatorOptions): RequestHandler[] {
  return createSourcedeskEmulator(options).handlers;
}

export interface SourcedeskEmulator extends SourcedeskKnobs {
  /** The API base URL for SOURCEDESK_ENDPOINT (ends in /api). */
  url: string;
  server: EmulatorServer;
  close(): Promise<void>;
}

export async function startSourcedeskEmulator(options: SourcedeskEmulatorOptions & { host?: string; port?: number }): Promise<SourcedeskEmulator> {
  const { handlers, knobs } = createSourcedeskEmulator(options);
  const server = await serveHandlers(handlers, { host: options.host, port: options.port });
  return {
    ...knobs,
    calls: knobs.calls,
    url: `${server.url}/api`,
    server,
    close: () => server.close(),
  };
}

const testCredentials = { customerId: '40123', apiKey: 'sd-test-apikey-Hq55x' };

/** An address of the documentation range, for the record a panel-made zone holds at its apex. */
const PANEL_APEX_ADDRESS = '192.0.2.80';

/**
 * The test world's sourceDESK: credentials, secrets, and the endpoint
 * variable. A zone the world gives no record sourceDESK shows gets an A
 * record at its apex, as a zone the panel set up has (sourceDESK answers 804
 * for a zone holding only SOA and NS), unless it is one of `bareZones`.
 */
export const sourcedeskWiring = credentialWiring({
  testCredentials,
  variables: (c) => ({ SOURCEDESK_CUSTOMER_ID: c.customerId, SOURCEDESK_API_KEY: c.apiKey }),
  secrets: (c) => [c.apiKey],
  async start({ bareZones = [], ...options }: SourcedeskEmulatorOptions & { bareZones?: string[] }) {
    for (const zone of options.zones) {
      const shown = options.store.records(zone).some((r) => r.type !== 'NS' && r.type !== 'SOA');
      if (!shown && !bareZones.includes(zone)) options.store.add(zone, { name: zone, type: 'A', data: PANEL_APEX_ADDRESS });
    }
    const emulator = await startSourcedeskEmulator(options);
    return { emulator, env: { SOURCEDESK_ENDPOINT: emulator.url } };
  },
});
