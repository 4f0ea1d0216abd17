import { randomBytes } from 'node:crypto';
import type { ProviderDeps, Zone } from '../../contract.js';
import { InvalidInputError, isOutcomeUnknown, ProviderApiError } from '../../errors.js';
import { missingFrom, type RecordView, type RemoveResult } from '../../kit/index.js';
import { describeError } from '../../redact.js';
import { unquoteTxt } from '../../txt.js';
import { aim, deletableAfterAdd, describeMeanings, MEANINGS, narrow, Slots, type Meaning, type Ownership, type Shot } from './aim.js';
import type { DeleteReply, XsserverClient } from './client.js';
import { PROVIDER, refusalError } from './errors.js';
import type { DnsRecordReply } from './schemas.js';

/** Guards one delete may place: one splits the slot meanings, a second covers a first that landed badly. */
const MAX_GUARDS = 2;
/** DELETEs one call may send: each either removes one of dns01's records or rules a meaning out. */
const MAX_SENDS = 10;
/** Tries of one number after failures that left the zone unchanged (each waits, then lists again). */
const DELETE_ATTEMPTS = 3;
/** How long a proven meaning is remembered across the run's processes: it only orders preferences. */
const REMEMBERED_MS = 30 * 24 * 3600_000;
const CACHE_KEY = 'delete-index';
/** Which meaning to try first where the choice is free: the recorded service API deletes by the listed id; the document's example numbers from 1. */
const EVIDENCE_ORDER: readonly Meaning[] = ['id', 'slot1', 'slot0'];
const ACTION = 'deleteDnsRecord';

export interface DeleterOptions {
  client: XsserverClient;
  deps: ProviderDeps;
  list(zone: Zone): Promise<readonly DnsRecordReply[]>;
  read(record: DnsRecordReply, zone: Zone): RecordView;
  domainId(zone: Zone): string;
}

/** What one account knows about DELETE's number, shared by every delete of this provider instance. */
interface Account {
  /** M: the meanings still possible. Narrowed only by what this process saw. */
  meanings: Set<Meaning>;
  /** The order to prefer meanings in where the choice is free: the run's memory first, then the evidence. */
  readonly preferred: readonly Meaning[];
  /** Zones that get no further deletes, with the error that said why. */
  readonly halted: Map<string, ProviderApiError>;
  learn(meanings: Set<Meaning>): void;
}

/**
 * Deletes dns01's own XSServer records by numbers whose meaning the API
 * does not say (aim.ts), and learns the meaning as it goes.
 *
 * The safety argument. The account keeps M, the meanings of DELETE's number
 * still possible (at first all three). Only this process's observations
 * narrow M; what the run cache remembers orders the choice, never narrows.
 * Every DELETE is aimed against a listing taken right before it (under the
 * zone's lock, in process and host-wide, so no other dns01 changes the zone
 * meanwhile) at a number whose target under every meaning in M is dns01's
 * own (a copy of the record being deleted, or a guard this call placed) or
 * nothing: whichever meaning is true, no other record can be hit. The
 * listing after it must lack at most one record, one that some meaning in M
 * predicted; M keeps exactly the meanings that predicted what happened
 * (nothing vanished: those that predicted nothing). Anything else (two
 * records gone, one no meaning predicted, every meaning ruled out) stops all
 * deletes to the zone, naming what vanished. A number whose targets would
 * include a foreign record, or an entry the list does not show, is never
 * sent; when no number is safe, a guard (a TXT of dns01's own at the same
 * name) is placed, which lands above every slot, where `slot + 1` hits it
 * under `slot1` and nothing under `slot0`: it tells those two apart. Where
 * even two guards leave no safe number, nothing more is sent and the error
 * names what is left. Assumed, not proven: a listing right after a DELETE
 * shows its effect; a refusal of a DELETE means it deleted nothing.
 */
