/**
 * Emulator of the XSServer GmbH client area REST API (https://cp.xsserver.gmbh/userapi,
 * "Authentication", "Domains", "DNS Records"): HostBill's client API, backed by a ZoneStore.
 *
 * Its defaults follow HostBill's recorded replies (dns.services, 2023, for
 * the service DNS API; docs/providers/xsserver.md names the evidence):
 * - HTTP Basic auth on every request; every refusal HTTP 200 with
 *   `{"success": false, "error": ["..."]}` (transport faults aside);
 * - `GET /domain`, `GET /domain/@id`, `GET /domain/name/@name` (several
 *   entries may share a name: `expiredDomains` adds Expired ones);
 * - `GET /domain/@id/dns`: `records` as an object keyed by slots, with gaps
 *   (slots of entries the API does not list), an SOA first whose content is
 *   an array, ids/ttl/priority as strings beside `prio`, `domain_id`,
 *   `change_date`, names absolute without a dot (the apex is the zone name),
 *   TXT content quoted; ids are database ids;
 * - `POST /domain/@id/dns` (JSON or form; unknown fields such as `ttl`
 *   accepted) answers `{"success": true, "record": {...}, "info": [["dnsnewrecordadded", "TXT"]]}`;
 *   a new record takes the slot above the highest one;
 * - `DELETE /domain/@id/dns/<k>` takes the listed id and answers
 *   `{"success": true}`; the other slots keep their keys.
 *
 * `readings` plays every other combination of list shape, ids and DELETE
 * meaning, and the other reply styles (XsserverReadings, XSSERVER_READINGS).
 * A DELETE that hits the SOA or an unlisted entry is carried out and
 * remembered (`losses()`): dns01 must never cause one.
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { credentialWiring } from './wiring.js';
import { serveHandlers, type EmulatorServer } from '../http-server.js';
import type { RecordType, StoredRecord, ZoneStore } from '../zone-store.js';
import type { ReadingCase } from '../readings.js';

export interface XsserverCredentials {
  username: string;
  password: string;
}

/** How record names are listed: absolute without a dot (recorded), with a dot, relative (`@` the apex), or those three in turn. */
export type XsserverNameStyle = 'absolute' | 'dotted' | 'relative' | 'mixed';

/**
 * What the document leaves open; the defaults are HostBill's recorded
 * behaviour (first of each). dns01 must work under every combination, or
 * refuse before it writes.
 */
export interface XsserverReadings {
  /** `records` as an object keyed by slots (recorded, PHP's encoding of an array with holes), or a JSON array (the document). */
  listShape?: 'keyed' | 'array';
  /** A record's listed `id`: a database id (recorded), its slot (`zero-based`), or its slot + 1 (`one-based`, the document's example). */
  ids?: 'database' | 'zero-based' | 'one-based';
  /** What `DELETE /domain/@id/dns/<k>` takes: the listed id (recorded for the service API), the slot counted from 0, or from 1. */
  deletes?: 'id' | 'slot0' | 'slot1';
  /** A keyed list after a delete: the other keys stay (a gap remains), or the keys above it move down by one. An array always closes up. */
  keysAfterDelete?: 'keep' | 'shift';
  /** Refusals: HTTP 200 with `{"success": false, "error": [...]}` (recorded), or an HTTP error status with `{"error": [...]}` (the document). */
  errors?: 'http-200' | 'http-status';
  /** Refusals of creates and deletes say only `{"success": false}` (HTTP 200, no `error`). */
  bareFailures?: boolean;
  /** Replies to creates and deletes: recorded (`success`, the `record`, nested `info`), the document's `{"info": [...]}`, or `{}`. */
  writeReply?: 'recorded' | 'document' | 'empty';
  /** A DELETE whose number addresses nothing: refused, or answered as a success. */
  missingDelete?: 'refused' | 'success';
}

/** One reading dns01 is tested under; `options` are the emulator's other options it needs. */
export interface XsserverReadingCase extends ReadingCase<XsserverReadings> {
  options?: XsserverListOptions;
}

