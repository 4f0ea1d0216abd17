import type { ProgressEvent, WaitStatus } from '@dns01/provider-client';
import { bestState } from '@dns01/provider-client/internal';

/** `45s`, `2m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

type Lagging = ProgressEvent['lagging'][number];

/** What one lagging (nameserver, name) pair serves now, in a few words. */
function servesNow(entry: Lagging): string {
  const best = bestState(entry);
  if (!best) return 'not asked yet';
  switch (best.status) {
    case 'ok':
      return 'ok';
    case 'missing': {
      const expected = entry.expected ?? [];
      const ours = best.served.filter((v) => expected.includes(v)).length;
      const others = best.served.length - ours;
      if (best.served.length === 0) return 'no TXT yet';
      return `${ours}/${expected.length} values${others > 0 ? `, ${others} other${others === 1 ? '' : 's'}` : ''}`;
    }
    case 'nxdomain':
      return 'NXDOMAIN';
    case 'servfail':
      return 'SERVFAIL';
    case 'refused':
      return 'REFUSED';
    case 'timeout':
      return 'no answer';
    case 'error':
      return 'error';
  }
}

/**
 * Host names without the labels they all end in (`ns1.example.net`,
 * `ns2.example.net` -> `ns1`, `ns2`): the status line has one row of a
 * terminal for all of them; the log lines keep the full names.
 */
export function shortNameservers(names: string[]): Map<string, string> {
  const labels = names.map((n) => n.replace(/\.$/, '').split('.'));
  let common = 0;
  if (names.length > 1) {
    const shortest = Math.min(...labels.map((l) => l.length));
    while (common < shortest - 1 && new Set(labels.map((l) => l[l.length - 1 - common])).size === 1) common += 1;
  }
  return new Map(names.map((n, i) => [n, labels[i]!.slice(0, labels[i]!.length - common).join('.')]));
}

/**
 * The one status line of a wait: elapsed against the timeout, then every
 * nameserver, in a stable order: `ok` once it serves everything, else what it
 * serves now (for several names: how many names it still lacks). Cut to
 * `width` columns, so the terminal never wraps it (a wrapped line cannot be
 * rewritten in place).
 */
export function renderStatusLine(state: { elapsedMs: number; timeoutMs: number; event?: ProgressEvent }, width: number): string {
  let head = `dns01: waiting ${formatDuration(state.elapsedMs)} of ${formatDuration(state.timeoutMs)}`;
  const { event } = state;
  const parts: string[] = [];
  if (!event) {
    parts.push('looking up the nameservers');
  } else {
    const names = new Set([...event.lagging.map((l) => l.name), ...(event.unresolved ?? []).map((u) => u.name)]);
    const lagging = new Map<string, Lagging[]>();
    for (const entry of event.lagging) lagging.set(entry.nameserver, [...(lagging.get(entry.nameserver) ?? []), entry]);
    const nameservers = [...new Set([...event.confirmed, ...lagging.keys()])].sort();
    const confirmed = nameservers.filter((ns) => !lagging.has(ns)).length;
    const short = shortNameservers(nameservers);
    if (nameservers.length > 0) head += `, ${confirmed}/${nameservers.length} nameservers ok`;
    for (const ns of nameservers) {
      const entries = lagging.get(ns);
      const label = short.get(ns)!;
      if (!entries) parts.push(`${label} ok`);
      else if (entries.length === 1 && names.size <= 1) parts.push(`${label} ${servesNow(entries[0]!)}`);
      else parts.push(`${label} lacks ${entries.length} name${entries.length === 1 ? '' : 's'} (${servesNow(entries[0]!)} at ${entries[0]!.name})`);
    }
    for (const u of event.unresolved ?? []) parts.push(`looking up the nameservers of ${u.name}`);
  }
  return truncate(`${head} | ${parts.join(' | ')}`, width);
}

function truncate(line: string, width: number): string {
  const chars = [...line];
  const max = Math.max(10, width - 1);
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}

/** Where the status line goes: a terminal (stderr); without a known width (0 or none), 80 columns. */
export interface StatusTerminal {
  write(text: string): void;
  readonly columns?: number;
}

const CLEAR_LINE = '\r\x1b[2K';

/**
 * The live status of a propagation wait on a terminal: one line, rewritten
 * in place every second and after every round. Log lines written meanwhile
 * (`writeLine`) go above it, so the log keeps one line per change.
 */
export function createLiveStatus(
  terminal: StatusTerminal,
  options: { now?: () => number; refreshMs?: number } = {},
): WaitStatus & { writeLine(line: string): void } {
  const now = options.now ?? (() => performance.now());
  let active: { started: number; timeoutMs: number; event?: ProgressEvent; timer: ReturnType<typeof setInterval> } | undefined;
  const draw = () => {
    if (!active) return;
    const line = renderStatusLine({ elapsedMs: now() - active.started, timeoutMs: active.timeoutMs, event: active.event }, terminal.columns || 80);
    terminal.write(`${CLEAR_LINE}${line}`);
  };
  return {
    replacesRepeats: true,
    begin({ timeoutMs }) {
      if (active) clearInterval(active.timer);
      const timer = setInterval(draw, options.refreshMs ?? 1000);
      timer.unref();
      active = { started: now(), timeoutMs, timer };
      draw();
    },
    update(event) {
      if (!active) return;
      active.event = event;
      draw();
    },
    end() {
      if (!active) return;
      clearInterval(active.timer);
      active = undefined;
      terminal.write(CLEAR_LINE);
    },
    writeLine(line) {
      terminal.write(active ? `${CLEAR_LINE}${line}\n` : `${line}\n`);
      draw();
    },
  };
}
