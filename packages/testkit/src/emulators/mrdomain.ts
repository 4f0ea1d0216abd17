/**
 * A stateful emulator of MrDomain's (dondominio) Simple-POST API, written
 * from its API manual (https://dondominio.dev/en/api/docs/api/, sections 2, 7.1-7.2,
 * 7.40-7.48, 10.1.1). Record changes go to a ZoneStore, so the test DNS
 * server serves them.
 *
 * Strict where the API is: parameters only count when POSTed form-encoded or
 * as multipart (GET parameters and JSON bodies are ignored, so credentials
 * sent that way are "Login required"); required fields, types and names are
 * checked; every refusal is the documented envelope with `success: false`
 * and an errorCode. As the API's own clients use it (the official PHP SDK
 * 2.0.13, run against this emulator; a cert-manager webhook): action paths
 * with or without the trailing slash, `ttl` and `priority` `-` for the
 * default; reading `requestForms: 'manual'` takes only the manual's forms.
 * The zone-replacing actions (dnssetzone, dnsrestore, dnsdeleteall) and
 * record edits (dnsupdate) are refused and recorded in `forbiddenCalls`:
 * dns01 must never send them.
 */
import { http, type RequestHandler } from 'msw';
import type { RecordType, StoredRecord, ZoneStore } from '../zone-store.js';
import { credentialWiring } from './wiring.js';
import { serveHandlers, type EmulatorServer } from '../http-server.js';
import type { ReadingCase } from '../readings.js';

export interface MrDomainCredentials {
  apiUser: string;
  apiPassword: string;
}

/**
 * Readings of seed 002 the document leaves open; the defaults are the first
 * of each. dns01 must work under every one, or refuse before it writes.
 */
export interface MrDomainReadings {
  /** What dnslist's `queryInfo.total` counts: the entries the query matches, or every record of the zone (the seed's example: total 20, 3 results). */
  total?: 'matching' | 'zone';
  /**
   * What dnslist's `filter` is matched against:
   * - `substring`: the absolute record name contains it;
   * - `exact`: the absolute record name equals it;
   * - `relative`: the name relative to the zone equals it (`_acme-challenge`, `_acme-challenge.www`);
   * - `ignored`: it narrows nothing.
   */
  filter?: 'substring' | 'exact' | 'relative' | 'ignored';
  /** The error for a serviceName that is no service of the account (4001 Service not found, 2001 Invalid domain name, 105 invalid parameter). */
  unknownService?: 4001 | 2001 | 105;
  /** What dnscreate answers on success: the created entry (the document) or an empty responseData. */
  createReply?: 'entry' | 'empty';
  /**
   * The request forms taken: `clients` (default) as the official SDK and
   * public clients send them (no trailing slash, `ttl=-`, `priority=-`);
   * `manual` only the manual's (a trailing slash, digits).
   */
  requestForms?: 'clients' | 'manual';
}

export type MrDomainReadingCase = ReadingCase<MrDomainReadings>;

/** Every reading dns01 is tested under, each named for test titles. */
export const MRDOMAIN_READINGS: readonly MrDomainReadingCase[] = [
  { label: 'total counts the matching entries, filter is a substring', readings: {} },
  { label: 'total counts the whole zone', readings: { total: 'zone' } },
  { label: 'filter matches the whole absolute name only', readings: { filter: 'exact' } },
  { label: 'filter matches the relative name only', readings: { filter: 'relative' } },
  { label: 'filter is ignored', readings: { filter: 'ignored', total: 'zone' } },
  { label: 'names that are no service answer 2001', readings: { unknownService: 2001 } },
  { label: 'names that are no service answer 105', readings: { unknownService: 105 } },
  { label: 'dnscreate answers without the entry', readings: { createReply: 'empty' } },
  { label: "only the manual's request forms (trailing slash, numeric ttl)", readings: { requestForms: 'manual' } },
];

export interface MrDomainEmulatorOptions {
  store: ZoneStore;
  /** The services (domains) the account holds; each must be a zone of the store. */
  zones: string[];
  credentials: MrDomainCredentials;
  /** Show TXT values quoted (`"abc"`) in replies, as the real API may (default true). */
  quoteTxt?: boolean;
  /** Authenticated calls accepted before the account is blocked for mass requests (default: no limit). */
  requestBudget?: number;
  /** The code answered once the budget is spent (default 1010, Account blocked). */
  budgetErrorCode?: number;
  /** The largest pageLength served; larger requests are cut to it (default 1000). */
  maxPageLength?: number;
  /** Which reading of the document to play (default: the first of each). */
  readings?: MrDomainReadings;
  /** Service status per zone as service/getinfo and service/list report it (default "active"). */
  serviceStatus?: Record<string, string>;
}

