import { EventEmitter } from 'node:events';

export type RecordType = 'SOA' | 'NS' | 'A' | 'AAAA' | 'TXT' | 'CNAME' | 'MX' | 'CAA' | 'SRV';

/** One resource record. `name` is absolute, lower case, without trailing dot. */
export interface StoredRecord {
  /** Store-wide unique id, stable for the record's life. */
  id: string;
  name: string;
  type: RecordType;
  ttl: number;
  /** TXT: the value (unquoted); A/AAAA: the address; CNAME/NS: the target; MX: the host; CAA: `<flags> <tag> "<value>"`. */
  data: string;
  priority?: number;
}

export type NewRecord = Omit<StoredRecord, 'id' | 'ttl'> & { ttl?: number };

export interface NameserverSpec {
  /** Host name, e.g. ns1.dns-test.net. */
  name: string;
  /** Its addresses; the DNS server answers A/AAAA for the name with these. */
  addresses: string[];
}

export interface ZoneSpec {
  name: string;
  nameservers: NameserverSpec[];
  records?: NewRecord[];
}

interface ZoneState {
  name: string;
  nameservers: NameserverSpec[];
  serial: number;
  records: StoredRecord[];
  /** Every version of the record list, oldest first, for lagging nameservers. */
  history: { at: number; serial: number; records: StoredRecord[] }[];
}

export interface ZoneChange {
  zone: string;
  serial: number;
  at: number;
}

function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * The single source of truth for test zones: provider emulators write here,
 * the test DNS server reads from here (each nameserver at its own lag).
 * Emits `change` after every mutation.
 */
export class ZoneStore extends EventEmitter<{ change: [ZoneChange] }> {
  private readonly zones = new Map<string, ZoneState>();
  private nextId = 1;

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  addZone(spec: ZoneSpec): void {
    const name = normalize(spec.name);
    if (this.zones.has(name)) throw new Error(`zone ${name} exists`);
    const state: ZoneState = { name, nameservers: spec.nameservers, serial: 1, records: [], history: [] };
    this.zones.set(name, state);
    for (const ns of spec.nameservers) state.records.push(this.materialize({ name, type: 'NS', data: normalize(ns.name) }));
    for (const r of spec.records ?? []) state.records.push(this.materialize(r));
    this.snapshot(state, this.now() - 365 * 24 * 3600 * 1000);
  }

  hasZone(name: string): boolean {
    return this.zones.has(normalize(name));
  }

  zoneNames(): string[] {
    return [...this.zones.keys()];
  }

  /** The deepest zone in the store that holds `name`. */
  zoneFor(name: string): string | undefined {
    const labels = normalize(name).split('.');
    for (let i = 0; i < labels.length; i++) {
      const candidate = labels.slice(i).join('.');
      if (this.zones.has(candidate)) return candidate;
    }
    return undefined;
  }

  nameservers(zone: string): NameserverSpec[] {
    return this.get(zone).nameservers;
  }

  serial(zone: string): number {
    return this.get(zone).serial;
  }

  /** The current records (a copy), optionally filtered. */
  records(zone: string, filter: { name?: string; type?: RecordType } = {}): StoredRecord[] {
    return this.filter(this.get(zone).records, filter);
  }

  /** The records as they were at time `at` (ms epoch): what a lagging nameserver serves. */
  recordsAt(zone: string, at: number, filter: { name?: string; type?: RecordType } = {}): { serial: number; records: StoredRecord[] } {
    const state = this.get(zone);
    let version = state.history[0]!;
    for (const v of state.history) {
      if (v.at <= at) version = v;
      else break;
    }
    return { serial: version.serial, records: this.filter(version.records, filter) };
  }

  /** When the version with this serial (or a later one) was first published. */
  publishedAt(zone: string, serial: number): number | undefined {
    return this.get(zone).history.find((v) => v.serial >= serial)?.at;
  }

  add(zone: string, record: NewRecord): StoredRecord {
    const state = this.get(zone);
    const stored = this.materialize(record);
    state.records.push(stored);
    this.commit(state);
    return { ...stored };
  }

  /** Removes records by id; returns how many were removed. */
  remove(zone: string, ids: readonly string[]): number {
    const state = this.get(zone);
    const before = state.records.length;
    state.records = state.records.filter((r) => !ids.includes(r.id));
    const removed = before - state.records.length;
    if (removed > 0) this.commit(state);
    return removed;
  }

  /** Applies several additions and removals as one new zone version. */
  change(zone: string, ops: { add?: NewRecord[]; removeIds?: string[] }): StoredRecord[] {
    const state = this.get(zone);
    const added = (ops.add ?? []).map((r) => this.materialize(r));
    state.records = state.records.filter((r) => !(ops.removeIds ?? []).includes(r.id)).concat(added);
    this.commit(state);
    return added.map((r) => ({ ...r }));
  }

  /**
   * Resolves once `holds()` is true: asked now and after every change, so no
   * state between two changes is missed however busy the machine (what a
   * test waits for instead of sleeping). The test's timeout bounds the wait.
   */
  until(holds: () => boolean): Promise<void> {
    if (holds()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!holds()) return;
        this.off('change', check);
        resolve();
      };
      this.on('change', check);
    });
  }

  private get(zone: string): ZoneState {
    const state = this.zones.get(normalize(zone));
    if (!state) throw new Error(`no zone ${zone} in the store`);
    return state;
  }

  private materialize(r: NewRecord): StoredRecord {
    return { ...r, id: String(this.nextId++), name: normalize(r.name), ttl: r.ttl ?? 300 };
  }

  private filter(records: StoredRecord[], filter: { name?: string; type?: RecordType }): StoredRecord[] {
    const name = filter.name === undefined ? undefined : normalize(filter.name);
    return records.filter((r) => (name === undefined || r.name === name) && (filter.type === undefined || r.type === filter.type)).map((r) => ({ ...r }));
  }

  private commit(state: ZoneState): void {
    state.serial += 1;
    const at = this.now();
    this.snapshot(state, at);
    this.emit('change', { zone: state.name, serial: state.serial, at });
  }

  private snapshot(state: ZoneState, at: number): void {
    state.history.push({ at, serial: state.serial, records: state.records.map((r) => ({ ...r })) });
  }
}
