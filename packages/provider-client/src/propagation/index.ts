// PLACEHOLDER until the propagation module lands; replaced by the real one.
import type { Expectation, PropagationOptions, PropagationResult, ProgressEvent, ResolverOptions } from './types.js';

export * from './types.js';

/** Resolves when every authoritative nameserver of each name's zone serves every expected value. */
export async function waitForPropagation(_e: Expectation[], _o: PropagationOptions): Promise<PropagationResult> {
  throw new Error('propagation: not implemented yet');
}

/** The zone apex holding `fqdn`, by SOA queries walking up the labels; undefined when DNS does not say. */
export async function findZoneApex(_fqdn: string, _o: ResolverOptions = {}): Promise<string | undefined> {
  return undefined;
}

/** Follows CNAMEs at `name` (delegated challenge names) to the final owner name. */
export async function resolveCnameTarget(name: string, _o: ResolverOptions = {}): Promise<string> {
  return name;
}

/** One human line describing a progress event. */
export function formatProgress(event: ProgressEvent): string {
  return `waiting ${Math.round(event.elapsedMs / 1000)}s`;
}
