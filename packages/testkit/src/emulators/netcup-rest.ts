/**
 * A strict emulator of netcup's REST API (`https://api.netcup.com/v1`), the
 * API of netcup's CloudDNS backend, from what shared/PROVIDERS.md ("netcup
 * REST API") gathers from its public clients:
 *
 * - `Authorization: Bearer <key>` on every request, no session; a missing or
 *   wrong key is HTTP 400 with `errors[].code` `authenticationError`.
 * - Replies `{success, errors: [{code, message}], messages: [], meta, result}`
 *   (`meta` null but on paged lists, as aellwein/netcup-dns-api's fixtures
 *   show, whose messages the emulator uses); an unknown domain or record is
 *   `resourceDoesNotExist` (HTTP 404); a bad parameter `validationError`
 *   (HTTP 400); a delete answers 204 without a body.
 * - `GET /domain?fqdn=` -> `[{id, fqdn, isDnsManaged}]` (pagination without
 *   `lastPage`); domains still on the legacy backend report `isDnsManaged:
 *   false` and refuse DNS changes here.
 * - ACME challenges: `POST /domain/{id}/acme/challenge {scope, value}`
 *   (idempotent; the value must be 43 characters of base64url),
 *   `GET /domain/{id}/acme/challenge`, `GET|DELETE .../{scope}/{value}`.
 *   `status` turns "deployed" after `deployDelayMs`, unrelated to what the
 *   nameservers serve.
 * - The changeset endpoint takes TXT rdata in presentation format: in double
 *   quotes (a client written against netcup's OpenAPI document quotes the
 *   refusal "TXT rdata must be enclosed in quotation marks"), the value stored
 *   without them and listed with them; reading `txtRdata: 'lenient'` takes
 *   unquoted rdata too and lists values unquoted.
 * - Knobs for what the sources leave open: whether a second value on a scope
 *   coexists with the first or replaces it; whether the general-record
 *   endpoints (changeset, revisions) exist.
 *
 * Every change goes to the ZoneStore the test DNS server serves.
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { serveHandlers, type EmulatorServer } from '../http-server.js';
import type { RecordType, StoredRecord, ZoneStore } from '../zone-store.js';
import type { ReadingCase } from '../readings.js';

/** What the sources leave open about the REST API; the defaults are the first of each. */
export interface NetcupRestReadings {
  /**
   * TXT rdata on the changeset endpoint: `quoted` refuses rdata not in double
   * quotes (validationError) and lists values quoted; `lenient` also takes
   * unquoted rdata (as the value itself) and lists values unquoted. Quoted
   * rdata is the presentation format under both: the quotes are not part of the value.
   */
  txtRdata?: 'quoted' | 'lenient';
}

export type NetcupRestReadingCase = ReadingCase<NetcupRestReadings>;

/** Every reading dns01 is tested under, each named for test titles. */
export const NETCUP_REST_READINGS: readonly NetcupRestReadingCase[] = [
  { label: 'TXT rdata must be quoted', readings: {} },
  { label: 'unquoted TXT rdata accepted, listed unquoted', readings: { txtRdata: 'lenient' } },
];

export interface NetcupRestEmulatorOptions {
  store: ZoneStore;
  /** Domains on CloudDNS (`isDnsManaged: true`), each a zone in the store. */
  zones: string[];
  /** Domains of the account still on the legacy backend (`isDnsManaged: false`). */
  legacyZones?: string[];
  /** The valid REST API key. */
  apiKey: string;
  /** A second value on a scope: kept beside the first (default) or replacing it. */
  secondValue?: 'coexist' | 'replace';
  /** Whether the general-record endpoints (changeset, revisions) exist (default false). */
  changeset?: boolean;
  /** After this long a challenge record reports `status: deployed` (default 1500 ms). */
  deployDelayMs?: number;
  now?: () => number;
  /** Which reading to play (default: the first of each). */
  readings?: NetcupRestReadings;
}

export interface NetcupRestEmulator {
  url: string;
  /** The base URL for NETCUP_REST_ENDPOINT (`<url>/v1`). */
  endpoint: string;
  server: EmulatorServer;
  /** Requests per operation: lookup, list, add, get, delete, revisions, records, changeset. */
  operationCounts(): Record<string, number>;
  /** The domain id the API gives a zone. */
  domainId(zone: string): number | undefined;
  close(): Promise<void>;
}