/** One call as the emulator understood it; the password is never kept. */
export interface MrDomainCall {
  action: string;
  params: Record<string, string>;
}

const API_VERSION = '1.0.20';

/** Section 10.1.1, the codes the emulator answers. */
export const MRDOMAIN_ERROR_TEXT: Readonly<Record<number, string>> = {
  1: 'Undefined error',
  100: 'Syntax error',
  101: 'Syntax error: parameter fault',
  102: 'Invalid object/action',
  103: 'Not allowed object/action',
  104: 'Not implemented object/action',
  105: 'Syntax error: invalid parameter',
  200: 'Login required',
  201: 'Login invalid',
  210: 'Session invalid',
  300: 'Action not allowed',
  1000: 'Account blocked',
  1001: 'Account deleted',
  1002: 'Account inactive',
  1003: 'Account not exists',
  1004: 'Account invalid pass',
  1005: 'Account invalid pass',
  1006: 'Account blocked',
  1007: 'Account filtered',
  1009: 'Account invalid pass',
  1010: 'Account blocked',
  1011: 'Account blocked',
  1012: 'Account blocked',
  1013: 'Account blocked',
  1014: 'Account filtered',
  1030: 'Account banned',
  1100: 'Insufficient balance',
  2001: 'Invalid domain name',
  2008: 'Domain not found',
  4001: 'Service not found',
  4002: 'Service entity not found',
  4003: 'Maximum amount of entities error (FTP/Mails/etc.)',
  4004: 'Failure to create the entity',
  4005: 'Failure to update the entity',
  4006: 'Failure to delete the entity',
};

/** Section 7.48.5. */
const DNS_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'SRV', 'TXT', 'NS', 'CAA'] as const;
const FORBIDDEN = new Set(['service/dnssetzone', 'service/dnsrestore', 'service/dnsdeleteall', 'service/dnsupdate']);
const DEFAULT_TTL = 300;

class ApiRefusal extends Error {
  constructor(
    readonly code: number,
    readonly messages: string[] = [],
  ) {
    super(`${code} ${MRDOMAIN_ERROR_TEXT[code] ?? 'Error'}`);
  }
}

type ActionHandler = (params: Record<string, string>) => unknown;

/** The emulated account: state, knobs, and the answer to each action. */
export class MrDomainBackend {
  /** Every call that reached an action, in order (without apipasswd). */
  readonly calls: MrDomainCall[] = [];
  /** Zone-replacing or editing actions that arrived: must stay empty. */
  readonly forbiddenCalls: MrDomainCall[] = [];
  private readonly zones: string[];
  private accountError: number | undefined;
  private budget: number | undefined;
  private spent = 0;
  private queued: { code: number; action?: string; left: number; messages: string[] }[] = [];
  private readonly actions: Record<string, ActionHandler>;

  constructor(private readonly options: MrDomainEmulatorOptions) {
    this.zones = options.zones.map(normalize);
    for (const zone of this.zones) if (!options.store.hasZone(zone)) throw new Error(`mrdomain emulator: zone ${zone} is not in the store`);
    this.budget = options.requestBudget;
    this.actions = {
      'tool/hello': () => ({ ip: '127.0.0.1', lang: 'en', version: API_VERSION }),
      'service/list': (p) => this.serviceList(p),
      'service/getinfo': (p) => this.serviceGetInfo(p),
      'service/dnslist': (p) => this.dnsList(p),
      'service/dnsgetinfo': (p) => this.dnsGetInfo(p),
      'service/dnscreate': (p) => this.dnsCreate(p),
      'service/dnsdelete': (p) => this.dnsDelete(p),
    };
  }

  /** Answers every authenticated call with this account error (1000-1030), or stops doing so. */
  setAccountError(code: number | undefined): void {
    this.accountError = code;
  }

  /** The next `times` calls (of `action`, when given) are refused with `code`. */
  failNext(code: number, options: { action?: string; times?: number; messages?: string[] } = {}): void {
    this.queued.push({ code, action: options.action, left: options.times ?? 1, messages: options.messages ?? [] });
  }