export function createDeleter(options: DeleterOptions) {
  const { deps } = options;
  const remembered = (): Meaning[] => {
    try {
      const parsed: unknown = JSON.parse(deps.runCache?.get(CACHE_KEY) ?? '[]');
      return Array.isArray(parsed) ? MEANINGS.filter((m) => parsed.includes(m)) : [];
    } catch {
      return [];
    }
  };
  const account: Account = {
    meanings: new Set(MEANINGS),
    preferred: [...new Set([...remembered(), ...EVIDENCE_ORDER])],
    halted: new Map(),
    learn(next) {
      if (next.size === this.meanings.size) return;
      this.meanings = next;
      deps.logger.debug(`${ACTION}: DELETE takes ${describeMeanings(next)}`);
      deps.observe?.('deleteIndex', describeMeanings(next), true);
      deps.runCache?.set(CACHE_KEY, JSON.stringify([...next]), REMEMBERED_MS);
    },
  };

  return {
    /** Deletes one copy of the records' value (the kit matched them exactly in `listed`), then any guard it placed. */
    async remove(zone: Zone, records: readonly DnsRecordReply[], listed: readonly DnsRecordReply[] | undefined): Promise<RemoveResult<DnsRecordReply>> {
      const stop = account.halted.get(zone.name);
      if (stop) throw stop;
      return new Removal(options, account, zone, records, listed ?? (await options.list(zone))).run();
    },
    /** Whether a record added to this listing could be deleted again (aim.ts, deletableAfterAdd). */
    canDeleteAfterAdd: (listed: readonly DnsRecordReply[]) => deletableAfterAdd(new Slots(listed), account.meanings),
  };
}

export type Deleter = ReturnType<typeof createDeleter>;

/** One call of `remove`: the record it is after, the guards it placed, the listing it last saw. */
class Removal {
  private readonly guards = new Set<string>();
  private readonly named = new WeakSet<object>();
  private readonly target: { name: string; value: string };
  /** Copies of the target this call deleted. */
  private removed = 0;
  /** What no number reaches alone, once that is so: the call ends naming it. */
  private stuck: string | undefined;
  private failures = 0;
  private sent = 0;

  constructor(
    private readonly o: DeleterOptions,
    private readonly account: Account,
    private readonly zone: Zone,
    private readonly records: readonly DnsRecordReply[],
    private before: readonly DnsRecordReply[],
  ) {
    this.target = this.view(records[0]!);
  }

  async run(): Promise<RemoveResult<DnsRecordReply>> {
    try {
      for (;;) {
        const done = await this.step();
        if (done) return done;
      }
    } catch (error) {
      // A failure of the API itself (a listing, a refused login) keeps its kind, unless a guard stays behind to be named.
      if (this.named.has(error as object) || this.guardsIn(this.before).length === 0) throw error;
      throw this.failed(describeError(error), (error as { hint?: string }).hint ?? 'Try again later', { cause: error });
    }
  }

  /** One DELETE (or one guard), aimed at a copy of the target first, then at the guards; the result once nothing is left to aim at. */
  private async step(): Promise<RemoveResult<DnsRecordReply> | undefined> {
    const onTarget = this.removed === 0 && !this.stuck && this.before.some(this.isTarget);
    if (!onTarget && !this.before.some(this.isGuard)) return this.stuck ? this.giveUp() : this.result(this.before);
    const own = (r: DnsRecordReply): Ownership =>
      this.isTarget(r) ? (onTarget ? 'target' : 'guard') : this.isGuard(r) ? (onTarget ? 'guard' : 'target') : undefined;
    const shot = aim(new Slots(this.before), this.account.meanings, own, this.account.preferred);
    if (!shot) {
      if (onTarget && this.guards.size < MAX_GUARDS) return void (await this.placeGuard());
      // Nothing reaches the target alone: the guards still go where a number reaches them, then the error names what stays.
      this.stuck ??= onTarget ? this.txt : `the guard ${this.guardsIn(this.before).join(', ')}`;
      return onTarget ? undefined : this.giveUp();
    }
    if (++this.sent > MAX_SENDS)
      throw this.failed(`${MAX_SENDS} DELETEs did not remove ${this.txt}`, 'Another client is editing the zone; try again later', { transient: true });
    this.o.deps.logger.debug(
      `${ACTION}: ${shot.k} of ${this.zone.name} (${[...shot.hits].map(([m, h]) => `${m}: ${typeof h === 'object' ? this.key(h.record) : h}`).join('; ')})`,
    );
    const reply: DeleteReply | { error: unknown } = await this.o.client.deleteRecord(this.o.domainId(this.zone), shot.k).catch((error: unknown) => {
      if (!isOutcomeUnknown(error)) throw error;
      return { error };
    });
    const after = await this.o.list(this.zone);
    return this.judge(shot, reply, after);
  }

