/**
 * A stateful emulator of netcup's CCP JSON API (DNS part), written from the
 * provider's public CCP API documentation (https://www.netcup-wiki.de/wiki/CCP_API,
 * https://ccp.netcup.net/run/webservice/servers/endpoint.php) and what public clients of it observe:
 *
 * - `POST /run/webservice/servers/endpoint.php?JSON`, body `{action, param}`, UTF-8 JSON.
 * - login -> session id; every other action needs customernumber, apikey and
 *   apisessionid; sessions expire after 15 minutes idle; logout ends one.
 * - Replies are compact JSON in a fixed key order: serverrequestid,
 *   clientrequestid, action, status, statuscode, shortmessage, longmessage,
 *   responsedata ("" on errors). ids are strings.
 * - 4001 session invalid/expired, 4013 validation (wrong credentials, the
 *   ~180 requests/minute limit with a lockout, invalid data), 5028 domain not
 *   found, 5029 no records in the zone.
 * - A `domainname` that is not a registrable domain (`www.example.com`,
 *   `_acme-challenge.example.com`) fails validation before any action: 4013
 *   with `action: ""` and netcup's wording (acme.sh issue 7188,
 *   certbot-dns-netcup issue 1); a registrable domain the account does not
 *   hold is 5028 (acme.sh issue 7188), or 5031 from infoDnsZone in the
 *   reading of lexicon's recorded 2019 reply. The 5029 wording is the one a
 *   certbot-dns-netcup user reported (issue 45).
 * - updateDnsRecords: records without id are added, records with id and
 *   deleterecord true are deleted; hostnames are relative (`@` apex) or
 *   absolute with a trailing dot. updateDnsZone is never emulated (the product
 *   must not call it).
 *
 * Record changes go to the ZoneStore, one zone version per call, so the test
 * DNS server serves what the emulator holds.
 */
import { randomBytes } from 'node:crypto';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { defineWiring, type WiringOptions } from './wiring.js';
import { startNetcupRestEmulator, TEST_REST_API_KEY, type NetcupRestEmulator, type NetcupRestWorldOptions } from './netcup-rest.js';
import { serveHandlers, type EmulatorServer } from '../http-server.js';
import type { NewRecord, RecordType, StoredRecord, ZoneStore } from '../zone-store.js';
import type { ReadingCase } from '../readings.js';

export interface NetcupCredentials {
  customerNumber: string;
  apiKey: string;
  apiPassword: string;
}

/**
 * Readings of the CCP API that its document leaves open; the defaults are
 * the first of each. dns01 must work under every one, or refuse before it writes.
 */
export interface NetcupReadings {
  /**
   * What a successful updateDnsRecords carries in `responsedata`: the zone's
   * records (`records`), an empty string (`empty-string`), or no
   * `dnsrecords` when the change left the zone without records (`none-when-empty`).
   */
  updateReply?: 'records' | 'empty-string' | 'none-when-empty';
  /** The status and statuscode of every success reply (default `success` 2000; any 2xxx is success). */
  success?: { status: string; statuscode: number };
  /**
   * What a `domainname` that is not a registrable domain gets: 4013, a
   * validation error before any action (default: the recorded replies), or
   * 5028 like an unknown domain (the emulator's former default; no source).
   */
  notADomain?: 4013 | 5028;
  /** What infoDnsZone answers for a registrable domain the account does not hold: 5028 (default), or 5031 (lexicon's recording, 2019). */
  unknownZone?: 5028 | 5031;
  /** What a refused login answers: 4013 (validation error) or 4001. */
  loginRefusal?: 4013 | 4001;
}

export type NetcupReadingCase = ReadingCase<NetcupReadings>;

/** Every reading dns01 is tested under, each named for test titles. */
export const NETCUP_READINGS: readonly NetcupReadingCase[] = [
  { label: 'updateDnsRecords answers with the records', readings: {} },
  { label: 'updateDnsRecords answers an empty string', readings: { updateReply: 'empty-string' } },
  { label: 'updateDnsRecords answers no records when the zone is left empty', readings: { updateReply: 'none-when-empty' } },
  { label: 'success is another 2xxx status', readings: { success: { status: 'pending', statuscode: 2011 } } },
  { label: 'a name that is no registrable domain answers 5028 like an unknown one', readings: { notADomain: 5028 } },
  { label: 'infoDnsZone answers 5031 for an unknown domain', readings: { unknownZone: 5031 } },
  { label: 'a refused login answers 4001', readings: { loginRefusal: 4001 } },
];