  /** Sets a new request budget (undefined: no limit) and forgives what was spent. */
  setRequestBudget(budget: number | undefined): void {
    this.budget = budget;
    this.spent = 0;
  }

  /** How many calls reached the API, of one action or in all. */
  callCount(action?: string): number {
    return action === undefined ? this.calls.length : this.calls.filter((c) => c.action === action).length;
  }

  /** Answers one HTTP request as the Simple-POST API would. */
  async respond(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = (this.options.readings?.requestForms === 'manual' ? /^\/([a-z]+)\/([a-z]+)\/$/ : /^\/([a-z]+)\/([a-z]+)\/?$/).exec(url.pathname);
    const action = path ? `${path[1]}/${path[2]}` : url.pathname.replace(/^\/+|\/+$/g, '');
    try {
      if (!path) throw new ApiRefusal(102, ['invalid object/action']);
      const params = await formParams(request);
      return reply(action, this.handle(action, params));
    } catch (error) {
      if (error instanceof ApiRefusal) return refusal(action, error);
      throw error;
    }
  }

  private handle(action: string, params: Record<string, string>): unknown {
    const { apiuser, apipasswd, ...rest } = params;
    const known = FORBIDDEN.has(action) || action in this.actions;
    if (!known) throw new ApiRefusal(action.startsWith('service/') || action.startsWith('tool/') ? 104 : 102, ['invalid object/action']);
    if (!apiuser || !apipasswd) throw new ApiRefusal(200);
    if (apiuser !== this.options.credentials.apiUser) throw new ApiRefusal(1003);
    if (apipasswd !== this.options.credentials.apiPassword) throw new ApiRefusal(1004);
    if (this.accountError !== undefined) throw new ApiRefusal(this.accountError);
    this.spent += 1;
    if (this.budget !== undefined && this.spent > this.budget) {
      throw new ApiRefusal(this.options.budgetErrorCode ?? 1010, ['too many requests: API access is temporarily blocked']);
    }
    const call = { action, params: { apiuser, ...rest } };
    this.calls.push(call);
    if (FORBIDDEN.has(action)) {
      this.forbiddenCalls.push(call);
      console.error(`mrdomain emulator: dns01 sent the forbidden action ${action}`);
      throw new ApiRefusal(300, [`${action} is forbidden for dns01 (it replaces or edits records)`]);
    }
    const fault = this.queued.find((q) => q.left > 0 && (q.action === undefined || q.action === action));
    if (fault) {
      fault.left -= 1;
      this.queued = this.queued.filter((q) => q.left > 0);
      throw new ApiRefusal(fault.code, fault.messages);
    }
    return this.actions[action]!(rest);
  }

  private service(params: Record<string, string>): { zone: string; index: number } {
    const name = required(params, 'serviceName');
    const index = this.zones.indexOf(normalize(name));
    if (index < 0) {
      const code = this.options.readings?.unknownService ?? 4001;
      throw new ApiRefusal(code, [code === 105 ? 'serviceName: invalid parameter' : 'service not found']);
    }
    return { zone: this.zones[index]!, index };
  }

  private serviceInfo(zone: string): Record<string, unknown> {
    return {
      name: zone,
      status: this.options.serviceStatus?.[zone] ?? 'active',
      type: 'Redirect And Parking Service',
      productkey: 'redir',
      tsExpir: '2031-01-01',
    };
  }

  private serviceList(params: Record<string, string>): unknown {
    const { page, pageLength } = this.paging(params);
    let names = this.zones;
    if (params.name) names = names.filter((z) => z === normalize(params.name!));
    if (params.word) names = names.filter((z) => z.includes(params.word!.toLowerCase()));
    const slice = names.slice((page - 1) * pageLength, page * pageLength);
    return {
      queryInfo: { page, pageLength, results: slice.length, total: names.length },
      services: slice.map((z) => this.serviceInfo(z)),
    };
  }

  private serviceGetInfo(params: Record<string, string>): unknown {
    const { zone } = this.service(params);
    const infoType = params.infoType ?? 'status';
    if (!['status', 'resources', 'serverinfo', 'php', 'logerror'].includes(infoType)) throw new ApiRefusal(105, ['infoType']);
    return { ...this.serviceInfo(zone), tsCreate: '2020-01-01', renewable: false, renewalMode: 'autorenew' };
  }

