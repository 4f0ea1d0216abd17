import { challengeName, challengeTarget, describeError, isOutcomeUnknown, type Logger } from '@dns01/provider-client/internal';
import type { GatewaySession } from './gateway-session.js';
import type { Ledger, LedgerEntry, Protocol } from './ledger.js';
import { ZoneWriter } from './zone-writer.js';

/** One request for a record: the client (already authenticated and checked against its scope), the domain whose challenge name it is, the value. */
export interface RecordRequest {
  client: string;
  protocol: Protocol;
  /** The domain as the certificate names it (`example.com`; `*.example.com` means the same challenge name). */
  domain: string;
  value: string;
}

/** Told of everything the records do on their own (sweeps, recovery, the two-value rule): the audit log. */
export type RecordEvent = {
  action: 'sweep' | 'recover' | 'replace';
  entry: LedgerEntry;
  result: 'deleted' | 'absent' | 'kept' | 'error';
  ms: number;
  detail?: string;
};

export interface RecordsOptions {
  session: GatewaySession;
  ledger: Ledger;
  logger: Logger;
  /** Records older than this are deleted by the sweeper. */
  maxAgeMs: number;
  onEvent?: (event: RecordEvent) => void;
  /** Seconds from a request to the record written at the provider (metrics). */
  onWrite?: (seconds: number) => void;
  now?: () => number;
}

/** The values acme-dns keeps per name (apex + wildcard need two). */
export const ACME_DNS_KEPT = 2;

/**
 * The gateway's records: every add goes into the ledger (durably) before
 * the provider is asked, every delete is the provider's exact delete of a
 * ledger entry's name and value, and an entry leaves the ledger only once
 * its record is gone. Nothing outside the ledger is ever deleted.
 */