export interface NetcupEmulatorOptions {
  store: ZoneStore;
  /** Domains the account holds (each a zone in the store). */
  zones: string[];
  credentials: NetcupCredentials;
  /** Idle time after which a session expires (default 15 minutes). */
  sessionIdleMs?: number;
  /** Requests per minute per account before the lockout (default 180). */
  requestsPerMinute?: number;
  /** How long the rate-limit lockout lasts (default 5 minutes). */
  lockoutMs?: number;
  /** Failed logins in a row that lock the account (default 5). */
  maxFailedLogins?: number;
  /** List hostnames absolute with a trailing dot instead of relative (both occur in the wild). */
  absoluteHostnames?: boolean;
  /** Clock, for tests of idle expiry. */
  now?: () => number;
  /** Suffixes under which a registrable domain has three labels (default: a few, such as co.uk); otherwise it has two. */
  publicSuffixes?: string[];
  /** Which reading of the document to play (default: the first of each). */
  readings?: NetcupReadings;
}

export interface NetcupInjectedError {
  /** Only for this action (default any but login/logout). */
  action?: string;
  statuscode: number;
  shortmessage?: string;
  longmessage?: string;
  /** How many matching requests answer with it (default 1). */
  times?: number;
  /** The action the reply names, where not the request's: "" for a request refused before any action. */
  replyAction?: string;
}

export interface NetcupEmulator {
  /** The server's origin. */
  url: string;
  /** The full endpoint URL (without `?JSON`), for NETCUP_ENDPOINT. */
  endpoint: string;
  server: EmulatorServer;
  /** Expires every open session now (the next call gets 4001). */
  expireSessions(): void;
  /** Locks the account as if the rate limit had been hit. */
  lockOut(ms?: number): void;
  /** Answers the next matching request(s) with this error reply. */
  injectError(error: NetcupInjectedError): void;
  /** How many requests each action received (bodies that parse only). */
  actionCounts(): Record<string, number>;
  /** Every session id handed out, for leak searches. */
  sessionIds(): string[];
  /** Sessions currently open. */
  openSessions(): number;
  close(): Promise<void>;
}

const ENDPOINT_PATH = '/run/webservice/servers/endpoint.php';
const SUPPORTED_TYPES: readonly RecordType[] = ['A', 'AAAA', 'MX', 'CNAME', 'CAA', 'SRV', 'TXT', 'NS'];
const LABEL = /^(\*|[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)$/;

interface Reply {
  /** The action named in the reply, where it is not the request's ("" for a request refused before any action). */
  action?: string;
  status: 'success' | 'error' | (string & {});
  statuscode: number;
  shortmessage: string;
  longmessage: string;
  responsedata: unknown;
}

const okWith =
  (success: { status: string; statuscode: number } = { status: 'success', statuscode: 2000 }) =>
  (shortmessage: string, longmessage: string, responsedata: unknown): Reply => ({
    status: success.status as Reply['status'],
    statuscode: success.statuscode,
    shortmessage,
    longmessage,
    responsedata,
  });

const fail = (statuscode: number, shortmessage: string, longmessage: string): Reply => ({
  status: 'error',
  statuscode,
  shortmessage,
  longmessage,
  responsedata: '',
});

const sessionInvalid = () =>
  fail(4001, 'Api session id in invalid format or expired.', 'The session id is not in a valid format or the session has expired. Please log in again.');
const validation = (longmessage: string) => fail(4013, 'Validation Error.', longmessage);
const lockedOut = () => validation('Too many failed logins. Access to the API is locked for a while.');
const rateLimited = () =>
  validation(
    'More than 180 requests per minute. Please wait and retry later. Please contact our customer service to find out if the limitation of requests can be increased.',
  );
/** netcup's words for a `domainname` that fails validation (with its trailing space), before any action. */
const domainNameRefused = (): Reply => ({ ...validation('Value in field domainname does not match requirements of type: domainname. '), action: '' });
/** A registrable domain the account does not hold: updateDnsRecords' recorded words, the same words for a read. */
const domainNotFound = (action: string, domain: string) =>
  action === 'updateDnsRecords'
    ? fail(5028, 'Update of DNS records failed', `Can not update (all) DNS records for zone. The zone ${domain} could not be found.`)
    : fail(5028, 'Getting DNS records failed', `Can not get (all) DNS records for zone. The zone ${domain} could not be found.`);
const zoneNotFound = () => fail(5031, 'Getting DNS zone failed', 'Can not get DNS records for zone.  Domain not found.');
const DEFAULT_PUBLIC_SUFFIXES = ['co.uk', 'org.uk', 'com.au', 'co.at', 'or.at', 'com.br'];

class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(reply.longmessage);
  }
}

