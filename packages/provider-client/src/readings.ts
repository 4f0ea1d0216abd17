/**
 * The readings of a provider's API document: where the document allows more
 * than one, the provider tells `deps.observe` which one a reply showed, and
 * `dns01 check --write` reports them for the user's own account.
 */

/** A point a provider's API document leaves open (a definition's `openPoints`). */
export interface OpenPoint {
  /** Short key, unique within the provider (`ids`, `total`, `txtQuoting`, ...). */
  point: string;
  /** What is open, for the report: "record ids: positions or database ids". */
  title: string;
}

/** Reports the reading a reply showed and whether dns01 works correctly under it. */
export type Observe = (point: string, seen: string, handled: boolean) => void;

/** A domain name no account can hold (RFC 2606 `.invalid`), for read-only probes of how an API refuses a name. */
export const PROBE_DOMAIN = 'dns01-selftest-probe.invalid';

/** The one open point every provider has: how lists show TXT values. */
export const TXT_QUOTING: OpenPoint = { point: 'txtQuoting', title: 'TXT values in lists: plain or in double quotes' };

/** Observes how a list showed TXT values (raw as the API sent them, against the unquoted value). */
export function observeQuoting(observe: Observe | undefined, raw: readonly { raw: string; value: string }[]): void {
  if (!observe || raw.length === 0) return;
  const quoted = raw.filter((r) => r.raw !== r.value).length;
  observe(TXT_QUOTING.point, quoted === 0 ? 'plain' : `quoted (${quoted} of ${raw.length} values)`, true);
}

export interface ReadingReport extends OpenPoint {
  /** What this run saw; undefined when no reply showed it. */
  seen?: string;
  /** Whether dns01 works correctly under what was seen; undefined when unseen. */
  handled?: boolean;
}

/**
 * Collects observations for a provider's open points. A reading dns01 cannot
 * handle stays once seen (a later reply does not hide it); otherwise the
 * latest observation of a point wins.
 */
export class ReadingLog {
  private readonly seen = new Map<string, { seen: string; handled: boolean }>();

  readonly observe: Observe = (point, seen, handled) => {
    const before = this.seen.get(point);
    if (before && !before.handled) return;
    this.seen.set(point, { seen, handled });
  };

  /** Every open point given (a definition's), in its order, then any reported point it does not list. */
  report(points: readonly OpenPoint[]): ReadingReport[] {
    const known = points.map((p): ReadingReport => ({ ...p, ...this.seen.get(p.point) }));
    const extra = [...this.seen].filter(([point]) => !points.some((p) => p.point === point));
    return [...known, ...extra.map(([point, s]) => ({ point, title: point, ...s }))];
  }

  /** The readings seen that dns01 cannot handle. */
  unhandled(): ReadingReport[] {
    return this.report([]).filter((r) => r.handled === false);
  }
}
