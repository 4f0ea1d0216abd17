import type { z } from 'zod';
import type { ProviderDeps } from '../../../contract.js';
import { InvalidInputError, ProviderApiError } from '../../../errors.js';
import { createHttpClient, type HttpMethod } from '../../../http.js';
import { replyParser } from '../../../kit/index.js';
import { silentLogger } from '../../../log.js';
import { PROVIDER, RestCode, restError } from './errors.js';
import {
  restChallengeSchema,
  restDomainSchema,
  restEnvelopeSchema,
  restRecordSchema,
  restRevisionSchema,
  type RestChallenge,
  type RestDomain,
  type RestRecord,
} from './schemas.js';

const replies = replyParser(PROVIDER, 'The netcup REST API may have changed or a proxy altered the reply; run with DNS01_LOG_LEVEL=debug and report it');

export interface RestClientConfig {
  apiKey: string;
  endpoint: string;
}

type Outcome<T> = { found: true; value: T; pages?: number } | { found: false };

const segment = (s: string) => encodeURIComponent(s);

/**
 * netcup's REST API (`https://api.netcup.com/v1`): a Bearer key on every
 * request, no session. Only the calls dns01 needs: the domain lookup, the
 * ACME challenge endpoints and, behind a switch, the general records.
 */
export interface NetcupRestClient {
  /** The account's domain with exactly this name, or undefined (`resourceDoesNotExist`, an empty list, or a name the API refuses as no host name). */
  findDomain(fqdn: string): Promise<RestDomain | undefined>;
  /** Every ACME challenge record of the domain. */
  listChallenges(domainId: number): Promise<RestChallenge[]>;
  /** Adds one value on a scope; the API treats an existing value as success, so a repeat is safe. */
  addChallenge(domainId: number, scope: string, value: string): Promise<void>;
  /** Deletes exactly (scope, value); `absent` when the API reports it does not exist. */
  deleteChallenge(domainId: number, scope: string, value: string): Promise<'deleted' | 'absent'>;
  /** The records of the domain's newest DNS revision (general-record endpoints; behind a switch). */
  listRecords(domainId: number): Promise<RestRecord[]>;
  /** One changeset, committed at once, strict (the API refuses rather than guesses). Not idempotent. */
  changeset(domainId: number, change: { create?: RestRecord[]; delete?: RestRecord[] }): Promise<void>;
}

export function createNetcupRestClient(config: RestClientConfig, deps: Pick<ProviderDeps, 'logger' | 'http'> = { logger: silentLogger }): NetcupRestClient {
  const http = createHttpClient({ ...deps.http, provider: PROVIDER, baseUrl: config.endpoint, logger: deps.logger });
  const parse = <T>(action: string, value: unknown, schema: z.ZodType<T>): T => replies.parse(schema, value, `REST ${action}`);

  /** A zone too large for one page is refused before any change, rather than read in part. */
  function onePage(action: string, pages: number | undefined): void {
    if (pages !== undefined && pages > 1) {
      throw new ProviderApiError(
        PROVIDER,
        `REST ${action}`,
        `answered with ${pages} pages; dns01 reads the general records only from a zone that fits one page`,
        {
          hint: 'Keep challenge names under _acme-challenge (the ACME endpoints need no listing of the zone)',
        },
      );
    }
  }

  const noGeneralRecords = (action: string) =>
    new ProviderApiError(PROVIDER, `REST ${action}`, 'the general-record endpoint does not exist here (resourceDoesNotExist)', {
      hint: 'Unset NETCUP_REST_CHANGESET and keep challenge names under _acme-challenge (point a CNAME at such a name)',
    });

  async function call(method: HttpMethod, path: string, action: string, options: { json?: unknown; idempotent?: boolean } = {}): Promise<Outcome<unknown>> {
    const res = await http.request({ method, path, action: `REST ${action}`, json: options.json, idempotent: options.idempotent, bearerToken: config.apiKey });
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
    if (!parsed.success) throw replies.shapeError(`REST ${action}`, 'reply', parsed.error, write);
    const reply = parsed.data;
    if (reply.success) return { found: true, value: reply.result, pages: reply.meta?.pagination?.lastPage };
    const codes = reply.errors.map((e) => e.code);
    if (codes.length > 0 && codes.every((c) => c === RestCode.notFound)) return { found: false };
    throw restError(action, reply);
  }

  return {
    async findDomain(fqdn) {
      let reply: Outcome<unknown>;
      try {
        reply = await call('GET', `/domain?fqdn=${encodeURIComponent(fqdn)}`, 'domain lookup');
      } catch (error) {
        // The API validates fqdn as a host name; a candidate it refuses is not a domain.
        if (error instanceof InvalidInputError) return undefined;
        throw error;
      }
      if (!reply.found) return undefined;
      return parse('domain lookup', reply.value, restDomainSchema.array()).find((d) => d.fqdn.toLowerCase().replace(/\.$/, '') === fqdn);
    },
    async listChallenges(domainId) {
      const reply = await call('GET', `/domain/${domainId}/acme/challenge`, 'challenge list');
      return reply.found ? parse('challenge list', reply.value, restChallengeSchema.array()) : [];
    },
    async addChallenge(domainId, scope, value) {
      const reply = await call('POST', `/domain/${domainId}/acme/challenge`, 'challenge add', { json: { scope, value }, idempotent: true });
      if (!reply.found) throw new ProviderApiError(PROVIDER, 'REST challenge add', `the domain ${domainId} no longer exists in this account`);
    },
    async deleteChallenge(domainId, scope, value) {
      const reply = await call('DELETE', `/domain/${domainId}/acme/challenge/${segment(scope)}/${segment(value)}`, 'challenge delete', { idempotent: true });
      return reply.found ? 'deleted' : 'absent';
    },
    async listRecords(domainId) {
      const revisions = await call('GET', `/domain/${domainId}/dns/revision?page=1&perPage=100`, 'revision list');
      if (!revisions.found) throw noGeneralRecords('revision list');
      onePage('revision list', revisions.pages);
      const list = parse('revision list', revisions.value, restRevisionSchema.array());
      const newest = [...list].sort((a, b) => Date.parse(a.createdAt ?? '') - Date.parse(b.createdAt ?? '')).at(-1);
      if (!newest) return [];
      const records = await call('GET', `/domain/${domainId}/dns/revision/${segment(newest.identifier)}/record?page=1&perPage=1000`, 'revision records');
      if (!records.found) throw noGeneralRecords('revision records');
      onePage('revision records', records.pages);
      return parse('revision records', records.value, restRecordSchema.array());
    },
    async changeset(domainId, change) {
      const strip = (r: RestRecord) => ({ name: r.name, type: r.type, rdata: r.rdata, ttl: r.ttl });
      const json = { autoCommit: true, strict: true, create: (change.create ?? []).map(strip), delete: (change.delete ?? []).map(strip) };
      const reply = await call('POST', `/domain/${domainId}/changeset`, 'changeset', { json, idempotent: false });
      if (!reply.found) throw noGeneralRecords('changeset');
    },
  };
}
