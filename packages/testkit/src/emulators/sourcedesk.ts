/**
 * A stateful emulator of the sourceDESK (sourceway) client API, written from
 * its public documentation (https://client-api.sourcedesk.de/, "Authentication & Request", "DNS zones",
 * "Return codes"). It serves the DNS actions dns01 uses: list, show, add,
 * delete. Requests go to `/api/CUSTOMER_ID/API_KEY/METHOD/ACTION`, parameters
 * by GET query or POST form (PHP reads no JSON bodies), replies are
 * `{code, message, data}` with HTTP 200. Records live in a ZoneStore, so the
 * test DNS server serves what the emulator holds; record ids are the store's.
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { defineWiring } from './wiring.js';
import { serveHandlers, type EmulatorServer } from '../http-server.js';
import type { RecordType, StoredRecord, ZoneStore } from '../zone-store.js';
import type { ReadingCase } from '../readings.js';

export interface SourcedeskCredentials {
  customerId: string;
  apiKey: string;
}

/** The reading the document leaves open: the lowest TTL dns/add accepts, and whether its refusal says so. */
export interface SourcedeskReadings {
  /** The lowest TTL dns/add accepts (default 60); a lower one is refused with 805. */
  minTtl?: number;
  /** Whether the 805 message for a low TTL names the minimum (default true). */
  ttlReasonNamesMinimum?: boolean;
}

export type SourcedeskReadingCase = ReadingCase<SourcedeskReadings>;

/** Every reading dns01 is tested under, each named for test titles. */
export const SOURCEDESK_READINGS: readonly SourcedeskReadingCase[] = [
  { label: 'minimum TTL 60', readings: { minTtl: 60 } },
  { label: 'minimum TTL 300', readings: { minTtl: 300 } },
  { label: 'minimum TTL 600, named in the refusal', readings: { minTtl: 600 } },
  { label: 'minimum TTL 3600, not named in the refusal', readings: { minTtl: 3600, ttlReasonNamesMinimum: false } },
];

export interface SourcedeskEmulatorOptions extends SourcedeskReadings {
  store: ZoneStore;
  /** Zones the account holds at sourceDESK (each must exist in the store). */
  zones: string[];
  credentials: SourcedeskCredentials;
  /** Domains in the account whose zone is not at sourceDESK: show/add/delete answer 804. */
  domainsWithoutZone?: string[];
  /** Serve TXT content wrapped in double quotes. */
  quoteTxt?: boolean;
  /** The same as the top-level minTtl / ttlReasonNamesMinimum, grouped like the other emulators' readings (wins over them). */
  readings?: SourcedeskReadings;
}

/** A reply given instead of acting, for the next call(s) of an action. */
export type SourcedeskScriptedReply =
  | { action: string; code: number; message?: string; data?: unknown; times?: number }
  /** A raw body (an unexpected shape), served with HTTP 200. */
  | { action: string; body: string; times?: number };

export interface SourcedeskKnobs {
  /** Changes the credentials the account accepts (a revoked or rotated key). */
  setCredentials(credentials: SourcedeskCredentials): void;
  setMinTtl(ttl: number): void;
  /** Answers the next call(s) of an action with a given code or body, without acting. */
  answerNext(reply: SourcedeskScriptedReply): void;
  /** Performs the next call(s) of an action, then never answers (the outcome is lost). */
  hangAfterActing(action: string, times?: number): void;
  /** Blocks every request with HTTP 403 and an HTML page (an IP ban), until called with false. */
  ban(on?: boolean): void;
  /** How often each action was called (after authentication). */
  readonly calls: Readonly<Record<string, number>>;
}

