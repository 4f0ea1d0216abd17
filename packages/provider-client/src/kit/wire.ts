import type { DeleteOutcome, TxtRecord, Zone } from '../contract.js';

/**
 * The wire interface: what a backend implements so that the provider kit
 * (kit/provider.ts) can turn it into a DnsProvider. The kit holds the
 * algorithm every provider shares and the rules of the contract: it
 * normalises and checks every name and value before any call, serialises
 * what the backend declares unsafe, looks before it reports or resends a
 * write of unknown outcome, matches records exactly, and hands `remove`
 * only records that match. A backend speaks its API and declares what it
 * needs; it never matches, never decides "already there" or "already gone",
 * never retries a write on its own.
 *
 * `R` is a record as the backend's API lists it (netcup's
 * `{id, hostname, type, destination}`, XSServer's `{id, name, type, content}`):
 * the kit keeps it as it came and hands that same record to `remove`.
 */
export interface Wire<R> {
  /** The definition's name (`netcup`); DnsProvider.name. */
  readonly name: string;
  /** How messages name the provider, where it differs from `name` (`MrDomain`). */
  readonly label?: string;
  /** How the API writes the apex relative to the zone (Target.relative): `@` (the default) or the empty string. */
  readonly apex?: '@' | '';
  /** The actions named in messages about an add and a delete (`createDnsRecord`, `service/dnscreate`). */
  readonly actions: { readonly add: string; readonly remove: string };
  /**
   * What the kit serialises. `per`: one change at a time per zone (the
   * API's ids shift, or a change is read-modify-write) or per name (only
   * "is it there yet?" then "add" must not interleave). `reads`: listings
   * wait for a change in progress (positional ids, which a listing taken
   * mid-change would misstate). `hostWide`: the API is unsafe across
   * processes too (XSServer's positional deletes): every change also holds
   * the host-wide lock `ProviderDeps.hostLock` named by this account key
   * (a hash, never a credential) and the zone. Default: per zone.
   */
  readonly exclusive?: { readonly per?: 'zone' | 'name'; readonly reads?: boolean; readonly hostWide?: string };
  /**
   * What the kit may do after a write whose outcome is unknown
   * (`isOutcomeUnknown`: a timeout, a 5xx, an unreadable reply) once a fresh
   * listing shows it did not happen. `add`: `resend` sends it once more
   * (never more than once); `report` reports the error (the API bans
   * repeats, or a repeat could make a second record). `remove`: the same
   * for deletes; without it a remove's error is reported as it came (the
   * HTTP layer already retried an idempotent delete). When the look itself
   * fails, the outcome stays unknown: the kit reports the write's error,
   * which obliges the caller to delete the value by exact match or name
   * it as left behind. Default: adds `report`, removes as they came.
   */
  readonly unknownOutcome?: { readonly add?: 'resend' | 'report'; readonly remove?: 'resend' | 'report' };
  /** Whether an error leaves the outcome unknown; default `isOutcomeUnknown` (netcup: not its rate limit, which certainly did nothing). */
  isUnknown?(error: unknown): boolean;

  /** How the account's zone for a name is found. */
  readonly zones: ZoneLookup;

  /**
   * The records the API holds now: the zone's TXT records at least, those
   * at `name` among them when a name is given (a backend may list the whole
   * zone either way). Read-only; may be retried. `fresh`: the kit confirms
   * a write's outcome, so the answer must come from the API now, not from
   * what this process remembers (netcup REST lists a domain's challenges
   * once per process and keeps its knowledge current).
   */
  list(zone: Zone, name?: string, options?: { fresh?: boolean }): Promise<readonly R[]>;
  /**
   * Whether an error of `list` says the zone holds no record the API shows
   * (sourceDESK answers "Zone not found." for a zone with only SOA and NS,
   * also right after its last other record was deleted). A delete then has
   * nothing to delete (`absent`); an append and the listings a user asks
   * for (`listTxt`, `listZoneTxt`) report the error, which says what the
   * zone lacks.
   */
  isEmptyZone?(error: unknown): boolean;
  /** A listed record as the kit matches it. Pure; may throw on a record it cannot read (the kit then never matches it). */
  read(record: R, zone: Zone): RecordView;

  /**
   * Adds the targets (one, unless `batches`), none of which `listed`
   * (the listing the kit just took, undefined for `addsUnlisted`) holds.
   * Add-only: never sends a request that edits or replaces a record. Sends
   * each write once; the kit decides about repeats (`unknownOutcome`).
   * Throws the API's refusal as a typed error.
   */
  add(zone: Zone, targets: readonly Target[], listed: readonly R[] | undefined): Promise<AddReply<R>>;
  /**
   * Deletes records the kit matched exactly (name, type TXT, unquoted
   * value) in a listing of the API, or recalled from the run
   * (`recall`, checked against the target first), and nothing else. A
   * record the API reports already gone is simply not in `removed`.
   * Sends each delete once; the kit decides about repeats.
   */
  remove(zone: Zone, records: readonly R[], context: RemoveContext<R>): Promise<RemoveResult<R>>;
  /**
   * Where the API deletes by the exact (name, value) itself, without ids
   * (netcup REST's challenge endpoints): deletes exactly that and returns
   * whether it was there; undefined for a target it cannot address so (the
   * kit then lists and uses `remove`). Never deletes another record.
   */
  removeExact?(zone: Zone, target: Target): Promise<DeleteOutcome> | undefined;

