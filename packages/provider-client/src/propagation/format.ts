import type { AddressState, ProgressEvent } from './types.js';

type Lagging = ProgressEvent['lagging'][number];

const RANK: Record<AddressState['status'], number> = { ok: 6, missing: 5, nxdomain: 4, servfail: 3, refused: 3, error: 2, timeout: 1 };

const shortValue = (v: string) => JSON.stringify(v.length > 16 ? `${v.slice(0, 12)}…` : v);

/** The most telling answer among a nameserver's addresses: the one closest to done. */
export function bestState(entry: Lagging): AddressState | undefined {
  const expected = new Set(entry.expected ?? []);
  const score = (s: AddressState) => RANK[s.status] * 1000 + s.served.filter((v) => expected.has(v)).length;
  return [...entry.states].sort((a, b) => score(b) - score(a))[0];
}

function statusPhrase(state: AddressState, expected: string[] | undefined, withValues: boolean): string {
  switch (state.status) {
    case 'ok':
      return 'serves every value';
    case 'missing': {
      const total = expected?.length;
      const have = expected ? state.served.filter((v) => expected.includes(v)).length : state.served.length;
      const count = total === undefined ? `serves ${have} value${have === 1 ? '' : 's'}` : `serves ${have} of ${total} value${total === 1 ? '' : 's'}`;
      const values = withValues && state.served.length > 0 ? ` [${state.served.map(shortValue).join(', ')}]` : '';
      return `${count}${values}${state.detail && state.served.length === 0 && state.detail !== 'no TXT record' ? ` (${state.detail})` : ''}`;
    }
    case 'nxdomain':
      return 'answers NXDOMAIN';
    case 'servfail':
      return 'answers SERVFAIL';
    case 'refused':
      return 'answers REFUSED';
    case 'timeout':
      return 'does not answer';
    case 'error':
      return state.detail ?? 'fails';
  }
}

/** `ns2.example.net (192.0.2.53) serves 1 of 2 values`, optionally with the name and the values. */
export function describeLagging(entry: Lagging, options: { withName: boolean; withValues: boolean; final?: boolean }): string {
  const best = bestState(entry);
  const where = options.withName ? ` at ${entry.name}` : '';
  // At the deadline, no state means the question was on its way: it was asked, not answered.
  if (!best) return `${entry.nameserver} ${options.final ? 'gave no answer before the deadline' : 'not asked yet'}${where}`;
  const addresses = best.status === 'timeout' ? entry.states.map((s) => s.address).join(', ') : best.address;
  const address = addresses === '-' ? '' : ` (${addresses})`;
  return `${entry.nameserver}${address} ${statusPhrase(best, entry.expected, options.withValues)}${where}`;
}

/** One human line describing a progress event. */
export function formatProgress(event: ProgressEvent): string {
  const withName = new Set(event.lagging.map((l) => l.name)).size > 1;
  const parts = [
    ...event.confirmed.map((ns) => `${ns} confirmed`),
    ...event.lagging.map((l) => describeLagging(l, { withName, withValues: false })),
    ...(event.unresolved ?? []).map((u) => `nameservers of ${u.name} not known yet (${u.reason})`),
  ];
  return `waiting ${Math.round(event.elapsedMs / 1000)}s: ${parts.join('; ')}`;
}