  /** What a DELETE did, by the listing after it: M narrowed, or the zone halted; the result where the call ends here. */
  private async judge(
    shot: Shot<DnsRecordReply>,
    reply: DeleteReply | { error: unknown },
    after: readonly DnsRecordReply[],
  ): Promise<RemoveResult<DnsRecordReply> | undefined> {
    const vanished = missingFrom(this.before.map(this.key), after.map(this.key));
    if (vanished.length > 1) throw this.changed(`DELETE ${shot.k}`, vanished);
    const gone = vanished.length === 1 ? this.before.find((r) => this.key(r) === vanished[0]) : undefined;
    if ('error' in reply && !gone) {
      // The request may never have arrived: it rules nothing out. Wait, list again, try again (bounded).
      if (++this.failures >= DELETE_ATTEMPTS) throw this.failed(describeError(reply.error), 'Try again later', { cause: reply.error, transient: true });
      this.o.deps.logger.debug(`${ACTION}: ${shot.k} failed and nothing changed; listing ${this.zone.name} again before the next try`);
      await new Promise((r) => setTimeout(r, (this.o.deps.http?.minRetryDelayMs ?? 500) * this.failures));
      this.before = await this.o.list(this.zone);
      return undefined;
    }
    if ('accepted' in reply && !reply.accepted && gone) {
      // A refusal deleted nothing: another client removed that record meanwhile. It rules nothing out.
      this.before = after;
      if (this.isTarget(gone) || this.isGuard(gone)) return undefined;
      this.o.deps.logger.warn(`${vanished[0]} vanished from ${this.zone.name} while DELETE ${shot.k} was refused: another client is editing the zone`);
      // Handed back before anything of ours is deleted: the kit's check of this remove must not count that record.
      return this.guardsIn(after).length === 0 ? this.result(after) : undefined;
    }
    const next = narrow(shot, gone, (a, b) => this.key(a) === this.key(b));
    if (next.size === 0) {
      if ('accepted' in reply && !reply.accepted) {
        const refusal = refusalError(reply.refusal, ACTION, `domain id ${this.o.domainId(this.zone)}`);
        throw this.failed(
          `the API refused DELETE ${shot.k}, which every reading still possible aims at a record of dns01's (${refusal.message})`,
          'Try again later; if it persists, delete the records named here in the XSServer client area',
          { cause: refusal },
        );
      }
      if (gone) throw this.changed(`DELETE ${shot.k}`, vanished);
      throw this.failed(
        `DELETE ${shot.k} was accepted but removed nothing, where every reading still possible aims at a record of dns01's`,
        'Check the zone at XSServer; report the record list (DNS01_LOG_LEVEL=debug) to the dns01 maintainers',
        { halt: true },
      );
    }
    this.account.learn(next);
    if (gone && this.isTarget(gone)) this.removed += 1;
    this.before = after;
    return undefined;
  }

