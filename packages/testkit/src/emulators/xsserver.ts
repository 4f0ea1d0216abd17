/**
 * Emulator of the XSServer GmbH client area REST API (https://cp.xsserver.gmbh/userapi,
 * "Authentication", "Domains", "DNS Records"), backed by a ZoneStore.
 *
 * - HTTP Basic auth on every request; `{"error": ["..."]}` with an HTTP
 *   error status on every failure.
 * - `GET /domain`, `GET /domain/@id`, `GET /domain/name/@name` (several
 *   entries may share a name: `expiredDomains` adds Expired ones).
 * - `GET/POST /domain/@id/dns`, `PUT/DELETE /domain/@id/dns/@index`. By
 *   default a record's id is its position in the zone's record array (1 for
 *   the first), so deleting a record shifts the ids of every record after
 *   it, like the real index.
 *
 * `readings` plays the other readings the document leaves open (see
 * XsserverReadings and XSSERVER_READINGS).
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { defineWiring } from './wiring.js';
import { serveHandlers, type EmulatorServer } from '../http-server.js';
import type { RecordType, StoredRecord, ZoneStore } from '../zone-store.js';
import type { ReadingCase } from '../readings.js';

export interface XsserverCredentials {
  username: string;
  password: string;
}

export type XsserverNameStyle = 'relative' | 'absolute' | 'mixed';

/**
 * The readings of seed 001 that the document leaves open; the defaults are
 * the first of each. dns01 must work under every combination, or refuse
 * before it writes.
 */
export interface XsserverReadings {
  /**
   * What the listed `id` is and what DELETE/PUT `@index` addresses:
   * - `one-based`: both are the record's position, 1 for the first (the document's example);
   * - `zero-based`: both are the position, 0 for the first;
   * - `database`: the list shows stable database ids, DELETE/PUT take the 1-based position.
   */
  ids?: 'one-based' | 'zero-based' | 'database';
  /** How a refusal arrives: `{"error": [...]}` with an HTTP error status, or the same body with HTTP 200. */
  errors?: 'http-status' | 'http-200';
  /** What a successful create or delete answers: `{"info": [...]}` (the document) or an empty object. */
  writeReply?: 'info' | 'empty';
}

export interface XsserverReadingCase extends ReadingCase<XsserverReadings> {
  /** Whether dns01 can delete under it (database ids: it refuses, and says so). */
  deletes: boolean;
}

/** Every reading dns01 is tested under, each named for test titles. */
export const XSSERVER_READINGS: readonly XsserverReadingCase[] = [
  { label: 'ids are 1-based positions', readings: { ids: 'one-based' }, deletes: true },
  { label: 'ids are 0-based positions', readings: { ids: 'zero-based' }, deletes: true },
  { label: 'ids are database ids, DELETE takes the position', readings: { ids: 'database' }, deletes: false },
  { label: 'errors come with HTTP 200', readings: { errors: 'http-200' }, deletes: true },
  { label: 'writes answer an empty object', readings: { writeReply: 'empty' }, deletes: true },
  {
    label: '0-based ids, errors with HTTP 200, empty write replies',
    readings: { ids: 'zero-based', errors: 'http-200', writeReply: 'empty' },
    deletes: true,
  },
];

export interface XsserverEmulatorOptions {
  store: ZoneStore;
  /** Domains the account holds, each Active; every one must be a zone in the store. */
  zones: string[];
  credentials: XsserverCredentials;
  /** Names that also (or only) have an Expired entry, listed before the Active one. */
  expiredDomains?: string[];
  /** How record names come back: relative (`test`, `@`), absolute (`test.example.com.`) or alternating. */
  nameStyle?: XsserverNameStyle;
  /** TXT contents come back wrapped in double quotes. */
  quoteTxt?: boolean;
  /** Which reading of the document to play (default: the first of each). */
  readings?: XsserverReadings;
}

export interface XsserverDomain {
  id: string;
  name: string;
  status: 'Active' | 'Expired';
}

export type XsserverRequestKind = 'list' | 'create' | 'update' | 'delete';