  /** Refuses a target the API cannot take, before any call (netcup REST: a name outside `_acme-challenge`, a value that is no ACME digest). */
  checkTarget?(zone: Zone, target: Target): void;
  /**
   * Called for every target the kit saw land (or trusted to), with the
   * listing that showed it, where there is one: what only the backend can
   * check about the zone after an add (XSServer: that it can delete the
   * record again; netcup REST: that no value on the name vanished). May list
   * and may throw; it must then undo what it added itself, or say in the
   * error that the value is left behind.
   */
  verifyAdd?(zone: Zone, target: Target, listed: readonly R[] | undefined): Promise<void>;

  /**
   * The API may change more than it was asked to (an index that shifted, a
   * changeset applied to another record): the kit compares the listing
   * before each write with the listing after it (name, type, value, one for
   * one). An add must lose nothing; a remove must lose exactly the records
   * it reports removed. Otherwise the error names what vanished and this
   * provider instance sends no further deletes to the zone. Needs listings
   * on both sides (`remove` returning `listed`) and a lock that keeps the
   * other writers of dns01 out meanwhile (`exclusive`). A function: for
   * the targets it says (netcup REST: names written through its changeset).
   */
  readonly checksChanges?: boolean | ((target: Target) => boolean);
  /** Changes that arrive within one tick for one zone go to `add` and `remove` together (netcup: one updateDnsRecords for many names). */
  readonly batches?: boolean;
  /**
   * The add goes out without a listing first; its reply lists the zone
   * (AddReply as records). The kit then keeps one record per value: where
   * the reply lists a value more than once, it was there before, and the
   * kit removes the copies the add made (the newest by `oldestFirst`) and
   * reports it `present`. A refusal of the add (InvalidInputError: the API
   * may refuse a value already there) is answered by a listing.
   */
  readonly addsUnlisted?: { oldestFirst(a: R, b: R): number };
  /**
   * The records each append found or made are remembered (this process,
   * and the run's later processes through the run cache) for `ttlMs`, so a
   * cleanup deletes them without a listing. A recalled record is a hint,
   * never proof: each is checked against the cleanup it serves (TXT, this
   * name, this value) before any delete; on a mismatch, or when the API
   * refuses the delete, the memory is dropped and the zone listed.
   */
  readonly recall?: { readonly ttlMs: number };

  /** Read-only requests that show readings of open points (DnsProvider.probeReadings). */
  probeReadings?(zone: Zone, txt: readonly TxtRecord[]): Promise<void>;
  /** The zones the credentials reach, where the API lists them (DnsProvider.listZones). */
  listZones?(): Promise<string[]>;
  /** Ends a session. Never throws. */
  close?(): Promise<void>;
}

/** How a backend finds the account's zone for a name. */
export interface ZoneLookup {
  /**
   * Whether the account holds `candidate` as a zone: its Zone, or
   * undefined. Read-only. The kit asks the apex the DNS names first, then
   * every parent from the longest down, and asks each candidate once per
   * provider instance.
   */
  confirm(candidate: string): Promise<Zone | undefined>;
  /** Names with a label that starts with `_` (`_acme-challenge.x`, `a._tcp.x`) are never zones of the account: not asked. */
  readonly skipUnderscore?: boolean;
  /** Added to the not-found error (what to check). */
  readonly hint?: string;
  /**
   * Finds the zone around the kit's `locate` (the walk above), where the
   * backend knows more (netcup: the apex the DNS names, proven by the first
   * write; XSServer: say which inactive entries held the name).
   */
  find?(fqdn: string, locate: (fqdn: string) => Promise<Zone>): Promise<Zone>;
}

/**
 * One TXT value at one name: what the kit asks a backend to add, or whose
 * records to delete. The kit has checked it before any call.
 */
export interface Target {
  /** Absolute, normalised (lower case, A-labels, no trailing dot), inside the zone. */
  readonly name: string;
  /** `name` relative to the zone, in the backend's apex convention (`@` or ``). */
  readonly relative: string;
  /** 1-255 printable ASCII characters, no `"` or `\`, unquoted. */
  readonly value: string;
}

/** A listed record as the kit matches it. */
export interface RecordView {
  /** Absolute and normalised (`listedName`); a name DNS cannot carry stays as listed, lower-cased, and matches no target. */
  name: string;
  type: string;
  /** The data as the API listed it; the kit unquotes a TXT value (plain, quoted, or several quoted strings). */
  data: string;
  /** The API's handle of the record, where it has one. */
  id?: string;
}

/**
 * What an add knows once the API accepted it: the zone's records after it
 * (its reply listed them: the kit looks for the targets there),
 * `unconfirmed` (the reply proves nothing, e.g. no id: the kit lists and
 * looks), or nothing (the API's acceptance is the proof).
 */
export type AddReply<R> = readonly R[] | 'unconfirmed' | void;

export interface RemoveContext<R> {
  /** The listing the records were matched in; undefined for recalled ones. */
  readonly listed: readonly R[] | undefined;
  /**
   * 1 for a first try; one more for each call after a remove that removed
   * nothing and returned a listing (a positional API retrying against an
   * index that went stale). A backend bounds its own retries by it.
   */
  readonly attempt: number;
}

export interface RemoveResult<R> {
  /** The records of those given that the API deleted (one at a time for a positional API). */
  readonly removed: readonly R[];
  /** The zone's records after the remove, where the backend has them: the kit matches again and removes what still matches. */
  readonly listed?: readonly R[];
}