  /** Adds a guard: a TXT of dns01's own at the target's name, with a value nobody else has. */
  private async placeGuard(): Promise<void> {
    const value = `dns01-guard-${randomBytes(8).toString('hex')}`;
    this.guards.add(value);
    const { name } = this.target;
    const relative = name === this.zone.name ? '@' : name.slice(0, -(this.zone.name.length + 1));
    this.o.deps.logger.debug(`${ACTION}: no number is safe yet; adding the guard TXT ${name} "${value}"`);
    try {
      await this.o.client.createRecord(this.o.domainId(this.zone), { name: relative, type: 'TXT', priority: '0', content: value });
    } catch (error) {
      // Whether it landed, the listing tells; a refused guard is simply not there to aim at.
      if (!isOutcomeUnknown(error) && !(error instanceof InvalidInputError) && !(error instanceof ProviderApiError)) throw error;
      this.o.deps.logger.debug(`${ACTION}: the guard's create failed: ${describeError(error)}`);
    }
    const after = await this.o.list(this.zone);
    const vanished = missingFrom(this.before.map(this.key), after.map(this.key));
    if (vanished.length > 0) throw this.changed('adding a guard', vanished);
    this.before = after;
  }

  private giveUp(): never {
    throw this.failed(
      `no number addresses ${this.stuck!} alone under every reading of DELETE still possible on this account (${describeMeanings(this.account.meanings)}); nothing more was sent`,
      'Delete the records named here in the XSServer client area; report the record list (DNS01_LOG_LEVEL=debug) to the dns01 maintainers',
    );
  }

  private result(listed: readonly DnsRecordReply[]): RemoveResult<DnsRecordReply> {
    return { removed: this.records.slice(0, this.removed), listed };
  }

  private view(r: DnsRecordReply) {
    const v = this.o.read(r, this.zone);
    return { ...v, value: v.type.toUpperCase() === 'TXT' ? unquoteTxt(v.data) : v.data };
  }

  private readonly key = (r: DnsRecordReply) => {
    const v = this.view(r);
    return `${v.type.toUpperCase()} ${v.name} "${v.value}"`;
  };

  /** A TXT's value at the target's name; undefined for any other record. */
  private valueOf(r: DnsRecordReply): string | undefined {
    const v = this.view(r);
    return v.type.toUpperCase() === 'TXT' && v.name === this.target.name ? v.value : undefined;
  }

  private readonly isTarget = (r: DnsRecordReply) => this.valueOf(r) === this.target.value;
  private readonly isGuard = (r: DnsRecordReply) => this.guards.has(this.valueOf(r) ?? '');
  private guardsIn(records: readonly DnsRecordReply[]): string[] {
    return records.filter(this.isGuard).map((r) => `TXT ${this.target.name} "${this.valueOf(r)!}"`);
  }

  private get txt(): string {
    return `TXT ${this.target.name} "${this.target.value}"`;
  }

  /** The error, naming what stays in the zone: the target unless deleted, and any guard; `halt`: no further deletes to the zone. */
  private failed(message: string, hint: string, options: { halt?: boolean; cause?: unknown; transient?: boolean } = {}): ProviderApiError {
    const left = [...(this.removed === 0 && this.before.some(this.isTarget) ? [this.txt] : []), ...this.guardsIn(this.before)];
    const error = new ProviderApiError(PROVIDER, ACTION, `${message}${left.length > 0 ? `; left behind: ${left.join(', ')}` : ''}`, {
      hint: options.halt ? `${hint}. No further deletes are sent to this zone` : hint,
      cause: options.cause,
      transient: options.transient ?? false,
    });
    if (options.halt) this.account.halted.set(this.zone.name, error);
    this.named.add(error);
    return error;
  }

  private changed(what: string, vanished: readonly string[]): ProviderApiError {
    return this.failed(
      `${what} removed ${vanished.join(', ')} from ${this.zone.name}, which no reading of DELETE's number predicted`,
      `The record list changed underneath (another client or the control panel edited ${this.zone.name} at the same time, or the API did more than asked); check the zone at XSServer and restore anything missing`,
      { halt: true },
    );
  }
}