const BASE = '/v1';
const ACME_VALUE = /^[A-Za-z0-9_-]{43}$/;
const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const SCOPE_LABEL = /^(\*|[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)$/;
const GENERAL_TYPES: readonly RecordType[] = ['A', 'AAAA', 'TXT', 'CNAME', 'MX', 'CAA', 'SRV'];

interface Domain {
  id: number;
  fqdn: string;
  isDnsManaged: boolean;
}

const reply = (status: number, body: unknown) => new HttpResponse(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const success = (result: unknown, status = 200, meta: unknown = null) => reply(status, { success: true, errors: [], messages: [], meta, result });
const failure = (status: number, code: string, message: string) =>
  reply(status, { success: false, errors: [{ code, message }], messages: [], meta: null, result: null });
const notFound = (message: string) => failure(404, 'resourceDoesNotExist', message);
const invalid = (message: string) => failure(400, 'validationError', message);
/** A page of everything: the domain lookup's pagination has no `lastPage`, the revision lists' has. */
const onePage = (count: number, perPage: number, withLastPage: boolean) => ({
  pagination: { page: 1, perPage, totalEntries: count, ...(withLastPage ? { lastPage: 1 } : {}) },
});
const NO_RESULT = 'No result was found.';
/** TXT rdata in presentation format: one string in double quotes. */
const QUOTED = /^"((?:[^"\\]|\\.)*)"$/;