/**
 * netcup's PHP backend reads deleterecord loosely: acme.sh's dns_netcup sends
 * the strings "TRUE" and "false", lego and we send booleans.
 */
function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

function requireString(param: Record<string, unknown>, key: string): string {
  const value = param[key];
  if (typeof value === 'number' && key === 'customernumber') return String(value);
  if (typeof value !== 'string' || value === '') throw new ReplyError(validation(`Value of parameter ${key} is missing or not a string.`));
  return value;
}

type NetcupKnobs = Omit<NetcupEmulator, 'url' | 'endpoint' | 'server' | 'close'>;

/** The msw handlers of the emulator (for serveHandlers or an msw server of your own). */
export function createNetcupHandlers(options: NetcupEmulatorOptions): RequestHandler[] {
  return buildNetcup(options).handlers;
}

/** The handlers and the knobs on the state behind them. */
function buildNetcup(options: NetcupEmulatorOptions): { handlers: RequestHandler[]; emulator: NetcupKnobs } {
  const { store, credentials } = options;
  const readings = options.readings ?? {};
  const ok = okWith(readings.success);
  const now = options.now ?? Date.now;
  const idleMs = options.sessionIdleMs ?? 15 * 60_000;
  const perMinute = options.requestsPerMinute ?? 180;
  const lockoutMs = options.lockoutMs ?? 5 * 60_000;
  const maxFailedLogins = options.maxFailedLogins ?? 5;
  const zones = new Set(options.zones.map((z) => z.toLowerCase().replace(/\.$/, '')));
  const sessions = new Map<string, { lastUsed: number }>();
  const issued: string[] = [];
  const counts: Record<string, number> = {};
  const recent: number[] = [];
  let lockedUntil = 0;
  let lockReply = rateLimited;
  let failedLogins = 0;
  let injected: (NetcupInjectedError & { left: number })[] = [];

  const rateLimitHit = (): boolean => {
    const t = now();
    if (t < lockedUntil) return true;
    lockReply = rateLimited;
    while (recent.length > 0 && recent[0]! <= t - 60_000) recent.shift();
    recent.push(t);
    if (recent.length > perMinute) {
      lockedUntil = t + lockoutMs;
      return true;
    }
    return false;
  };

  const takeInjected = (action: string): Reply | undefined => {
    const hit = injected.find((e) => e.left > 0 && (e.action ? e.action === action : action !== 'login' && action !== 'logout'));
    if (!hit) return undefined;
    hit.left -= 1;
    injected = injected.filter((e) => e.left > 0);
    const reply = fail(hit.statuscode, hit.shortmessage ?? `Injected error ${hit.statuscode}.`, hit.longmessage ?? `Injected error ${hit.statuscode}.`);
    return hit.replyAction === undefined ? reply : { ...reply, action: hit.replyAction };
  };

  const checkAccount = (param: Record<string, unknown>): void => {
    const customer = requireString(param, 'customernumber');
    const apikey = requireString(param, 'apikey');
    if (customer !== credentials.customerNumber || apikey !== credentials.apiKey) {
      throw new ReplyError(validation('The given customer number or api key is invalid.'));
    }
  };

  const checkSession = (param: Record<string, unknown>): void => {
    checkAccount(param);
    const id = param.apisessionid;
    const session = typeof id === 'string' ? sessions.get(id) : undefined;
    if (!session || typeof id !== 'string') throw new ReplyError(sessionInvalid());
    if (now() - session.lastUsed > idleMs) {
      sessions.delete(id);
      throw new ReplyError(sessionInvalid());
    }
    session.lastUsed = now();
  };

  const suffixes = options.publicSuffixes ?? DEFAULT_PUBLIC_SUFFIXES;
  /** A domain one registers: two labels, or three under a suffix such as co.uk; the account's own domains always. */
  const registrable = (domain: string) => {
    const labels = domain.split('.');
    return zones.has(domain) || labels.length === 2 || (labels.length === 3 && suffixes.includes(labels.slice(1).join('.')));
  };

  const zoneOf = (action: string, param: Record<string, unknown>): string => {
    const domain = requireString(param, 'domainname');
    const wellFormed = /^[a-z0-9.-]+$/.test(domain) && !domain.endsWith('.');
    if (!wellFormed || !registrable(domain)) {
      throw new ReplyError(wellFormed && readings.notADomain === 5028 ? domainNotFound(action, domain) : domainNameRefused());
    }
    if (!zones.has(domain) || !store.hasZone(domain)) {
      throw new ReplyError(action === 'infoDnsZone' && readings.unknownZone === 5031 ? zoneNotFound() : domainNotFound(action, domain));
    }
    return domain;
  };

  const hostnameOf = (name: string, zone: string): string => {
    if (name === zone) return options.absoluteHostnames ? `${zone}.` : '@';
    return options.absoluteHostnames ? `${name}.` : name.slice(0, -(zone.length + 1));
  };

  /** Relative (`@` apex) or absolute with a trailing dot; anything else is relative, as netcup reads it. */
  const nameOf = (hostname: string, zone: string): string => {
    const h = hostname.trim().toLowerCase();
    let name: string;
    if (h === '@') name = zone;
    else if (h.endsWith('.')) name = h.slice(0, -1);
    else name = `${h}.${zone}`;
    if (name !== zone && !name.endsWith(`.${zone}`)) throw new ReplyError(validation(`The hostname "${hostname}" is not inside the zone ${zone}.`));
    if (!name.split('.').every((l) => LABEL.test(l))) throw new ReplyError(validation(`The hostname "${hostname}" is not valid.`));
    return name;
  };

  const listed = (zone: string): StoredRecord[] => store.records(zone).filter((r) => r.type !== 'SOA' && !(r.type === 'NS' && r.name === zone));

  const toWire = (zone: string, r: StoredRecord) => ({
    id: r.id,
    hostname: hostnameOf(r.name, zone),
    type: r.type,
    priority: String(r.priority ?? 0),
    destination: r.data,
    deleterecord: false,
    state: 'yes',
  });

  const recordSet = (zone: string) => ({ dnsrecords: listed(zone).map((r) => toWire(zone, r)) });

  const updateRecords = (zone: string, param: Record<string, unknown>): Reply => {
    const set = param.dnsrecordset;
    const list = set && typeof set === 'object' ? (set as { dnsrecords?: unknown }).dnsrecords : undefined;
    if (!Array.isArray(list) || list.length === 0) throw new ReplyError(validation('Value of parameter dnsrecordset.dnsrecords is missing or empty.'));
    const current = listed(zone);
    const add: NewRecord[] = [];
    const removeIds: string[] = [];
    for (const raw of list as unknown[]) {
      if (!raw || typeof raw !== 'object') throw new ReplyError(validation('A DNS record is not an object.'));
      const rec = raw as Record<string, unknown>;
      const hostname = requireString(rec, 'hostname');
      const type = requireString(rec, 'type').toUpperCase() as RecordType;
      const destination = requireString(rec, 'destination');
      if (!SUPPORTED_TYPES.includes(type)) throw new ReplyError(validation(`The record type "${type}" is not supported.`));
      const name = nameOf(hostname, zone);
      const deleting = isTrue(rec.deleterecord);
      if (rec.id === undefined || rec.id === '') {
        if (deleting) throw new ReplyError(validation('A record to delete needs its id.'));
        if (type === 'TXT' && destination.length > 512) throw new ReplyError(validation('The destination of a TXT record is too long.'));
        const priority = rec.priority === undefined ? undefined : Number(rec.priority);
        add.push({ name, type, data: destination, ...(type === 'MX' ? { priority } : {}) });
        continue;
      }
      if (typeof rec.id !== 'string') throw new ReplyError(validation('The record id must be a string.'));
      const existing = current.find((r) => r.id === rec.id);
      if (!existing) throw new ReplyError(validation(`The DNS record with id ${rec.id} does not exist in zone ${zone}.`));
      const unchanged = existing.name === name && existing.type === type && existing.data === destination;
      if (!deleting) {
        // Sent back as listed (lego's netcup client sends the whole set with the new record): nothing changes.
        if (unchanged) continue;
        // The product is add-only; editing a record in place is a bug this emulator reports.
        throw new ReplyError(validation('Changing an existing record is not supported by this emulator (the product must never edit records).'));
      }
      if (!unchanged) throw new ReplyError(validation(`The record data does not match the record with id ${rec.id}.`));
      removeIds.push(existing.id);
    }
    store.change(zone, { add, removeIds });
    const after = recordSet(zone);
    let data: unknown = after;
    if (readings.updateReply === 'empty-string') data = '';
    if (readings.updateReply === 'none-when-empty' && after.dnsrecords.length === 0) data = {};
    return ok('DNS records successful updated', 'The given DNS records for this zone were updated.', data);
  };

  const dispatch = (action: string, param: Record<string, unknown>): Reply => {
    if (rateLimitHit()) return lockReply();
    if (action === 'login') {
      const customer = requireString(param, 'customernumber');
      const apikey = requireString(param, 'apikey');
      const password = requireString(param, 'apipassword');
      if (customer !== credentials.customerNumber || apikey !== credentials.apiKey || password !== credentials.apiPassword) {
        failedLogins += 1;
        if (failedLogins >= maxFailedLogins) {
          lockedUntil = now() + lockoutMs;
          lockReply = lockedOut;
        }
        if (readings.loginRefusal === 4001) return fail(4001, 'Login failed.', 'The given customer number, api key or api password is invalid.');
        return validation('The given customer number, api key or api password is invalid.');
      }
      failedLogins = 0;
      const id = randomBytes(24).toString('base64url');
      sessions.set(id, { lastUsed: now() });
      issued.push(id);
      return ok('Login successful', 'Session has been created successful.', { apisessionid: id });
    }
    checkSession(param);
    const injectedReply = takeInjected(action);
    if (injectedReply) return injectedReply;
    switch (action) {
      case 'logout':
        sessions.delete(param.apisessionid as string);
        return ok('Logout successful', 'Session has been terminated successful.', '');
      case 'infoDnsZone': {
        const zone = zoneOf(action, param);
        return ok('DNS zone found', 'DNS zone was found.', {
          name: zone,
          ttl: '86400',
          serial: String(store.serial(zone)),
          refresh: '28800',
          retry: '7200',
          expire: '1209600',
          dnssecstatus: false,
        });
      }
      case 'infoDnsRecords': {
        const zone = zoneOf(action, param);
        const set = recordSet(zone);
        if (set.dnsrecords.length === 0) {
          return fail(5029, 'Getting DNS records failed', `Can not get DNS records for zone. The zone does not ${zone} contain any DNS records.`);
        }
        return ok('DNS records found', 'DNS Records for this zone were found.', set);
      }
      case 'updateDnsRecords':
        return updateRecords(zoneOf(action, param), param);
      case 'updateDnsZone':
        throw new ReplyError(fail(4013, 'Validation Error.', 'updateDnsZone is not emulated: the product must never replace a zone.'));
      default:
        throw new ReplyError(fail(4013, 'Validation Error.', `The action "${action}" is unknown.`));
    }
  };

  const respond = (action: string, clientrequestid: string, reply: Reply): Response => {
    // Compact JSON in netcup's fixed key order.
    const body = JSON.stringify({
      serverrequestid: randomBytes(12).toString('hex'),
      clientrequestid,
      action: reply.action ?? action,
      status: reply.status,
      statuscode: reply.statuscode,
      shortmessage: reply.shortmessage,
      longmessage: reply.longmessage,
      responsedata: reply.responsedata,
    });
    return new HttpResponse(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };

  const handler = http.all(`*${ENDPOINT_PATH}`, async ({ request }) => {
    if (request.method !== 'POST') return new HttpResponse('Only POST requests are accepted.', { status: 405, headers: { allow: 'POST' } });
    // Without ?JSON the endpoint speaks SOAP.
    if (!new URL(request.url).searchParams.has('JSON')) {
      return new HttpResponse('<SOAP-ENV:Fault><faultstring>Bad Request</faultstring></SOAP-ENV:Fault>', {
        status: 400,
        headers: { 'content-type': 'text/xml' },
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return respond('', '', validation('The message body is not valid JSON.'));
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return respond('', '', validation('The request must be a JSON object.'));
    const { action, param } = body as { action?: unknown; param?: unknown };
    if (typeof action !== 'string' || action === '') return respond('', '', validation('Value of parameter action is missing.'));
    if (!param || typeof param !== 'object' || Array.isArray(param)) return respond(action, '', validation('Value of parameter param is missing.'));
    const params = param as Record<string, unknown>;
    const clientrequestid = typeof params.clientrequestid === 'string' ? params.clientrequestid : '';
    counts[action] = (counts[action] ?? 0) + 1;
    try {
      return respond(action, clientrequestid, dispatch(action, params));
    } catch (error) {
      if (error instanceof ReplyError) return respond(action, clientrequestid, error.reply);
      throw error;
    }
  });

  return {
    handlers: [handler],
    emulator: {
      expireSessions: () => sessions.clear(),
      lockOut: (ms = lockoutMs) => {
        lockedUntil = now() + ms;
        lockReply = rateLimited;
      },
      injectError: (error) => {
        injected.push({ ...error, left: error.times ?? 1 });
      },
      actionCounts: () => ({ ...counts }),
      sessionIds: () => [...issued],
      openSessions: () => sessions.size,
    },
  };
}

/** Serves the emulator over loopback HTTP. */
export async function startNetcupEmulator(options: NetcupEmulatorOptions): Promise<NetcupEmulator> {
  const { handlers, emulator } = buildNetcup(options);
  const server = await serveHandlers(handlers);
  return {
    ...emulator,
    url: server.url,
    endpoint: `${server.url}${ENDPOINT_PATH}`,
    server,
    close: () => server.close(),
  };
}

const testCredentials: NetcupCredentials = { customerNumber: '12345', apiKey: 'nc-test-apikey-7f3a9', apiPassword: 'nc-test-apipw-Q8z2' };
const legacyVariables = (c: NetcupCredentials): Record<string, string> => ({
  NETCUP_CUSTOMER_NUMBER: c.customerNumber,
  NETCUP_API_KEY: c.apiKey,
  NETCUP_API_PASSWORD: c.apiPassword,
});
const secretsOf = (c: NetcupCredentials) => [c.apiKey, c.apiPassword, TEST_REST_API_KEY];

/**
 * The test world's netcup: credentials, secrets, and the endpoint variables.
 * With `rest`, the account also has the REST API: its zones (`cloudZones`,
 * default all) are on CloudDNS, the others stay with the CCP emulator, and
 * the REST key joins the variables (the CCP ones unless `legacyCredentials: false`).
 */
export const netcupWiring = defineWiring({
  credentials: legacyVariables(testCredentials),
  secrets: secretsOf(testCredentials),
  async start(store, zones, options: WiringOptions<NetcupEmulatorOptions> & { rest?: NetcupRestWorldOptions }) {
    const { rest: restOptions, credentials = testCredentials, ...ccpOptions } = options;
    const secrets = secretsOf(credentials);
    if (!restOptions) {
      const emulator = await startNetcupEmulator({ ...ccpOptions, store, zones, credentials });
      const env: Record<string, string> = { NETCUP_ENDPOINT: emulator.endpoint };
      return {
        emulator: Object.assign(emulator, { rest: undefined as NetcupRestEmulator | undefined }),
        env,
        credentials: legacyVariables(credentials),
        secrets,
      };
    }
    const { cloudZones = zones, legacyCredentials = true, ...knobs } = restOptions;
    const legacyZones = zones.filter((z) => !cloudZones.includes(z));
    const emulator = await startNetcupEmulator({ ...ccpOptions, store, zones: legacyZones, credentials });
    let rest: NetcupRestEmulator;
    try {
      rest = await startNetcupRestEmulator({ ...knobs, store, zones: cloudZones, legacyZones, apiKey: TEST_REST_API_KEY });
    } catch (error) {
      await emulator.close();
      throw error;
    }
    const closeCcp = emulator.close;
    return {
      emulator: Object.assign(emulator, { rest, close: () => Promise.all([closeCcp(), rest.close()]).then(() => undefined) }),
      env: { NETCUP_ENDPOINT: emulator.endpoint, NETCUP_REST_ENDPOINT: rest.endpoint } as Record<string, string>,
      credentials: { NETCUP_REST_API_KEY: TEST_REST_API_KEY, ...(legacyCredentials ? legacyVariables(credentials) : {}) },
      secrets,
    };
  },
});

export * from './netcup-rest.js';
