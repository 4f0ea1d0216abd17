import type { AppendOutcome, DeleteOutcome, DnsProvider, Zone } from '@dns01/provider-client/internal';

interface Op {
  kind: 'add' | 'delete';
  zone: Zone;
  name: string;
  value: string;
  settle: { resolve: (outcome: AppendOutcome | DeleteOutcome) => void; reject: (error: unknown) => void };
}

/**
 * Writes to the provider one batch per zone at a time (group commit): while
 * a batch is under way, the changes that arrive for the same zone wait, and
 * all of them go to the provider together in the next batch, in one tick, so
 * a provider that batches (netcup's CCP API: one updateDnsRecords call)
 * makes one call for them. A batch never holds two changes of the same name
 * and value (an add and a delete of one record keep their order).
 */
export class ZoneWriter {
  private readonly queues = new Map<string, Op[]>();

  constructor(private readonly provider: DnsProvider) {}

  /** `created`, or `present` when the record was there already (the provider's own report). */
  add(zone: Zone, name: string, value: string): Promise<AppendOutcome> {
    return this.enqueue('add', zone, name, value) as Promise<AppendOutcome>;
  }

  delete(zone: Zone, name: string, value: string): Promise<DeleteOutcome> {
    return this.enqueue('delete', zone, name, value) as Promise<DeleteOutcome>;
  }

  /** Changes waiting or under way, over every zone. */
  get depth(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private enqueue(kind: Op['kind'], zone: Zone, name: string, value: string): Promise<AppendOutcome | DeleteOutcome> {
    const key = `${zone.name}\n${zone.id ?? ''}`;
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(key);
      const op: Op = { kind, zone, name, value, settle: { resolve, reject } };
      if (queue) {
        queue.push(op);
        return;
      }
      this.queues.set(key, [op]);
      // The first change of an idle zone waits one tick for the others of the same burst.
      setImmediate(() => void this.drain(key));
    });
  }

  private async drain(key: string): Promise<void> {
    const queue = this.queues.get(key)!;
    while (queue.length > 0) {
      const seen = new Set<string>();
      let size = 0;
      while (size < queue.length) {
        const op = queue[size]!;
        const id = `${op.name}\n${op.value}`;
        if (seen.has(id)) break;
        seen.add(id);
        size += 1;
      }
      const batch = queue.slice(0, size);
      const results = await Promise.allSettled(
        batch.map((op) => (op.kind === 'add' ? this.provider.appendTxt(op.zone, op.name, op.value) : this.provider.deleteTxt(op.zone, op.name, op.value))),
      );
      queue.splice(0, size);
      results.forEach((r, i) => (r.status === 'fulfilled' ? batch[i]!.settle.resolve(r.value) : batch[i]!.settle.reject(r.reason)));
    }
    this.queues.delete(key);
  }
}
