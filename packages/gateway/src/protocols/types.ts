import type { Protocol } from '../ledger.js';

/** What a protocol makes of a request body: the record asked for, or the reply refusing it. */
export type Parsed =
  | {
      ok: true;
      /** The domain whose challenge name is asked for (`example.com`). */
      domain: string;
      /** The challenge name as the client named it, for the audit log. */
      name: string;
      value: string;
      /** The reply body on success. */
      reply: unknown;
    }
  | { ok: false; status: number; error: string; name?: string };

/** One endpoint that changes records. */
export interface Endpoint {
  protocol: Protocol;
  action: 'present' | 'cleanup';
  /** How the client proves who it is. */
  auth: 'api-key' | 'basic';
  parse(body: unknown): Parsed;
}

/** An ACME dns-01 value: the base64url SHA-256 digest of a key authorization, 43 characters. */
export const ACME_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** Reads a property whatever the case of its key (acme-dns: `subdomain` or goacmedns's older `SubDomain`); undefined when absent, null when two spellings disagree. */
export function property(body: Record<string, unknown>, key: string): unknown {
  const values = Object.entries(body)
    .filter(([k]) => k.toLowerCase() === key.toLowerCase())
    .map(([, v]) => v);
  if (values.length === 0) return undefined;
  return values.every((v) => v === values[0]) ? values[0] : null;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