/** Every combination of list shape x listed ids x DELETE meaning, named for test titles. */
export const XSSERVER_DELETE_GRID: readonly XsserverReadingCase[] = (['keyed', 'array'] as const).flatMap((listShape) =>
  (['database', 'zero-based', 'one-based'] as const).flatMap((ids) =>
    (['id', 'slot0', 'slot1'] as const).map((deletes) => ({
      label: `${listShape === 'keyed' ? 'keyed list with gaps' : 'array'}, ${ids === 'database' ? 'database ids' : ids === 'zero-based' ? 'ids are positions from 0' : 'ids are positions from 1'}, DELETE takes ${deletes === 'id' ? 'the listed id' : deletes === 'slot0' ? 'the position from 0' : 'the position from 1'}`,
      readings: { listShape, ids, deletes },
    })),
  ),
);

/** The reading the document's example shows: an array, ids from 1, relative names, plain TXT, numbers, `{"info": [...]}`, error statuses. */
export const XSSERVER_DOCUMENT_READING: XsserverReadingCase = {
  label: "the document's example (array, ids from 1, DELETE takes the position from 1, relative names, error statuses)",
  readings: { listShape: 'array', ids: 'one-based', deletes: 'slot1', errors: 'http-status', writeReply: 'document' },
  options: { nameStyle: 'relative', quoteTxt: false, soa: false, numbers: true },
};

/** Every reading dns01 is tested under: the grid (the recorded one first), the document's example, and the other reply styles. */
export const XSSERVER_READINGS: readonly XsserverReadingCase[] = [
  ...XSSERVER_DELETE_GRID,
  XSSERVER_DOCUMENT_READING,
  {
    label: 'keyed list whose keys shift after a delete, ids positions from 0, DELETE takes the position from 0',
    readings: { ids: 'zero-based', deletes: 'slot0', keysAfterDelete: 'shift' },
  },
  {
    label: 'refusals without an error field, a DELETE of nothing answered as a success, ids positions from 1, DELETE takes the position from 0',
    readings: { ids: 'one-based', deletes: 'slot0', bareFailures: true, missingDelete: 'success' },
  },
  { label: 'writes answer an empty object, refusals with an HTTP error status', readings: { writeReply: 'empty', errors: 'http-status' } },
  { label: 'records with relative and absolute names mixed, plain TXT', readings: {}, options: { nameStyle: 'mixed', quoteTxt: false } },
];

/** How the list shows records, beyond the readings. */
export interface XsserverListOptions {
  /** How record names are listed (default `absolute`: without a dot, the apex as the zone name). */
  nameStyle?: XsserverNameStyle;
  /** TXT content listed in double quotes (default true). */
  quoteTxt?: boolean;
  /** An SOA listed first, its content an array of seven strings (default true). */
  soa?: boolean;
  /** ids, ttl and priority as JSON numbers (the document's example) instead of strings beside `prio`, `domain_id`, `change_date`. */
  numbers?: boolean;
  /** Keyed lists: slots of the first layout holding entries the API does not list (default [1]; kept below the highest listed slot). */
  hiddenSlots?: readonly number[];
  /** The first database id (default 15257, as recorded); later entries count up. */
  databaseIdStart?: number;
  /** Database ids to hand out first, in this order (entries of the first layout, then new records); then `databaseIdStart` counts on. */
  databaseIds?: readonly number[];
}

export interface XsserverEmulatorOptions extends XsserverListOptions {
  store: ZoneStore;
  /** Domains the account holds, each Active; every one must be a zone in the store. */
  zones: string[];
  credentials: XsserverCredentials;
  /** Names that also (or only) have an Expired entry, listed before the Active one. */
  expiredDomains?: string[];
  /** Which reading to play (default: the recorded one). */
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
  /** Entries outside the store that a DELETE destroyed: the SOA, entries the API does not list. Empty unless something went wrong. */
  losses(): string[];
}

export interface XsserverEmulator extends XsserverControls {
  /** Origin of the server, e.g. http://127.0.0.1:40123. */
  url: string;
  /** The API base the client uses: `${url}/api`. */
  endpoint: string;
  server: EmulatorServer;
  close(): Promise<void>;
}

/** What a slot holds: a record of the store, the SOA, or an entry the list does not show. */
interface Entry {
  kind: 'record' | 'soa' | 'hidden';
  storeId?: string;
  dbId: number;
}

