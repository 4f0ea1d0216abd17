import type { z } from 'zod';
import {
  AuthenticationError,
  InvalidInputError,
  ProviderApiError,
  replyShapeError,
  ZoneNotFoundError,
  type Dns01Error,
  type Dns01ErrorOptions,
} from '../errors.js';
import { redact } from '../redact.js';

type MessageError = new (message: string, options?: Dns01ErrorOptions) => Dns01Error;
type ApiError = new (provider: string, action: string, message: string, options?: Dns01ErrorOptions & { transient?: boolean }) => ProviderApiError;

/** What an answer of the API (a code, a status) means for dns01: the error it becomes and what to do. */
export type CodeMeaning = {
  /** What happened, in words a user understands; a function where the words name the subject (a domain, an action). */
  what: string | ((subject: string) => string);
  /** What to do about it. */
  hint: string;
  /** Said after the API's words: what the answer likely means ("4013 means an invalid request or the rate limit"). */
  note?: string;
} & (
  | {
      /** auth: exit 4 (credentials, blocked account); zone: exit 5; input: exit 2 (the API refused the request as invalid). */
      kind: 'auth' | 'zone' | 'input';
      /** A subclass callers tell apart (netcup: a refused domain name is "not this zone"). */
      as?: MessageError;
    }
  | {
      /** api: exit 6, a ProviderApiError. */
      kind: 'api';
      /** Retrying later may succeed (an outage, a rate limit). */
      transient?: boolean;
      /** A subclass callers tell apart (netcup's rate limit, never retried). */
      as?: ApiError;
    }
);

/** A provider's table of API codes; `K` is the code (a number, or a key a provider classifies a reply into). */
export interface CodeTable<K extends string | number> {
  meaning(code: K): CodeMeaning;
  /**
   * The typed error for an answer to `action`:
   * "<provider> <action>: <what> (<subject>) (<detail>); <note>", `detail` being the
   * API's own code and words (see `apiWords`); a `what` function places the
   * subject itself.
   */
  error(action: string, code: K, detail?: string, subject?: string): Dns01Error;
}

/** One provider's codes, each with its meaning; `unknown` for a code the table does not hold. */
export function codeTable<K extends string | number>(provider: string, codes: { readonly [C in K]?: CodeMeaning }, unknown: CodeMeaning): CodeTable<K> {
  const meaning = (code: K): CodeMeaning => codes[code] ?? unknown;
  return {
    meaning,
    error(action, code, detail, subject) {
      const m = meaning(code);
      const what = typeof m.what === 'function' ? m.what(subject ?? '') : `${m.what}${subject ? ` (${subject})` : ''}`;
      const message = `${what}${detail ? ` (${detail})` : ''}${m.note ? `; ${m.note}` : ''}`;
      if (m.kind === 'api') return new (m.as ?? ProviderApiError)(provider, action, message, { hint: m.hint, transient: m.transient ?? false });
      const Kind = m.as ?? { auth: AuthenticationError, zone: ZoneNotFoundError, input: InvalidInputError }[m.kind];
      return new Kind(`${provider} ${action}: ${message}`, { hint: m.hint });
    },
  };
}

/**
 * The API's own words for an error message: redacted before anything else
 * (a secret with spaces inside would no longer match after), then on one
 * line, without repeats, cut at `max` characters.
 */
export function apiWords(parts: readonly (string | null | undefined)[], max = 300, joiner = '; '): string {
  const kept = [
    ...new Set(
      parts
        .map((p) =>
          redact(p ?? '')
            .replace(/\s+/g, ' ')
            .trim(),
        )
        .filter((p) => p !== ''),
    ),
  ];
  const text = kept.join(joiner);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * A provider's reply parsing: every reply validated with a zod schema, an
 * unexpected shape always `replyShapeError`'s one message
 * ("<provider> <action>: answered in an unexpected shape (<part> at <path>: <why>)").
 * `write`: the request changed the zone, so its outcome is unknown.
 */
export function replyParser(provider: string, hint: string) {
  return {
    shapeError: (action: string, part: string, error: z.ZodError, write = false) => replyShapeError(provider, action, part, error, hint, write),
    parse<T>(schema: z.ZodType<T>, value: unknown, action: string, part = 'reply', write = false): T {
      const parsed = schema.safeParse(value);
      if (!parsed.success) throw replyShapeError(provider, action, part, parsed.error, hint, write);
      return parsed.data;
    },
  };
}