  private dnsList(params: Record<string, string>): unknown {
    const { zone, index } = this.service(params);
    const { page, pageLength } = this.paging(params);
    const type = params.filterType === undefined || params.filterType === '' ? undefined : dnsType(params.filterType, 'filterType');
    const filter = params.filter?.toLowerCase();
    const filterValue = params.filterValue;
    const reading = this.options.readings?.filter ?? 'substring';
    const relative = (name: string) => (name === zone ? '@' : name.slice(0, -(zone.length + 1)));
    const nameMatches = (name: string): boolean => {
      if (!filter || reading === 'ignored') return true;
      if (reading === 'exact') return name === normalize(filter);
      if (reading === 'relative') return relative(name) === filter;
      return name.includes(filter);
    };
    const served = this.options.store.records(zone).filter((r) => (DNS_TYPES as readonly string[]).includes(r.type));
    const matching = served
      .filter((r) => type === undefined || r.type === type)
      .filter((r) => nameMatches(r.name))
      .filter((r) => !filterValue || r.data.includes(filterValue));
    const slice = matching.slice((page - 1) * pageLength, page * pageLength);
    const total = this.options.readings?.total === 'zone' ? served.length : matching.length;
    return {
      queryInfo: { page, pageLength, results: slice.length, total },
      dns: slice.map((r) => this.entry(r, index)),
    };
  }

  private dnsGetInfo(params: Record<string, string>): unknown {
    const { zone, index } = this.service(params);
    return { dns: [this.entry(this.recordOf(zone, index, required(params, 'entityID')), index)] };
  }

  private dnsCreate(params: Record<string, string>): unknown {
    const { zone, index } = this.service(params);
    const name = required(params, 'name');
    const type = dnsType(required(params, 'type'), 'type');
    const value = required(params, 'value');
    const owner = normalize(name);
    if (!/^[a-z0-9_*.-]+$/.test(owner) || (owner !== zone && !owner.endsWith(`.${zone}`))) {
      throw new ApiRefusal(105, [`name: "${name}" is not a name inside ${zone}`]);
    }
    // `-` is the default (the SDK's documentation of dnscreate); the manual's form is digits only.
    const asDefault = (v: string | undefined) => (v === '-' && this.options.readings?.requestForms !== 'manual' ? undefined : v);
    const ttl = asDefault(params.ttl);
    const priority = asDefault(params.priority);
    if (ttl !== undefined && !/^\d{1,7}$/.test(ttl)) throw new ApiRefusal(105, ['ttl']);
    if (priority !== undefined && !/^\d{1,5}$/.test(priority)) throw new ApiRefusal(105, ['priority']);
    // eslint-disable-next-line no-control-regex
    if (type === 'TXT' && /[\x00-\x1f\x7f]/.test(value)) throw new ApiRefusal(105, ['value']);
    const stored = this.options.store.add(zone, {
      name: owner,
      type,
      data: value,
      ttl: ttl === undefined ? undefined : Number(ttl),
      priority: type === 'MX' || type === 'SRV' ? Number(priority ?? 10) : undefined,
    });
    return this.options.readings?.createReply === 'empty' ? {} : { dns: [this.entry(stored, index)] };
  }

  private dnsDelete(params: Record<string, string>): unknown {
    const { zone, index } = this.service(params);
    const record = this.recordOf(zone, index, required(params, 'entityID'));
    this.options.store.remove(zone, [record.id]);
    return {};
  }

  private recordOf(zone: string, index: number, entityID: string): StoredRecord {
    const m = /^SRV(\d{10})-(\d{9})$/.exec(entityID);
    const record = m && Number(m[1]) === index + 1 ? this.options.store.records(zone).find((r) => r.id === String(Number(m[2]))) : undefined;
    if (!record || !(DNS_TYPES as readonly string[]).includes(record.type)) throw new ApiRefusal(4002, ['entity not found']);
    return record;
  }

  private entry(r: StoredRecord, serviceIndex: number): Record<string, string> {
    const quote = this.options.quoteTxt ?? true;
    return {
      entityID: `SRV${String(serviceIndex + 1).padStart(10, '0')}-${r.id.padStart(9, '0')}`,
      name: r.name,
      type: r.type,
      ttl: r.ttl === DEFAULT_TTL ? '-' : String(r.ttl),
      priority: r.priority === undefined ? '-' : String(r.priority),
      value: r.type === 'TXT' && quote ? `"${r.data.replace(/(["\\])/g, '\\$1')}"` : r.data,
    };
  }

