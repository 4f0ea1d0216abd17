import type { z } from 'zod';
import type { ProviderDeps, RunCache } from '../../../contract.js';
import { ProviderApiError } from '../../../errors.js';
import { createHttpClient, type HttpClient } from '../../../http.js';
import { replyParser } from '../../../kit/index.js';
import { silentLogger, type Logger } from '../../../log.js';
import { registerSecret } from '../../../redact.js';
import type { NetcupLegacyCredentials } from '../settings.js';
import { netcupError, NetcupStatus, PROVIDER } from './errors.js';
import { dnsRecordSetSchema, envelopeSchema, loginDataSchema, zoneInfoSchema, type NetcupEnvelope, type NetcupRecord, type NetcupZoneInfo } from './schemas.js';

const replies = replyParser(PROVIDER, 'The netcup API may have changed or a proxy altered the reply; run with DNS01_LOG_LEVEL=debug and report it');

/** netcup ends a session after 15 minutes without a request; a cached one is used for at most 14. */
export const SESSION_IDLE_MS = 14 * 60_000;
const SESSION_KEY = 'session';

/** A record to add (no id) or to delete (its id plus the exact data, deleterecord true). */
export type RecordChange =
  { hostname: string; type: string; destination: string } | { id: string; hostname: string; type: string; destination: string; deleterecord: true };

/**
 * Success is any 2xxx statuscode (the document names only 2000; other 2xxx
 * codes and status words such as "pending" are success too), unless the
 * status word says "error".
 */
export function isSuccess(reply: Pick<NetcupEnvelope, 'status' | 'statuscode'>): boolean {
  return reply.statuscode >= 2000 && reply.statuscode < 3000 && reply.status.trim().toLowerCase() !== 'error';
}

interface CallOptions {
  /** The session may be created/renewed for this call (all but login/logout). */
  session: boolean;
  idempotent: boolean;
  domain?: string;
}

/**
 * The CCP JSON API: `POST <endpoint>?JSON` with `{action, param}`. One login
 * per client, shared by concurrent calls; on 4001 (session expired) one new
 * login and one repeat of the call.
 *
 * With a run cache (hook processes of one run), the session outlives the
 * process: a cached session id is used instead of a login and is kept in the
 * cache at the end instead of logged out, for the run's later processes and
 * the next run (a cron job renewing several certificates), until netcup's
 * idle limit ends it; a logout would cost a call and the next run a login. A
 * cached session that netcup rejects is dropped; the one new login and repeat
 * follow as for any expired session.
 */
export interface NetcupClient {
  /** The zone's data, or undefined when the account does not hold the domain (5028, or 5031). */
  infoDnsZone(domainname: string): Promise<NetcupZoneInfo | undefined>;
  /** Every record of the zone; a zone without records is an empty list, not an error. */
  infoDnsRecords(domainname: string): Promise<NetcupRecord[]>;
  /**
   * Adds records without id and deletes records with id + deleterecord.
   * Only the changed records are sent, never the whole set. Returns the
   * zone's records after the change as netcup reports them, or undefined
   * when the success reply carries none (an empty string, or no
   * `dnsrecords` after a change that left the zone empty): the caller then
   * reads the zone with infoDnsRecords.
   */
  updateDnsRecords(domainname: string, changes: RecordChange[]): Promise<NetcupRecord[] | undefined>;
  /**
   * Ends the session, if there is one. Never throws: the outcome no longer
   * matters to the caller. With a run cache the session is kept there
   * instead, for the rest of its idle lifetime.
   */
  logout(): Promise<void>;
}