function buildNetcupRest(options: NetcupRestEmulatorOptions): { handlers: RequestHandler[]; knobs: Pick<NetcupRestEmulator, 'operationCounts' | 'domainId'> } {
  const { store } = options;
  const now = options.now ?? Date.now;
  const deployDelayMs = options.deployDelayMs ?? 1500;
  const domains = new Map<string, Domain>();
  let nextId = 4711;
  for (const fqdn of options.zones) domains.set(fqdn, { id: nextId++, fqdn, isDnsManaged: true });
  for (const fqdn of options.legacyZones ?? []) domains.set(fqdn, { id: nextId++, fqdn, isDnsManaged: false });
  const byId = new Map([...domains.values()].map((d) => [d.id, d]));
  const createdAt = new Map<string, number>();
  const counts: Record<string, number> = {};

  const authorized = (request: Request) => request.headers.get('authorization') === `Bearer ${options.apiKey}`;
  const count = (op: string) => (counts[op] = (counts[op] ?? 0) + 1);

  /** The domain of a path id, DNS-managed; or the error reply. */
  const managed = (rawId: unknown): Domain | Response => {
    const domain = byId.get(Number(rawId));
    if (!domain || !/^\d+$/.test(String(rawId))) return notFound(`Domain ${String(rawId)} does not exist.`);
    if (!domain.isDnsManaged) return invalid(`The DNS of ${domain.fqdn} is not managed by CloudDNS; use the legacy API.`);
    return domain;
  };

  const nameOf = (scope: string, zone: string) => (scope === '@' ? `_acme-challenge.${zone}` : `_acme-challenge.${scope}.${zone}`);
  const scopeOf = (name: string, zone: string): string | undefined => {
    if (name === `_acme-challenge.${zone}`) return '@';
    if (name.startsWith('_acme-challenge.') && name.endsWith(`.${zone}`)) return name.slice('_acme-challenge.'.length, -(zone.length + 1));
    return undefined;
  };
  const validScope = (scope: string) => scope === '@' || (scope.length <= 200 && scope.split('.').every((l) => SCOPE_LABEL.test(l)));

  const challenges = (domain: Domain) =>
    store.records(domain.fqdn, { type: 'TXT' }).flatMap((r) => {
      const scope = scopeOf(r.name, domain.fqdn);
      if (scope === undefined) return [];
      const made = createdAt.get(r.id);
      const status = made === undefined || now() - made >= deployDelayMs ? 'deployed' : 'pending';
      return [{ scope, fqdn: r.name, value: r.data, status }];
    });

  const relative = (r: StoredRecord, zone: string) => (r.name === zone ? '@' : r.name.slice(0, -(zone.length + 1)));
  const lenient = options.readings?.txtRdata === 'lenient';
  /** A stored TXT value as the general endpoints list it. */
  const listedRdata = (r: StoredRecord) => (r.type === 'TXT' && !lenient ? `"${r.data.replace(/(["\\])/g, '\\$1')}"` : r.data);
  /** The value a changeset's TXT rdata stands for; undefined when the API refuses it (not quoted). */
  const txtValue = (rdata: string): string | undefined => {
    const quoted = QUOTED.exec(rdata);
    if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1');
    return lenient ? rdata : undefined;
  };
  const general = (domain: Domain) =>
    store
      .records(domain.fqdn)
      .filter((r) => r.type !== 'SOA')
      .map((r) => ({ identifier: r.id, name: relative(r, domain.fqdn), type: r.type, rdata: listedRdata(r), ttl: r.ttl }));
  const revisionId = (domain: Domain) => `rev-${store.serial(domain.fqdn)}`;

  const guard =
    (handler: (args: { request: Request; params: Record<string, string | readonly string[] | undefined> }) => Promise<Response> | Response) =>
    async (args: { request: Request; params: Record<string, string | readonly string[] | undefined> }) => {
      if (!authorized(args.request)) return failure(400, 'authenticationError', 'Authentication token is not valid or has expired.');
      return handler(args);
    };

  const handlers: RequestHandler[] = [
    http.get(
      `*${BASE}/domain`,
      guard(({ request }) => {
        count('lookup');
        const fqdn = new URL(request.url).searchParams.get('fqdn');
        if (fqdn === null) return success([...domains.values()], 200, onePage(domains.size, 50, false));
        const name = fqdn.toLowerCase();
        if (name !== fqdn || !name.split('.').every((l) => HOST_LABEL.test(l)) || !name.includes('.')) {
          return invalid('Domain name is not a valid domain name.');
        }
        const domain = domains.get(name);
        return domain ? success([domain], 200, onePage(1, 50, false)) : notFound('No results found, the page number may be too high.');
      }),
    ),

    http.get(
      `*${BASE}/domain/:id/acme/challenge`,
      guard(({ params }) => {
        count('list');
        const domain = managed(params.id);
        return domain instanceof Response ? domain : success(challenges(domain));
      }),
    ),

    http.post(
      `*${BASE}/domain/:id/acme/challenge`,
      guard(async ({ request, params }) => {
        count('add');
        const domain = managed(params.id);
        if (domain instanceof Response) return domain;
        let body: unknown;
        try {
          body = await request.json();
        } catch {
          return invalid('The request body is not JSON.');
        }
        const { scope, value } = (body ?? {}) as { scope?: unknown; value?: unknown };
        if (typeof scope !== 'string' || !validScope(scope)) return invalid('scope must be "@" or the labels between _acme-challenge. and the domain.');
        if (typeof value !== 'string' || !ACME_VALUE.test(value)) return invalid('value must be an ACME challenge digest: 43 characters of base64url.');
        const name = nameOf(scope, domain.fqdn);
        const onScope = store.records(domain.fqdn, { name, type: 'TXT' });
        const existing = onScope.find((r) => r.data === value);
        if (!existing) {
          const removeIds = options.secondValue === 'replace' ? onScope.map((r) => r.id) : [];
          const [added] = store.change(domain.fqdn, { add: [{ name, type: 'TXT', data: value }], removeIds });
          createdAt.set(added!.id, now());
        }
        return success(
          challenges(domain).filter((c) => c.scope === scope && c.value === value),
          existing ? 200 : 201,
        );
      }),
    ),

    http.get(
      `*${BASE}/domain/:id/acme/challenge/:scope/:value`,
      guard(({ params }) => {
        count('get');
        const domain = managed(params.id);
        if (domain instanceof Response) return domain;
        const hit = challenges(domain).filter((c) => c.scope === params.scope && c.value === params.value);
        return hit.length > 0 ? success(hit) : notFound(NO_RESULT);
      }),
    ),

    http.delete(
      `*${BASE}/domain/:id/acme/challenge/:scope/:value`,
      guard(({ params }) => {
        count('delete');
        const domain = managed(params.id);
        if (domain instanceof Response) return domain;
        const scope = String(params.scope);
        if (!validScope(scope)) return invalid('scope is not valid.');
        const doomed = store.records(domain.fqdn, { name: nameOf(scope, domain.fqdn), type: 'TXT' }).filter((r) => r.data === params.value);
        if (doomed.length === 0) return notFound(NO_RESULT);
        store.remove(
          domain.fqdn,
          doomed.map((r) => r.id),
        );
        return new HttpResponse(null, { status: 204 });
      }),
    ),
  ];

  if (options.changeset) {
    handlers.push(
      http.get(
        `*${BASE}/domain/:id/dns/revision`,
        guard(({ params }) => {
          count('revisions');
          const domain = managed(params.id);
          if (domain instanceof Response) return domain;
          const revision = { identifier: revisionId(domain), createdAt: new Date(now()).toISOString(), state: 'committed' };
          return success([revision], 200, onePage(1, 100, true));
        }),
      ),
      http.get(
        `*${BASE}/domain/:id/dns/revision/:revision/record`,
        guard(({ params }) => {
          count('records');
          const domain = managed(params.id);
          if (domain instanceof Response) return domain;
          if (params.revision !== revisionId(domain)) return notFound(`Revision ${String(params.revision)} does not exist.`);
          const records = general(domain);
          return success(records, 200, onePage(records.length, 1000, true));
        }),
      ),
      http.post(
        `*${BASE}/domain/:id/changeset`,
        guard(async ({ request, params }) => {
          count('changeset');
          const domain = managed(params.id);
          if (domain instanceof Response) return domain;
          const body = (await request.json().catch(() => undefined)) as { create?: unknown; delete?: unknown; autoCommit?: unknown } | undefined;
          if (!body || body.autoCommit !== true) return invalid('Only autoCommit changesets are emulated.');
          const toName = (name: unknown) => (name === '@' ? domain.fqdn : `${String(name)}.${domain.fqdn}`);
          const parse = (list: unknown) => {
            if (list === undefined) return [];
            if (!Array.isArray(list)) throw new Error('create and delete must be lists of records.');
            return list.map((r: { name?: unknown; type?: unknown; rdata?: unknown; ttl?: unknown }) => {
              if (typeof r.name !== 'string' || typeof r.rdata !== 'string' || typeof r.ttl !== 'number' || !GENERAL_TYPES.includes(r.type as RecordType)) {
                throw new Error('Every record needs name, type, rdata and ttl.');
              }
              const data = r.type === 'TXT' ? txtValue(r.rdata) : r.rdata;
              if (data === undefined) throw new Error('TXT rdata must be enclosed in quotation marks');
              return { name: toName(r.name), type: r.type as RecordType, data, ttl: r.ttl };
            });
          };
          let create, remove;
          try {
            create = parse(body.create);
            remove = parse(body.delete);
          } catch (error) {
            return invalid((error as Error).message);
          }
          const current = store.records(domain.fqdn);
          const removeIds: string[] = [];
          for (const r of remove) {
            const match = current.find((c) => c.name === r.name && c.type === r.type && c.data === r.data && c.ttl === r.ttl);
            if (!match) return invalid(`strict: no record ${r.type} ${r.name} "${r.data}" ttl ${r.ttl} to delete.`);
            removeIds.push(match.id);
          }
          store.change(domain.fqdn, {
            add: create.filter((r) => !current.some((c) => c.name === r.name && c.type === r.type && c.data === r.data)),
            removeIds,
          });
          return success({ identifier: revisionId(domain), state: 'committed' });
        }),
      ),
    );
  }

  // Any other path under the API, as an API that does not have it answers.
  handlers.push(
    http.all(
      `*${BASE}/*`,
      guard(() => notFound('No such resource.')),
    ),
  );

  return {
    handlers,
    knobs: {
      operationCounts: () => ({ ...counts }),
      domainId: (zone) => domains.get(zone)?.id,
    },
  };
}