const RECORD_TYPES: readonly RecordType[] = ['A', 'AAAA', 'TXT', 'CNAME', 'MX', 'CAA', 'SRV', 'NS'];
const LABELS = /^(\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;
const NAME_STYLES: readonly XsserverNameStyle[] = ['absolute', 'relative', 'dotted'];

function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** The emulator's msw handlers and their knobs, for serving next to extra handlers. */
export function createXsserverApi(options: XsserverEmulatorOptions): { handlers: RequestHandler[]; controls: XsserverControls } {
  const { store } = options;
  const readings = options.readings ?? {};
  const keyed = (readings.listShape ?? 'keyed') === 'keyed';
  const ids = readings.ids ?? 'database';
  const deletes = readings.deletes ?? 'id';
  const closeUp = !keyed || readings.keysAfterDelete === 'shift';
  const writeReply = readings.writeReply ?? 'recorded';
  const failure = (status: number, ...messages: string[]) =>
    readings.errors === 'http-status' ? HttpResponse.json({ error: messages }, { status }) : HttpResponse.json({ success: false, error: messages });
  /** A refusal of a create or delete: bare (`{"success": false}`) under `bareFailures`. */
  const writeFailure = (status: number, ...messages: string[]) =>
    readings.bareFailures ? HttpResponse.json({ success: false }) : failure(status, ...messages);
  let credentials = { ...options.credentials };
  let nameStyle: XsserverNameStyle = options.nameStyle ?? 'absolute';
  let rateLimited = { times: 0, retryAfter: 1 };
  let blocked: string | undefined;
  let dropCreate = false;
  const pending: { kind: XsserverRequestKind; change: () => void }[] = [];
  const losses: string[] = [];

  const domains: XsserverDomain[] = [];
  let nextId = 47;
  for (const name of options.expiredDomains ?? []) domains.push({ id: String(nextId++), name: normalize(name), status: 'Expired' });
  for (const name of options.zones) {
    const zone = normalize(name);
    if (!store.hasZone(zone)) throw new Error(`xsserver emulator: zone ${zone} is not in the store`);
    domains.push({ id: String(nextId++), name: zone, status: 'Active' });
  }

  // The slots of each zone's records, as the server keeps them (index = slot; undefined = a free slot).
  let nextDbId = options.databaseIdStart ?? 15257;
  const slotTables = new Map<string, (Entry | undefined)[]>();
  const givenIds = [...(options.databaseIds ?? [])];
  const entry = (kind: Entry['kind'], storeId?: string): Entry => ({
    kind,
    ...(storeId === undefined ? {} : { storeId }),
    dbId: givenIds.shift() ?? nextDbId++,
  });

  /** The zone's slots, brought up to date with the store (other clients change it directly). */
  function slotsOf(zone: string): (Entry | undefined)[] {
    let slots = slotTables.get(zone);
    if (!slots) {
      slots = options.soa === false ? [] : [entry('soa')];
      const hidden = keyed ? (options.hiddenSlots ?? [1]) : [];
      for (const r of store.records(zone)) {
        while (hidden.includes(slots.length)) slots.push(entry('hidden'));
        slots.push(entry('record', r.id));
      }
      slotTables.set(zone, slots);
    }
    const live = new Set(store.records(zone).map((r) => r.id));
    for (let i = slots.length - 1; i >= 0; i--) {
      const e = slots[i];
      if (e?.kind === 'record' && !live.has(e.storeId!)) free(slots, i);
    }
    const known = new Set(slots.map((e) => e?.storeId));
    for (const r of store.records(zone)) if (!known.has(r.id)) slots.push(entry('record', r.id));
    return slots;
  }

  /** Empties a slot: an array closes up (and a keyed list whose keys shift); otherwise the slot stays free. Nothing unlisted stays on top. */
  function free(slots: (Entry | undefined)[], slot: number): void {
    if (closeUp) slots.splice(slot, 1);
    else slots[slot] = undefined;
    while (slots.length > 0 && (slots.at(-1) === undefined || slots.at(-1)!.kind === 'hidden')) slots.pop();
  }

  const listedId = (e: Entry, slot: number) => (ids === 'database' ? e.dbId : ids === 'zero-based' ? slot : slot + 1);

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
    if (blocked !== undefined) return HttpResponse.json({ error: [blocked] }, { status: 403 });
    if (rateLimited.times > 0) {
      rateLimited.times -= 1;
      return HttpResponse.json({ error: ['Too many requests'] }, { status: 429, headers: { 'retry-after': String(rateLimited.retryAfter) } });
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

  function wireName(name: string, zone: string, slot: number): string {
    const style = nameStyle === 'mixed' ? NAME_STYLES[slot % NAME_STYLES.length]! : nameStyle;
    if (style === 'absolute') return name;
    if (style === 'dotted') return `${name}.`;
    return name === zone ? '@' : name.slice(0, -(zone.length + 1));
  }

  function wireRecord(e: Entry, slot: number, domain: XsserverDomain) {
    const r: Pick<StoredRecord, 'name' | 'type' | 'ttl' | 'priority'> & { data: string | string[] } =
      e.kind === 'soa'
        ? {
            name: domain.name,
            type: 'SOA',
            ttl: 60,
            data: [`ns1.${domain.name}`, `hostmaster.${domain.name}`, '2023041401', '10800', '3600', '1814400', '7200'],
          }
        : store.records(domain.name).find((s) => s.id === e.storeId)!;
    const quoted = options.quoteTxt !== false && r.type === 'TXT';
    const id = listedId(e, slot);
    const number = (n: number) => (options.numbers ? n : String(n));
    return {
      id: number(id),
      ...(options.numbers ? {} : { domain_id: domain.id }),
      name: wireName(r.name, domain.name, slot),
      type: r.type,
      content: quoted ? `"${r.data as string}"` : r.data,
      ttl: number(r.ttl),
      ...(options.numbers ? {} : { prio: String(r.priority ?? 0), change_date: '0' }),
      priority: number(r.priority ?? 0),
    };
  }

  function listing(domain: XsserverDomain) {
    const slots = slotsOf(domain.name);
    const shown = slots.flatMap((e, slot) => (e && e.kind !== 'hidden' ? [[slot, wireRecord(e, slot, domain)] as const] : []));
    return keyed ? Object.fromEntries(shown.map(([slot, r]) => [String(slot), r])) : shown.map(([, r]) => r);
  }

  /** A create/update body, JSON or form; unknown fields are accepted and ignored. A record or an error reply. */
  async function recordFromBody(
    request: Request,
    zone: string,
  ): Promise<(Omit<StoredRecord, 'id' | 'ttl'> & { ttl?: number; posted: Record<string, unknown> }) | Response> {
    const type = (request.headers.get('content-type') ?? '').toLowerCase();
    const text = await request.text();
    let fields: Record<string, unknown>;
    if (type.startsWith('application/x-www-form-urlencoded')) fields = Object.fromEntries(new URLSearchParams(text));
    else {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return writeFailure(400, 'Invalid JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return writeFailure(400, 'Invalid JSON');
      fields = body as Record<string, unknown>;
    }
    for (const f of ['name', 'type', 'content'] as const) if (fields[f] === undefined) return writeFailure(400, `Missing field: ${f}`);
    const { name, content } = fields;
    const priority = fields.priority ?? 0;
    if (typeof name !== 'string' || typeof fields.type !== 'string' || typeof content !== 'string')
      return writeFailure(400, 'name, type and content must be strings');
    if (!(typeof priority === 'string' && /^\d*$/.test(priority)) && !(typeof priority === 'number' && Number.isInteger(priority)))
      return writeFailure(400, 'Invalid priority');
    const recordType = fields.type.toUpperCase() as RecordType;
    if (!RECORD_TYPES.includes(recordType)) return writeFailure(400, `Invalid record type: ${fields.type}`);
    if (content === '' || (recordType === 'TXT' && content.length > 255)) return writeFailure(400, 'Invalid content');
    let absolute: string;
    const trimmed = name.trim();
    if (trimmed === '' || trimmed === '@') absolute = zone;
    else if (trimmed.endsWith('.') || normalize(trimmed) === zone || normalize(trimmed).endsWith(`.${zone}`)) absolute = normalize(trimmed);
    else absolute = `${normalize(trimmed)}.${zone}`;
    if (!LABELS.test(absolute) || !(absolute === zone || absolute.endsWith(`.${zone}`))) return writeFailure(400, `Invalid record name: ${name}`);
    const ttl = Number(fields.ttl);
    return {
      name: absolute,
      type: recordType,
      data: content,
      priority: Number(priority) || undefined,
      ...(Number.isInteger(ttl) && ttl > 0 ? { ttl } : {}),
      posted: fields,
    };
  }

  const created = (posted: Record<string, unknown>, type: string) => {
    if (writeReply === 'empty') return HttpResponse.json({});
    if (writeReply === 'document') return HttpResponse.json({ info: ['DNS Management updated successfully'] });
    const ttl = Number(posted.ttl);
    return HttpResponse.json({
      success: true,
      record: {
        name: posted.name,
        type: posted.type,
        ttl: Number.isInteger(ttl) && ttl > 0 ? ttl : 3600,
        priority: Number(posted.priority ?? 0) || 0,
        content: posted.content,
      },
      info: [['dnsnewrecordadded', type]],
    });
  };
  const deleted = () =>
    HttpResponse.json(writeReply === 'empty' ? {} : writeReply === 'document' ? { info: ['DNS Management updated successfully'] } : { success: true });

  /** The slot a DELETE or PUT number addresses under the DELETE reading; undefined when none. */
  function slotFor(slots: (Entry | undefined)[], number: number): number | undefined {
    if (deletes === 'slot0') return slots[number] ? number : undefined;
    if (deletes === 'slot1') return number >= 1 && slots[number - 1] ? number - 1 : undefined;
    const slot = slots.findIndex((e, i) => e !== undefined && listedId(e, i) === number);
    return slot >= 0 ? slot : undefined;
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
      return HttpResponse.json({ ...(options.numbers ? {} : { service_id: domain.id, name: domain.name }), records: listing(domain) });
    }),

    http.post('*/api/domain/:id/dns', async ({ request, params }) => {
      const denied = authorize(request);
      if (denied) return denied;
      const domain = activeDomain(String(params.id));
      if (domain instanceof Response) return domain;
      const record = await recordFromBody(request, domain.name);
      if (record instanceof Response) return record;
      runPending('create');
      const { posted, ...stored } = record;
      if (dropCreate) dropCreate = false;
      else {
        slotsOf(domain.name);
        store.add(domain.name, stored);
      }
      return created(posted, stored.type);
    }),

    http.put('*/api/domain/:id/dns/:index', async ({ request, params }) => {
      const denied = authorize(request);
      if (denied) return denied;
      const domain = activeDomain(String(params.id));
      if (domain instanceof Response) return domain;
      const record = await recordFromBody(request, domain.name);
      if (record instanceof Response) return record;
      runPending('update');
      const slots = slotsOf(domain.name);
      const slot = /^\d+$/.test(String(params.index)) ? slotFor(slots, Number(params.index)) : undefined;
      const existing = slot === undefined ? undefined : slots[slot];
      if (existing?.kind !== 'record') return writeFailure(404, 'An error occurred while editing the DNS record');
      // An edit keeps the record's slot: the store's new record takes the old one's place.
      const { posted, ...stored } = record;
      const [replacement] = store.change(domain.name, { removeIds: [existing.storeId!], add: [stored] });
      existing.storeId = replacement!.id;
      void posted;
      return writeReply === 'recorded' ? HttpResponse.json({ success: true, info: ['dnsrecordupdated'] }) : deleted();
    }),

    http.delete('*/api/domain/:id/dns/:index', ({ request, params }) => {
      const denied = authorize(request);
      if (denied) return denied;
      const domain = activeDomain(String(params.id));
      if (domain instanceof Response) return domain;
      runPending('delete');
      const slots = slotsOf(domain.name);
      const slot = /^\d+$/.test(String(params.index)) ? slotFor(slots, Number(params.index)) : undefined;
      const existing = slot === undefined ? undefined : slots[slot];
      if (!existing) return readings.missingDelete === 'success' ? deleted() : writeFailure(404, 'An error occurred while deleting the DNS record');
      if (existing.kind === 'record') store.remove(domain.name, [existing.storeId!]);
      else losses.push(`${existing.kind === 'soa' ? 'the SOA' : 'an unlisted entry'} of ${domain.name} in slot ${slot} (DELETE ${String(params.index)})`);
      free(slots, slot!);
      return deleted();
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
    losses: () => [...losses],
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
export const xsserverWiring = credentialWiring({
  testCredentials,
  variables: (c) => ({ XSSERVER_USERNAME: c.username, XSSERVER_PASSWORD: c.password }),
  secrets: (c) => [c.password],
  async start(options: XsserverEmulatorOptions) {
    const emulator = await startXsserverEmulator(options);
    return { emulator, env: { XSSERVER_ENDPOINT: emulator.endpoint } };
  },
});
