import type { z } from 'zod';
import type { ProviderDeps } from '../../../contract.js';
import { AuthenticationError, Dns01Error, InvalidInputError, ProviderApiError } from '../../../errors.js';
import { createHttpClient, type HttpClient, type HttpMethod } from '../../../http.js';
import { silentLogger } from '../../../log.js';
import {
  restChallengeSchema,
  restDomainSchema,
  restEnvelopeSchema,
  restRecordSchema,
  restRevisionSchema,
  type RestChallenge,
  type RestDomain,
  type RestEnvelope,
  type RestRecord,
} from './schemas.js';

const PROVIDER = 'netcup';

/** The `errors[].code` values this client acts on; HTTP status and message text decide nothing. */
export const RestCode = {
  authentication: 'authenticationError',
  notFound: 'resourceDoesNotExist',
  validation: 'validationError',
} as const;

export const REST_KEY_HINT =
  'Check NETCUP_REST_API_KEY: an API key from the CCP, Master Data > API, section "API keys" (64 characters), not a legacy API key';

export interface RestClientConfig {
  apiKey: string;
  endpoint: string;
}

type Outcome<T> = { found: true; value: T; pages?: number } | { found: false };

function codesOf(reply: RestEnvelope): string {
  const parts = reply.errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code));
  return parts.length > 0 ? parts.join('; ') : 'no error code given';
}

/** Maps an error reply to the typed error a caller acts on, by its codes. */
export function restError(action: string, reply: RestEnvelope): Dns01Error {
  const codes = new Set(reply.errors.map((e) => e.code));
  const detail = codesOf(reply);
  if (codes.has(RestCode.authentication)) {
    return new AuthenticationError(`netcup REST ${action}: the API key was refused (${detail})`, { hint: REST_KEY_HINT });
  }
  if (codes.has(RestCode.validation)) {
    return new InvalidInputError(`netcup REST ${action}: the request was rejected as invalid (${detail})`, {
      hint: 'Check the domain name and the TXT value (an ACME value is 43 characters of base64url); run with DNS01_LOG_LEVEL=debug for details',
    });
  }
  return new ProviderApiError(PROVIDER, `REST ${action}`, `the request failed (${detail})`, {
    hint: 'See the codes from netcup; run with DNS01_LOG_LEVEL=debug for details',
  });
}

/** `write`: the request changes the domain, so after an unreadable reply whether it did is unknown. */
function shapeError(action: string, error: z.ZodError, write = false): ProviderApiError {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return new ProviderApiError(PROVIDER, `REST ${action}`, `answered in an unexpected shape (${where}${issue?.message ?? 'invalid'})`, {
    hint: 'The netcup REST API may have changed or a proxy altered the reply; run with DNS01_LOG_LEVEL=debug and report it',
    outcomeUnknown: write,
  });
}

const segment = (s: string) => encodeURIComponent(s);

/**
 * netcup's REST API (`https://api.netcup.com/v1`): a Bearer key on every
 * request, no session. Only the calls dns01 needs: the domain lookup, the
 * ACME challenge endpoints and, behind a switch, the general records.
 */
export class NetcupRestClient {
  private readonly http: HttpClient;

  constructor(
    private readonly config: RestClientConfig,
    deps: Pick<ProviderDeps, 'logger' | 'http'> = { logger: silentLogger },
  ) {
    this.http = createHttpClient({ ...deps.http, provider: PROVIDER, baseUrl: config.endpoint, logger: deps.logger });
  }

  /** The account's domain with exactly this name, or undefined (`resourceDoesNotExist`, or an empty list). */
  async findDomain(fqdn: string): Promise<RestDomain | undefined> {
    const reply = await this.call('GET', `/domain?fqdn=${encodeURIComponent(fqdn)}`, 'domain lookup');
    if (!reply.found) return undefined;
    const domains = this.parse('domain lookup', reply.value, restDomainSchema.array());
    return domains.find((d) => d.fqdn.toLowerCase().replace(/\.$/, '') === fqdn);
  }

  /** Every ACME challenge record of the domain. */
  async listChallenges(domainId: number): Promise<RestChallenge[]> {
    const reply = await this.call('GET', `/domain/${domainId}/acme/challenge`, 'challenge list');
    return reply.found ? this.parse('challenge list', reply.value, restChallengeSchema.array()) : [];
  }

  /** Adds one value on a scope; the API treats an existing value as success, so a repeat is safe. */
  async addChallenge(domainId: number, scope: string, value: string): Promise<void> {
    const reply = await this.call('POST', `/domain/${domainId}/acme/challenge`, 'challenge add', { json: { scope, value }, idempotent: true });
    if (!reply.found) throw new ProviderApiError(PROVIDER, 'REST challenge add', `the domain ${domainId} no longer exists in this account`);
  }