export function createNetcupClient(
  config: NetcupLegacyCredentials & { endpoint: string },
  deps: Pick<ProviderDeps, 'logger' | 'http' | 'runCache' | 'observe'> = { logger: silentLogger },
): NetcupClient {
  const log: Logger = deps.logger;
  const http: HttpClient = createHttpClient({ ...deps.http, provider: PROVIDER, baseUrl: config.endpoint, logger: deps.logger });
  const cache: RunCache | undefined = deps.runCache;
  let session: Promise<string> | undefined;
  /** When netcup last saw the session (its idle clock starts there). */
  let lastUse = 0;

  /** A session id an earlier process of the run left in the cache, registered as a secret. */
  function cachedSession(): string | undefined {
    const id = cache?.get(SESSION_KEY);
    if (id !== undefined) registerSecret(id);
    return id;
  }

  function login(): Promise<string> {
    session ??= (async () => {
      const cached = cachedSession();
      if (cached !== undefined) {
        log.debug('login: using the session of an earlier call of this run');
        return cached;
      }
      const reply = await post('login', { apipassword: config.apiPassword }, true);
      if (!isSuccess(reply)) throw netcupError('login', reply);
      const { apisessionid } = data('login', reply, loginDataSchema);
      registerSecret(apisessionid);
      lastUse = Date.now();
      cache?.set(SESSION_KEY, apisessionid, SESSION_IDLE_MS);
      log.debug('login: session opened');
      return apisessionid;
    })();
    const current = session;
    current.catch(() => {
      if (session === current) session = undefined;
    });
    return current;
  }

  async function call(action: string, params: Record<string, unknown>, options: CallOptions): Promise<NetcupEnvelope> {
    for (let attempt = 1; ; attempt++) {
      const sessionId = await login();
      const reply = await post(action, { ...params, apisessionid: sessionId }, options.idempotent);
      if (reply.statuscode !== NetcupStatus.sessionInvalid) lastUse = Date.now();
      if (isSuccess(reply)) {
        deps.observe?.('success', `status "${reply.status}", statuscode ${reply.statuscode}`, true);
        return reply;
      }
      if (reply.statuscode === NetcupStatus.sessionInvalid && attempt === 1) {
        log.debug(`${action}: session expired, logging in again`);
        if (session && (await session.catch(() => undefined)) === sessionId) session = undefined;
        if (cache?.get(SESSION_KEY) === sessionId) cache.delete(SESSION_KEY);
        continue;
      }
      if (action === 'infoDnsZone' && isUnknownDomain(reply)) return reply;
      if (action === 'infoDnsRecords' && isNoRecords(reply)) return reply;
      throw netcupError(action, reply, options.domain);
    }
  }

  /** One request: the envelope, parsed and checked, whatever its status. */
  async function post(action: string, params: Record<string, unknown>, idempotent: boolean): Promise<NetcupEnvelope> {
    const param = { customernumber: config.customerNumber, apikey: config.apiKey, ...params };
    const res = await http.request({ method: 'POST', path: '?JSON', action, json: { action, param }, idempotent });
    if (res.status !== 200) {
      throw new ProviderApiError(PROVIDER, action, `answered HTTP ${res.status}`, {
        hint: 'Check NETCUP_ENDPOINT (default https://ccp.netcup.net/run/webservice/servers/endpoint.php)',
        outcomeUnknown: !idempotent,
      });
    }
    const parsed = envelopeSchema.safeParse(res.json());
    if (!parsed.success) throw replies.shapeError(action, 'reply envelope', parsed.error, !idempotent);
    if (parsed.data.action !== '' && parsed.data.action.toLowerCase() !== action.toLowerCase()) {
      throw new ProviderApiError(PROVIDER, action, `answered for another action ("${parsed.data.action}")`, {
        hint: 'Check NETCUP_ENDPOINT; a proxy may be mixing up replies',
        outcomeUnknown: !idempotent,
      });
    }
    log.debug(`${action}: ${parsed.data.status} ${parsed.data.statuscode}`);
    return parsed.data;
  }

  function data<T>(action: string, reply: NetcupEnvelope, schema: z.ZodType<T>, domain?: string, write = false): T {
    if (!isSuccess(reply)) throw netcupError(action, reply, domain);
    return replies.parse(schema, reply.responsedata, action, 'responsedata', write);
  }

  return {
    async infoDnsZone(domainname) {
      const reply = await call('infoDnsZone', { domainname }, { session: true, idempotent: true, domain: domainname });
      if (!isSuccess(reply) && isUnknownDomain(reply)) {
        deps.observe?.('unknownDomain', `error ${reply.statuscode}`, true);
        return undefined;
      }
      return data('infoDnsZone', reply, zoneInfoSchema, domainname);
    },
    async infoDnsRecords(domainname) {
      const reply = await call('infoDnsRecords', { domainname }, { session: true, idempotent: true, domain: domainname });
      if (!isSuccess(reply) && isNoRecords(reply)) return [];
      return data('infoDnsRecords', reply, dnsRecordSetSchema, domainname).dnsrecords;
    },
    async updateDnsRecords(domainname, changes) {
      const param = { domainname, dnsrecordset: { dnsrecords: changes } };
      const reply = await call('updateDnsRecords', param, { session: true, idempotent: false, domain: domainname });
      const responsedata = reply.responsedata;
      if (responsedata === '' || responsedata === null || responsedata === undefined || (typeof responsedata === 'object' && !('dnsrecords' in responsedata))) {
        deps.observe?.('updateReply', `without the records (${JSON.stringify(responsedata) ?? 'nothing'})`, true);
        log.debug(`updateDnsRecords: the success reply lists no records (${JSON.stringify(responsedata)})`);
        return undefined;
      }
      deps.observe?.('updateReply', 'with the records after the change', true);
      return data('updateDnsRecords', reply, dnsRecordSetSchema, domainname, true).dnsrecords;
    },
    async logout() {
      const pending = session;
      session = undefined;
      let id: string | undefined;
      try {
        id = await pending;
      } catch {
        id = undefined;
      }
      if (cache) {
        const left = lastUse + SESSION_IDLE_MS - Date.now();
        if (id !== undefined && left > 0) cache.set(SESSION_KEY, id, left);
        return;
      }
      if (id === undefined) return;
      try {
        const reply = await post('logout', { apisessionid: id }, true);
        if (!isSuccess(reply)) log.debug(`logout: netcup answered ${reply.statuscode}`);
      } catch (error) {
        log.debug(`logout failed (the session expires by itself after 15 minutes idle): ${(error as Error).message}`);
      }
    },
  };
}

/** netcup answers a zone without records with an error status (5029, whatever its words); that is an empty list. */
function isNoRecords(reply: NetcupEnvelope): boolean {
  return reply.statuscode === NetcupStatus.noRecords;
}

/** infoDnsZone's answers for a registrable domain the account does not hold: 5028, or 5031 (recorded in 2019). */
function isUnknownDomain(reply: NetcupEnvelope): boolean {
  return reply.statuscode === NetcupStatus.domainNotFound || reply.statuscode === NetcupStatus.zoneNotFound;
}