  private paging(params: Record<string, string>): { page: number; pageLength: number } {
    const page = params.page === undefined ? 1 : positive(params.page, 'page');
    const asked = params.pageLength === undefined ? 1000 : positive(params.pageLength, 'pageLength');
    return { page, pageLength: Math.min(asked, this.options.maxPageLength ?? 1000) };
  }
}

/** Builds the msw handlers of the API (any origin). */
export function createMrDomainHandlers(options: MrDomainEmulatorOptions, backend = new MrDomainBackend(options)): RequestHandler[] {
  return [http.all('*/:module/:action', ({ request }) => backend.respond(request))];
}

export interface MrDomainEmulator {
  url: string;
  server: EmulatorServer;
  backend: MrDomainBackend;
  /** Every call that reached an action (without apipasswd). */
  calls: MrDomainCall[];
  /** Forbidden actions that arrived: a test fails when this is not empty. */
  forbiddenCalls: MrDomainCall[];
  setAccountError(code: number | undefined): void;
  failNext(code: number, options?: { action?: string; times?: number; messages?: string[] }): void;
  setRequestBudget(budget: number | undefined): void;
  callCount(action?: string): number;
  close(): Promise<void>;
}

/** Serves the emulator over loopback HTTP; `url` is what MRDOMAIN_ENDPOINT should be. */
export async function startMrDomainEmulator(options: MrDomainEmulatorOptions): Promise<MrDomainEmulator> {
  const backend = new MrDomainBackend(options);
  const server = await serveHandlers(createMrDomainHandlers(options, backend));
  return {
    url: server.url,
    server,
    backend,
    calls: backend.calls,
    forbiddenCalls: backend.forbiddenCalls,
    setAccountError: (code) => backend.setAccountError(code),
    failNext: (code, o) => backend.failNext(code, o),
    setRequestBudget: (budget) => backend.setRequestBudget(budget),
    callCount: (action) => backend.callCount(action),
    close: () => server.close(),
  };
}

/** POST parameters: form-encoded or multipart only; anything else (GET query, JSON) is ignored, as the API does. */
async function formParams(request: Request): Promise<Record<string, string>> {
  if (request.method !== 'POST') return {};
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  const out: Record<string, string> = {};
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(await request.text())) out[k] = v;
  } else if (type.startsWith('multipart/form-data')) {
    for (const [k, v] of await request.formData()) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function required(params: Record<string, string>, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw new ApiRefusal(101, [`missing parameter: ${name}`]);
  return value;
}

function dnsType(value: string, field: string): RecordType {
  const type = value.toUpperCase();
  if (!(DNS_TYPES as readonly string[]).includes(type)) throw new ApiRefusal(105, [`${field}: unknown type ${value}`]);
  return type as RecordType;
}

function positive(value: string, field: string): number {
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1) throw new ApiRefusal(105, [field]);
  return Number(value);
}

function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** JSON as the API's PHP encoder writes it (slashes escaped). */
function json(body: unknown): Response {
  return new Response(JSON.stringify(body).replace(/\//g, '\\/'), { status: 200, headers: { 'content-type': 'application/json' } });
}

function reply(action: string, responseData: unknown): Response {
  const writes = /\/dns(create|delete)$/.test(action);
  return json({
    success: true,
    errorCode: 0,
    errorCodeMsg: '',
    action,
    version: API_VERSION,
    ...(writes ? { messages: ['Operation done correctly.'] } : {}),
    responseData,
  });
}

function refusal(action: string, error: ApiRefusal): Response {
  return json({
    success: false,
    errorCode: error.code,
    errorCodeMsg: MRDOMAIN_ERROR_TEXT[error.code] ?? 'Error',
    action,
    version: API_VERSION,
    messages: error.messages,
    responseData: [],
  });
}

const testCredentials = { apiUser: 'md-test-user', apiPassword: 'md-test-password-Vb71' };

/** The test world's MrDomain: credentials, secrets, and the endpoint variable. */
export const mrdomainWiring = credentialWiring({
  testCredentials,
  variables: (c) => ({ MRDOMAIN_API_USER: c.apiUser, MRDOMAIN_API_PASSWORD: c.apiPassword }),
  secrets: (c) => [c.apiPassword],
  async start(options: MrDomainEmulatorOptions) {
    const emulator = await startMrDomainEmulator(options);
    return { emulator, env: { MRDOMAIN_ENDPOINT: emulator.url } };
  },
});