  /** Deletes exactly (scope, value); `absent` when the API reports it does not exist. */
  async deleteChallenge(domainId: number, scope: string, value: string): Promise<'deleted' | 'absent'> {
    const reply = await this.call('DELETE', `/domain/${domainId}/acme/challenge/${segment(scope)}/${segment(value)}`, 'challenge delete', {
      idempotent: true,
    });
    return reply.found ? 'deleted' : 'absent';
  }

  /** The records of the domain's newest DNS revision (general-record endpoints; behind a switch). */
  async listRecords(domainId: number): Promise<RestRecord[]> {
    const revisions = await this.call('GET', `/domain/${domainId}/dns/revision?page=1&perPage=100`, 'revision list');
    if (!revisions.found) throw this.noGeneralRecords('revision list');
    this.onePage('revision list', revisions.pages);
    const list = this.parse('revision list', revisions.value, restRevisionSchema.array());
    const newest = [...list].sort((a, b) => Date.parse(a.createdAt ?? '') - Date.parse(b.createdAt ?? '')).at(-1);
    if (!newest) return [];
    const records = await this.call('GET', `/domain/${domainId}/dns/revision/${segment(newest.identifier)}/record?page=1&perPage=1000`, 'revision records');
    if (!records.found) throw this.noGeneralRecords('revision records');
    this.onePage('revision records', records.pages);
    return this.parse('revision records', records.value, restRecordSchema.array());
  }

  /** One changeset, committed at once, strict (the API refuses rather than guesses). Not idempotent. */
  async changeset(domainId: number, change: { create?: RestRecord[]; delete?: RestRecord[] }): Promise<void> {
    const strip = (r: RestRecord) => ({ name: r.name, type: r.type, rdata: r.rdata, ttl: r.ttl });
    const json = { autoCommit: true, strict: true, create: (change.create ?? []).map(strip), delete: (change.delete ?? []).map(strip) };
    const reply = await this.call('POST', `/domain/${domainId}/changeset`, 'changeset', { json, idempotent: false });
    if (!reply.found) throw this.noGeneralRecords('changeset');
  }

  /** A zone too large for one page is refused before any change, rather than read in part. */
  private onePage(action: string, pages: number | undefined): void {
    if (pages !== undefined && pages > 1) {
      throw new ProviderApiError(PROVIDER, `REST ${action}`, `answered with ${pages} pages; dns01 reads the general records only from a zone that fits one page`, {
        hint: 'Keep challenge names under _acme-challenge (the ACME endpoints need no listing of the zone)',
      });
    }
  }

  private noGeneralRecords(action: string): ProviderApiError {
    return new ProviderApiError(PROVIDER, `REST ${action}`, 'the general-record endpoint does not exist here (resourceDoesNotExist)', {
      hint: 'Unset NETCUP_REST_CHANGESET and keep challenge names under _acme-challenge (point a CNAME at such a name)',
    });
  }

  private async call(
    method: HttpMethod,
    path: string,
    action: string,
    options: { json?: unknown; idempotent?: boolean } = {},
  ): Promise<Outcome<unknown>> {
    const res = await this.http.request({
      method,
      path,
      action: `REST ${action}`,
      json: options.json,
      idempotent: options.idempotent,
      bearerToken: this.config.apiKey,
    });
    if (res.text.trim() === '') {
      if (res.status >= 200 && res.status < 300) return { found: true, value: undefined };
      throw new ProviderApiError(PROVIDER, `REST ${action}`, `answered HTTP ${res.status} without a body`, {
        hint: 'Check NETCUP_REST_ENDPOINT (default https://api.netcup.com/v1)',
      });
    }
    // An add or delete answered with something unreadable (an HTML page, a PHP warning) may still
    // have been carried out: idempotent as they are, their outcome is unknown, not failed.
    const write = method !== 'GET';
    let body: unknown;
    try {
      body = res.json();
    } catch (error) {
      if (!write || !(error instanceof ProviderApiError)) throw error;
      throw new ProviderApiError(PROVIDER, `REST ${action}`, error.message.replace(/^.*?: /, ''), { outcomeUnknown: true, hint: error.hint, cause: error });
    }
    const parsed = restEnvelopeSchema.safeParse(body);
    if (!parsed.success) throw shapeError(action, parsed.error, write);
    const reply = parsed.data;
    if (reply.success) return { found: true, value: reply.result, pages: reply.meta?.pagination?.lastPage };
    const codes = reply.errors.map((e) => e.code);
    if (codes.length > 0 && codes.every((c) => c === RestCode.notFound)) return { found: false };
    throw restError(action, reply);
  }

  private parse<T>(action: string, value: unknown, schema: z.ZodType<T>): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw shapeError(action, parsed.error);
    return parsed.data;
  }
}