/** Knobs for faults the generic `server.inject` cannot express. */
export interface XsserverControls {
  readonly domains: readonly XsserverDomain[];
  /** The id of the Active entry of a domain. */
  domainId(name: string): string;
  /** Changes the accepted credentials (the password was changed in the client area). */
  setCredentials(credentials: XsserverCredentials): void;
  /** The next `times` requests get 429 with `Retry-After` (seconds, default 1). */
  rateLimit(times: number, retryAfter?: number): void;
  /** Every request gets 403 until unblocked (account or IP blocked). */
  block(message?: string): void;
  unblock(): void;
  /**
   * Runs `change` (another client's edit, made on the store) right before the
   * next request of this kind is handled: after our list, before our delete.
   */
  beforeNext(kind: XsserverRequestKind, change: () => void): void;
  /** The next create answers success but stores nothing. */
  dropNextCreate(): void;
  setNameStyle(style: XsserverNameStyle): void;
}

export interface XsserverEmulator extends XsserverControls {
  /** Origin of the server, e.g. http://127.0.0.1:40123. */
  url: string;
  /** The API base the client uses: `${url}/api`. */
  endpoint: string;
  server: EmulatorServer;
  close(): Promise<void>;
}

const RECORD_TYPES: readonly RecordType[] = ['A', 'AAAA', 'TXT', 'CNAME', 'MX', 'CAA', 'SRV', 'NS'];
const CREATE_FIELDS = ['name', 'type', 'priority', 'content'] as const;
const LABELS = /^(\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;


function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** The emulator's msw handlers and their knobs, for serving next to extra handlers. */
export function createXsserverApi(options: XsserverEmulatorOptions): { handlers: RequestHandler[]; controls: XsserverControls } {
  const { store } = options;
  const ids = options.readings?.ids ?? 'one-based';
  const errorStatus = options.readings?.errors ?? 'http-status';
  const failure = (status: number, ...messages: string[]) =>
    HttpResponse.json({ error: messages }, { status: errorStatus === 'http-200' ? 200 : status });
  const updated = () =>
    HttpResponse.json(options.readings?.writeReply === 'empty' ? {} : { info: ['DNS Management updated successfully'] });
  let credentials = { ...options.credentials };
  let nameStyle: XsserverNameStyle = options.nameStyle ?? 'relative';
  let rateLimited = { times: 0, retryAfter: 1 };
  let blocked: string | undefined;
  let dropCreate = false;
  const pending: { kind: XsserverRequestKind; change: () => void }[] = [];

  const domains: XsserverDomain[] = [];
  let nextId = 47;
  for (const name of options.expiredDomains ?? []) domains.push({ id: String(nextId++), name: normalize(name), status: 'Expired' });
  for (const name of options.zones) {
    const zone = normalize(name);
    if (!store.hasZone(zone)) throw new Error(`xsserver emulator: zone ${zone} is not in the store`);
    domains.push({ id: String(nextId++), name: zone, status: 'Active' });
  }

  const details = (d: XsserverDomain) => ({
    id: d.id,
    name: d.name,
    date_created: '2016-12-30',
    firstpayment: '10.00',
    recurring_amount: '15.00',
    period: '1',
    expires: d.status === 'Active' ? '2099-12-30' : '2017-05-30',
    status: d.status,
    next_due: '2099-12-30',
    next_invoice: '2099-11-30',
    idprotection: '0',
    nameservers: store.hasZone(d.name) ? store.nameservers(d.name).map((ns) => ns.name) : [],
    autorenew: '1',
  });

  function authorize(request: Request): Response | undefined {
    if (blocked !== undefined) return failure(403, blocked);
    if (rateLimited.times > 0) {
      rateLimited.times -= 1;
      return HttpResponse.json(
        { error: ['Too many requests'] },
        { status: 429, headers: { 'retry-after': String(rateLimited.retryAfter) } },
      );
    }
    const header = request.headers.get('authorization') ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    if (!match) return failure(401, 'Authorization required');
    const expected = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64');
    if (match[1] !== expected) return failure(401, 'Invalid username or password');
    if (new URL(request.url).search !== '') return failure(400, 'Unexpected query parameters');
    return undefined;
  }

  function runPending(kind: XsserverRequestKind): void {
    const i = pending.findIndex((p) => p.kind === kind);
    if (i >= 0) pending.splice(i, 1)[0]!.change();
  }

  /** The Active domain with this id, or an error reply. */
  function activeDomain(id: string): XsserverDomain | Response {
    const domain = /^\d+$/.test(id) ? domains.find((d) => d.id === id) : undefined;
    if (!domain) return failure(404, 'Domain not found');
    if (domain.status !== 'Active') return failure(403, 'Domain is not active');
    return domain;
  }

  function wireName(name: string, zone: string, position: number): string {
    const absolute = nameStyle === 'absolute' || (nameStyle === 'mixed' && position % 2 === 1);
    if (absolute) return `${name}.`;
    return name === zone ? '@' : name.slice(0, -(zone.length + 1));
  }

  function wireRecord(r: StoredRecord, zone: string, position: number) {
    const quoted = options.quoteTxt && r.type === 'TXT';
    const id = ids === 'zero-based' ? position : ids === 'database' ? 9000 + Number(r.id) : position + 1;
    return {
      id,
      name: wireName(r.name, zone, position),
      ttl: r.ttl,
      priority: r.priority ?? 0,
      type: r.type,
      content: quoted ? `"${r.data}"` : r.data,
    };
  }

  /** The record at an index: its position, 1 for the first as in the document's example (0 under `zero-based`). */
  function recordAt(zone: string, index: string): StoredRecord | undefined {
    if (!/^\d+$/.test(index)) return undefined;
    return store.records(zone)[Number(index) - (ids === 'zero-based' ? 0 : 1)];
  }

  /** Validates a create/update body exactly as documented; a record or an error reply. */
  async function recordFromBody(request: Request, zone: string): Promise<Omit<StoredRecord, 'id' | 'ttl'> | Response> {
    if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
      return failure(400, 'Content-Type must be application/json');
    }
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return failure(400, 'Invalid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return failure(400, 'Invalid JSON');
    const fields = body as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((k) => !(CREATE_FIELDS as readonly string[]).includes(k));
    if (unknown.length > 0) return failure(400, `Unknown field: ${unknown.join(', ')}`);
    for (const f of CREATE_FIELDS) if (fields[f] === undefined) return failure(400, `Missing field: ${f}`);
    const { name, type, priority, content } = fields;
    if (typeof name !== 'string' || typeof type !== 'string' || typeof content !== 'string') {
      return failure(400, 'name, type and content must be strings');
    }
    if (!(typeof priority === 'string' && /^\d*$/.test(priority)) && !(typeof priority === 'number' && Number.isInteger(priority))) {
      return failure(400, 'Invalid priority');
    }
    const recordType = type.toUpperCase() as RecordType;
    if (!RECORD_TYPES.includes(recordType)) return failure(400, `Invalid record type: ${type}`);
    if (content === '' || (recordType === 'TXT' && content.length > 255)) return failure(400, 'Invalid content');
    let absolute: string;
    const trimmed = name.trim();
    if (trimmed === '' || trimmed === '@') absolute = zone;
    else if (trimmed.endsWith('.')) absolute = normalize(trimmed);
    else absolute = `${normalize(trimmed)}.${zone}`;
    if (!LABELS.test(absolute) || !(absolute === zone || absolute.endsWith(`.${zone}`))) {
      return failure(400, `Invalid record name: ${name}`);
    }
    return { name: absolute, type: recordType, data: content, priority: Number(priority) || undefined };
  }

  const handlers: RequestHandler[] = [
    http.get('*/api/domain', ({ request }) => {
      return authorize(request) ?? HttpResponse.json({ domains: domains.map(details) });
    }),

    http.get('*/api/domain/name/:name', ({ request, params }) => {
      const denied = authorize(request);
      if (denied) return denied;
      const name = normalize(String(params.name));
      const found = domains.filter((d) => d.name === name);
      if (found.length === 0) return failure(404, 'Domain not found');
      return HttpResponse.json({ details: found.map(details) });
    }),

    http.get('*/api/domain/:id', ({ request, params }) => {
      const denied = authorize(request);
      if (denied) return denied;
      const domain = domains.find((d) => d.id === String(params.id));
      return domain ? HttpResponse.json({ details: details(domain) }) : failure(404, 'Domain not found');
    }),

    http.get('*/api/domain/:id/dns', ({ request, params }) => {
      const denied = authorize(request);
      if (denied) return denied;
      const domain = activeDomain(String(params.id));
      if (domain instanceof Response) return domain;
      runPending('list');
      return HttpResponse.json({ records: store.records(domain.name).map((r, i) => wireRecord(r, domain.name, i)) });
    }),

    http.post('*/api/domain/:id/dns', async ({ request, params }) => {
      const denied = authorize(request);
      if (denied) return denied;
      const domain = activeDomain(String(params.id));
      if (domain instanceof Response) return domain;
      const record = await recordFromBody(request, domain.name);
      if (record instanceof Response) return record;
      runPending('create');
      if (dropCreate) dropCreate = false;
      else store.add(domain.name, record);
      return updated();
    }),

    http.put('*/api/domain/:id/dns/:index', async ({ request, params }) => {
      const denied = authorize(request);
      if (denied) return denied;
      const domain = activeDomain(String(params.id));
      if (domain instanceof Response) return domain;
      const record = await recordFromBody(request, domain.name);
      if (record instanceof Response) return record;
      runPending('update');
      const existing = recordAt(domain.name, String(params.index));
      if (!existing) return failure(404, 'Record not found');
      // An edit keeps the record's place: replace it in one zone version, then nothing else moves.
      const all = store.records(domain.name);
      const position = all.findIndex((r) => r.id === existing.id);
      const after = all.slice(position + 1);
      store.change(domain.name, {
        removeIds: [existing.id, ...after.map((r) => r.id)],
        add: [record, ...after.map(({ name, type, data, priority, ttl }) => ({ name, type, data, priority, ttl }))],
      });
      return updated();
    }),

    http.delete('*/api/domain/:id/dns/:index', ({ request, params }) => {
      const denied = authorize(request);
      if (denied) return denied;
      const domain = activeDomain(String(params.id));
      if (domain instanceof Response) return domain;
      runPending('delete');
      const existing = recordAt(domain.name, String(params.index));
      if (!existing) return failure(404, 'Record not found');
      store.remove(domain.name, [existing.id]);
      return updated();
    }),

    // Any other method or path under the API: the document's "invalid method" error.
    http.all('*/api/*', ({ request }) => authorize(request) ?? failure(400, 'invalid method')),
  ];

  const controls: XsserverControls = {
    domains,
    domainId(name) {
      const d = domains.find((x) => x.name === normalize(name) && x.status === 'Active');
      if (!d) throw new Error(`xsserver emulator: no active domain ${name}`);
      return d.id;
    },
    setCredentials(next) {
      credentials = { ...next };
    },
    rateLimit(times, retryAfter = 1) {
      rateLimited = { times, retryAfter };
    },
    block(message = 'Access denied: too many requests, try again later') {
      blocked = message;
    },
    unblock() {
      blocked = undefined;
    },
    beforeNext(kind, change) {
      pending.push({ kind, change });
    },
    dropNextCreate() {
      dropCreate = true;
    },
    setNameStyle(style) {
      nameStyle = style;
    },
  };
  return { handlers, controls };
}

export function createXsserverHandlers(options: XsserverEmulatorOptions): RequestHandler[] {
  return createXsserverApi(options).handlers;
}

/** Serves the XSServer emulator on loopback; the client's endpoint is `${url}/api`. */
export async function startXsserverEmulator(options: XsserverEmulatorOptions): Promise<XsserverEmulator> {
  const { handlers, controls } = createXsserverApi(options);
  const server = await serveHandlers(handlers);
  return {
    ...controls,
    url: server.url,
    endpoint: `${server.url}/api`,
    server,
    close: () => server.close(),
  };
}

const testCredentials = { username: 'xs-test-user', password: 'xs-test-password-Lk29' };

/** The test world's XSServer: credentials, secrets, and the endpoint variable. */
export const xsserverWiring = defineWiring({
  credentials: { XSSERVER_USERNAME: testCredentials.username, XSSERVER_PASSWORD: testCredentials.password },
  secrets: [testCredentials.password],
  async start(store, zones, options: Omit<XsserverEmulatorOptions, 'store' | 'zones' | 'credentials'>) {
    const emulator = await startXsserverEmulator({ ...options, store, zones, credentials: testCredentials });
    return { emulator, env: { XSSERVER_ENDPOINT: emulator.endpoint } };
  },
});