export class Records {
  private readonly writer: ZoneWriter;
  /** Entries being deleted now (a sweep does not start a second delete of them). */
  private readonly retiring = new Set<string>();
  /** Entries whose add is under way, settled when it is done (a delete of one waits for it). */
  private readonly placing = new Map<string, Promise<void>>();
  /** Entries whose add failed with an unknown outcome (the record may be there): due at the next sweep, not at the maximum age. */
  private readonly unsettled = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly options: RecordsOptions) {
    this.writer = new ZoneWriter(options.session.provider);
    this.now = options.now ?? Date.now;
  }

  /** Changes waiting for their zone's next batch, or under way. */
  get writerDepth(): number {
    return this.writer.depth;
  }

  /**
   * Creates the record (following a CNAME at the challenge name) and keeps
   * it in the ledger. A record the client placed before with the same value
   * is placed again (the provider's add is idempotent) and its clock starts
   * anew. Returns the ledger entry.
   */
  async present(request: RecordRequest): Promise<LedgerEntry> {
    const { session, ledger } = this.options;
    const started = this.now();
    const asked = challengeName(request.domain);
    const name = await challengeTarget(session.dns, request.domain);
    const zone = await session.provider.findZone(name);
    const existing = ledger
      .all()
      .find((e) => e.client === request.client && e.name === name && e.value === request.value && e.protocol === request.protocol && !this.retiring.has(e.id));
    const entry =
      existing ??
      ledger.add({ client: request.client, protocol: request.protocol, asked, name, zone, value: request.value, created: new Date(started).toISOString() });
    if (existing) ledger.update(existing.id, { created: new Date(started).toISOString() });
    // Durable before the provider hears of it: a crash from here on leaves an entry the next start deletes exactly.
    const placing = ledger.flush().then(() => this.writer.add(zone, name, request.value));
    // Known at once (this tick): a cleanup of the entry from now on waits for the add, so it never deletes first and leaves the add behind.
    const settled = Promise.all([this.placing.get(entry.id), placing.catch(() => undefined)]).then(() => undefined);
    this.placing.set(entry.id, settled);
    void settled.then(() => this.placing.get(entry.id) === settled && this.placing.delete(entry.id));
    try {
      await placing;
    } catch (error) {
      if (existing) throw error;
      if (isOutcomeUnknown(error)) {
        // It may be there: delete it exactly, in the background (the next sweep tries again if this fails).
        this.unsettled.add(entry.id);
        void this.retire(entry, 'sweep').catch(() => undefined);
      } else {
        ledger.remove(entry.id);
        void ledger.flush().catch((e: unknown) => this.options.logger.error(`writing the ledger failed: ${describeError(e)}`));
      }
      throw error;
    }
    this.options.onWrite?.((this.now() - started) / 1000);
    // A record the provider had already is not ours to delete, unless one of our entries made it (that one keeps it).
    // (An entry made heir of one that created it while this add was under way stays `present`.)
    const outcome = await placing;
    if (!existing) ledger.update(entry.id, { state: outcome === 'created' || ledger.get(entry.id)?.state === 'present' ? 'present' : 'found' });
    // Durable before the reply: a crash after it must find `found` on disk, never `adding`, which the next start would delete.
    await ledger.flush();
    return entry;
  }

  /** Deletes the records this client created with this value at the domain's challenge name (following a CNAME as present did). Returns how many. */
  async cleanup(request: RecordRequest): Promise<number> {
    const name = await challengeTarget(this.options.session.dns, request.domain);
    const mine = this.options.ledger.all().filter((e) => e.client === request.client && e.name === name && e.value === request.value);
    await Promise.all(mine.map((e) => this.retire(e)));
    return mine.length;
  }

  /**
   * acme-dns keeps the last two values per name and has no delete: after an
   * update, this client's older acme-dns values at that name are deleted
   * exactly, so at most two remain. Failures are told to onEvent and left to the sweeper.
   */
  async keepLatest(entry: LedgerEntry, kept = ACME_DNS_KEPT): Promise<void> {
    const siblings = this.options.ledger
      .all()
      .filter((e) => e.client === entry.client && e.protocol === entry.protocol && e.asked === entry.asked && !this.retiring.has(e.id))
      .sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : a.id === entry.id ? -1 : 0));
    const older = siblings.slice(kept).filter((e) => e.id !== entry.id);
    await Promise.all(older.map((e) => this.retire(e, 'replace').catch(() => undefined)));
  }

  /** Deletes every entry older than the maximum age (and any earlier delete that failed and is that old), and every add that failed with an unknown outcome. */
  async sweep(): Promise<void> {
    const cutoff = this.now() - this.options.maxAgeMs;
    const due = this.options.ledger.all().filter((e) => (Date.parse(e.created) <= cutoff || this.unsettled.has(e.id)) && !this.retiring.has(e.id));
    await Promise.all(due.map((e) => this.retire(e, 'sweep').catch(() => undefined)));
  }

  /** At start: every entry is a leftover of the last run (a crash or a stop), deleted exactly. */
  async recover(): Promise<{ deleted: number; failed: number }> {
    const entries = this.options.ledger.all();
    const results = await Promise.allSettled(entries.map((e) => this.retire(e, 'recover')));
    return { deleted: results.filter((r) => r.status === 'fulfilled').length, failed: results.filter((r) => r.status === 'rejected').length };
  }

  /**
   * Deletes an entry's record exactly and then the entry. Where another entry
   * holds the same name and value (another client, or the other protocol),
   * only this entry goes: the record stays for that one, which inherits the
   * duty to delete it if this one created it. A record the provider had
   * before (`found`) is never deleted: only the entry goes.
   */
  private async retire(entry: LedgerEntry, action?: RecordEvent['action']): Promise<void> {
    const { ledger } = this.options;
    if (this.retiring.has(entry.id) || !ledger.get(entry.id)) return;
    this.retiring.add(entry.id);
    const started = this.now();
    try {
      await this.placing.get(entry.id);
      const current = ledger.get(entry.id) ?? entry;
      const others = ledger.all().filter((e) => e.id !== entry.id && e.name === entry.name && e.value === entry.value && !this.retiring.has(e.id));
      let outcome: RecordEvent['result'];
      if (others.length > 0) {
        if (current.state !== 'found' && !others.some((e) => e.state === 'present')) ledger.update(others[0]!.id, { state: 'present' });
        outcome = 'kept';
      } else {
        outcome = current.state === 'found' ? 'kept' : await this.writer.delete(entry.zone, entry.name, entry.value);
      }
      ledger.remove(entry.id);
      this.unsettled.delete(entry.id);
      if (action) this.options.onEvent?.({ action, entry, result: outcome, ms: this.now() - started });
      await ledger.flush();
    } catch (error) {
      if (action) this.options.onEvent?.({ action, entry, result: 'error', ms: this.now() - started, detail: describeError(error) });
      throw error;
    } finally {
      this.retiring.delete(entry.id);
    }
  }
}
