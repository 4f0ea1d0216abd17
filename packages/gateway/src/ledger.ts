import { randomBytes } from 'node:crypto';
import { ConfigError, z, type Zone } from '@dns01/provider-client/internal';
import { readPrivateFileChecked, writeFileAtomic } from './atomic-file.js';

/** The protocols through which a client asks for a record. */
export const PROTOCOLS = ['acme-dns', 'httpreq'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * One TXT record the gateway created (or is creating): written to the ledger
 * before the provider is asked, removed only after the provider's exact
 * delete of name + value succeeded. Everything in the ledger is the
 * gateway's own; nothing else is ever deleted.
 */
export interface LedgerEntry {
  id: string;
  client: string;
  protocol: Protocol;
  /** The challenge name the client asked for (`_acme-challenge.example.com`): its scope was checked on this. */
  asked: string;
  /** Where the record is: `asked`, or where a CNAME there points. */
  name: string;
  zone: Zone;
  value: string;
  /** ISO time of the request that created it (the sweeper's clock). */
  created: string;
  /**
   * `adding` until the provider answered; then `present` (the gateway created
   * the record) or `found` (the provider had it already: the gateway never
   * deletes it, unless it becomes the heir of an entry that created it). A
   * crash may leave `adding`: deleted exactly at the next start, as `present`.
   */
  state: 'adding' | 'present' | 'found';
}

const entrySchema = z.object({
  id: z.string(),
  client: z.string(),
  protocol: z.enum(PROTOCOLS),
  asked: z.string(),
  name: z.string(),
  zone: z.object({ name: z.string(), id: z.string().optional() }),
  value: z.string(),
  created: z.string(),
  state: z.enum(['adding', 'present', 'found']),
});
const fileSchema = z.object({ version: z.literal(1), records: z.array(entrySchema) });

/**
 * The ledger: one JSON file in the gateway's private state directory,
 * replaced atomically (temporary file, fsync, rename, fsync of the directory)
 * on every change. Changes made while a write is under way go into the next
 * write together (group commit), so a burst of requests costs a few writes,
 * not one per request. `flush()` resolves once a write that includes every
 * change made before the call is durable.
 */
export class Ledger {
  private readonly entries = new Map<string, LedgerEntry>();
  private writing: Promise<void> | undefined;
  private pending: Promise<void> | undefined;

  private constructor(readonly path: string) {}

  /** Opens the ledger at `path` (an absent file is an empty ledger); a file open to others, or malformed, is refused. */
  static open(path: string): Ledger {
    const ledger = new Ledger(path);
    const text = readPrivateFileChecked(path, 'ledger');
    if (text !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const result = fileSchema.safeParse(parsed);
      if (!result.success) {
        throw new ConfigError(`ledger ${path} is malformed; the gateway will not start on it, since it could no longer tell which records are its own`, {
          hint: "Look at the file: the records it names are the gateway's; delete them in the provider panel, then move the file away",
        });
      }
      for (const entry of result.data.records) ledger.entries.set(entry.id, entry);
    }
    return ledger;
  }

  get size(): number {
    return this.entries.size;
  }

  all(): LedgerEntry[] {
    return [...this.entries.values()];
  }

  get(id: string): LedgerEntry | undefined {
    return this.entries.get(id);
  }

  add(fields: Omit<LedgerEntry, 'id' | 'state'>): LedgerEntry {
    const entry: LedgerEntry = { id: randomBytes(9).toString('base64url'), ...fields, state: 'adding' };
    this.entries.set(entry.id, entry);
    return entry;
  }

  update(id: string, patch: Partial<Pick<LedgerEntry, 'state' | 'created'>>): void {
    const entry = this.entries.get(id);
    if (entry) Object.assign(entry, patch);
  }

  remove(id: string): void {
    this.entries.delete(id);
  }

  /** Every change so far made durable. */
  flush(): Promise<void> {
    if (this.pending) return this.pending;
    const after = this.writing ?? Promise.resolve();
    const next = after
      .catch(() => undefined)
      .then(() => {
        this.pending = undefined;
        const write = writeFileAtomic(this.path, `${JSON.stringify({ version: 1, records: this.all() }, null, 1)}\n`);
        this.writing = write;
        return write.finally(() => {
          if (this.writing === write) this.writing = undefined;
        });
      });
    this.pending = next;
    return next;
  }
}