const ACTIONS = new Set(['list', 'show', 'add', 'delete']);
const ADDABLE: readonly RecordType[] = ['A', 'AAAA', 'TXT', 'CNAME', 'MX', 'CAA', 'SRV', 'NS'];
const RELATIVE_NAME = /^(@|\*|(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*)?$/i;
const DIGITS = /^\d+$/;

class Reply {
  constructor(
    readonly code: number,
    readonly message: string,
    readonly data: unknown = {},
  ) {}
}

const lower = (s: string) => s.trim().toLowerCase();

function globMatches(filter: string, zone: string): boolean {
  const f = lower(filter);
  if (!f.includes('*')) return zone.includes(f);
  const pattern = f.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(zone);
}

/** GET query and POST form, merged with POST winning, like PHP's $_REQUEST. */
async function paramsOf(request: Request): Promise<Map<string, string>> {
  const params = new Map(new URL(request.url).searchParams);
  const type = request.headers.get('content-type') ?? '';
  if (request.method === 'POST' && type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(await request.text())) params.set(k, v);
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

export function createSourcedeskEmulator(options: SourcedeskEmulatorOptions): { handlers: RequestHandler[]; knobs: SourcedeskKnobs } {
  const { store } = options;
  const zones = new Set(options.zones.map(lower));
  for (const z of zones) if (!store.hasZone(z)) throw new Error(`sourcedesk emulator: zone ${z} is not in the store`);
  const withoutZone = new Set((options.domainsWithoutZone ?? []).map(lower));
  let credentials = { ...options.credentials };
  let minTtl = options.readings?.minTtl ?? options.minTtl ?? 60;
  const reasonNamesMinimum = options.readings?.ttlReasonNamesMinimum ?? options.ttlReasonNamesMinimum ?? true;
  let banned = false;
  let scripted: (SourcedeskScriptedReply & { left: number })[] = [];
  const hangs = new Map<string, number>();
  const calls: Record<string, number> = {};

  /** 803 / 804, or the zone the request addresses. */
  function zoneParam(params: Map<string, string>): string | Reply {
    const domain = lower(params.get('domain') ?? '');
    if (domain === '' || !(zones.has(domain) || withoutZone.has(domain))) return new Reply(803, 'Domain not found');
    if (!zones.has(domain)) return new Reply(804, 'Zone not found');
    return domain;
  }

  const relativeName = (r: StoredRecord, zone: string) => (r.name === zone ? '' : r.name.slice(0, -(zone.length + 1)));

  function show(params: Map<string, string>): Reply {
    const zone = zoneParam(params);
    if (zone instanceof Reply) return zone;
    const data: Record<string, unknown> = {};
    for (const r of store.records(zone).filter((x) => x.type !== 'SOA')) {
      data[r.id] = {
        name: relativeName(r, zone),
        type: r.type,
        content: options.quoteTxt && r.type === 'TXT' ? `"${r.data}"` : r.data,
        ttl: r.ttl,
        priority: r.priority ?? 0,
      };
    }
    return new Reply(100, 'Zone fetched.', Object.keys(data).length === 0 ? [] : data);
  }

  function add(params: Map<string, string>): Reply {
    const zone = zoneParam(params);
    if (zone instanceof Reply) return zone;
    const invalid = (why: string) => new Reply(805, `Error at adding record (invalid record data)${why ? `: ${why}` : ''}`);
    const [name, type, content, ttl, priority] = ['name', 'type', 'content', 'ttl', 'priority'].map((k) => params.get(k));
    if (name === undefined || type === undefined || content === undefined || ttl === undefined || priority === undefined) {
      return invalid('');
    }
    const recordType = type.toUpperCase() as RecordType;
    if (!ADDABLE.includes(recordType) || !RELATIVE_NAME.test(name) || content === '' || content.length > 255) return invalid('');
    if (!DIGITS.test(ttl) || !DIGITS.test(priority)) return invalid('');
    if (Number(ttl) < minTtl) return invalid(reasonNamesMinimum ? `TTL must be at least ${minTtl}` : '');
    const absolute = name === '' || name === '@' ? zone : `${lower(name)}.${zone}`;
    store.add(zone, {
      name: absolute,
      type: recordType,
      data: content,
      ttl: Number(ttl),
      priority: recordType === 'MX' || recordType === 'SRV' ? Number(priority) : undefined,
    });
    return new Reply(100, 'Record added.');
  }

  function remove(params: Map<string, string>): Reply {
    const zone = zoneParam(params);
    if (zone instanceof Reply) return zone;
    const id = params.get('record') ?? '';
    if (!DIGITS.test(id)) return new Reply(805, 'No valid record ID specified');
    const record = store.records(zone).find((r) => r.id === String(Number(id)) && r.type !== 'SOA');
    if (!record) return new Reply(806, 'Record not found');
    store.remove(zone, [record.id]);
    return new Reply(100, 'Record deleted.');
  }

  function list(params: Map<string, string>): Reply {
    const filter = params.get('domain') ?? '';
    const names = [...zones].filter((z) => filter === '' || globMatches(filter, z)).sort();
    return new Reply(100, 'Zones fetched.', names);
  }

  const perform: Record<string, (params: Map<string, string>) => Reply> = { list, show, add, delete: remove };

  const handler = http.all('*/api/*', async ({ request }) => {
    if (banned) return new HttpResponse('<html><body><h1>403 Forbidden</h1></body></html>', { status: 403, headers: { 'content-type': 'text/html' } });
    if (request.method !== 'GET' && request.method !== 'POST') return new HttpResponse('Method Not Allowed', { status: 405 });
    const path = new URL(request.url).pathname;
    const segments = path.slice(path.indexOf('/api/') + '/api/'.length).split('/');
    const [customerId, apiKey, method, action] = segments.map((s, i) => (i < 2 ? decodeSegment(s) : s));
    const answer = (r: Reply) => HttpResponse.json({ code: r.code, message: r.message, data: r.data });

    if (customerId !== credentials.customerId || apiKey !== credentials.apiKey) {
      return answer(new Reply(800, 'Authorization failed, please check customer ID and API key'));
    }
    if (method !== 'dns') return answer(new Reply(801, 'Method unknown'));
    if (action === undefined || segments.length > 4 || !ACTIONS.has(action)) return answer(new Reply(802, 'Action unknown'));
    calls[action] = (calls[action] ?? 0) + 1;

    const script = scripted.find((s) => s.action === action && s.left > 0);
    if (script) {
      script.left -= 1;
      scripted = scripted.filter((s) => s.left > 0);
      if ('body' in script) return new HttpResponse(script.body, { status: 200, headers: { 'content-type': 'application/json' } });
      return answer(new Reply(script.code, script.message ?? `Scripted return code ${script.code}`, script.data ?? {}));
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
    setMinTtl(ttl) {
      minTtl = ttl;
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

export async function startSourcedeskEmulator(
  options: SourcedeskEmulatorOptions & { host?: string; port?: number },
): Promise<SourcedeskEmulator> {
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

/** The test world's sourceDESK: credentials, secrets, and the endpoint variable. */
export const sourcedeskWiring = defineWiring({
  credentials: { SOURCEDESK_CUSTOMER_ID: testCredentials.customerId, SOURCEDESK_API_KEY: testCredentials.apiKey },
  secrets: [testCredentials.apiKey],
  async start(store, zones, options: Omit<SourcedeskEmulatorOptions, 'store' | 'zones' | 'credentials'>) {
    const emulator = await startSourcedeskEmulator({ ...options, store, zones, credentials: testCredentials });
    return { emulator, env: { SOURCEDESK_ENDPOINT: emulator.url } };
  },
});