/** The msw handlers of the emulator. */
export function createNetcupRestHandlers(options: NetcupRestEmulatorOptions): RequestHandler[] {
  return buildNetcupRest(options).handlers;
}

/** Serves the emulator over loopback HTTP. */
export async function startNetcupRestEmulator(options: NetcupRestEmulatorOptions): Promise<NetcupRestEmulator> {
  const { handlers, knobs } = buildNetcupRest(options);
  const server = await serveHandlers(handlers);
  return { ...knobs, url: server.url, endpoint: `${server.url}${BASE}`, server, close: () => server.close() };
}

/** A test world's netcup account with the REST API: which zones are on CloudDNS, and the knobs. */
export interface NetcupRestWorldOptions extends Pick<NetcupRestEmulatorOptions, 'secondValue' | 'changeset' | 'deployDelayMs' | 'readings'> {
  /** Zones on CloudDNS (default: every zone of the world); the others stay on the legacy backend (CCP API). */
  cloudZones?: string[];
  /** Whether the legacy CCP credentials are set as well (default true). */
  legacyCredentials?: boolean;
}

/** The fixed REST key of test worlds: 64 characters like a real one, recognisably fake. */
export const TEST_REST_API_KEY = 'nc-rest-test-key-'.padEnd(64, 'Zq7');
