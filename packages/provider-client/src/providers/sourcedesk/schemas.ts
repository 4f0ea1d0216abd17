import { z } from 'zod';

/** The vendor's PHP sends numbers as strings (`"100"`, `"3600"`); either is the same value. */
const integer = z.union([
  z.number().int(),
  z
    .string()
    .trim()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

/** Every reply: `{code, message, data}`; `code` 100 is success (Client API docs, "Return codes": https://client-api.sourcedesk.de/). */
export const envelopeSchema = z.object({
  code: integer,
  message: z
    .string()
    .nullish()
    .transform((m) => m ?? ''),
  data: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/**
 * `dns/list` data: the zone names. PHP encodes a list with gaps in its keys
 * as an object, so an object of names is read as the same list.
 */
export const zoneListSchema = z.union([z.array(z.string()), z.record(z.string(), z.string()).transform((o) => Object.values(o))]);

export const recordSchema = z.object({
  /** Relative to the zone ("" for the apex) when `domain` was sent as the panel spells it, else absolute. */
  name: z
    .string()
    .nullish()
    .transform((n) => n ?? ''),
  type: z.string(),
  content: z.string(),
  ttl: integer.nullish(),
  priority: integer.nullish(),
});
export type RecordData = z.infer<typeof recordSchema>;

/**
 * `dns/show` data: records keyed as the installation's DNS driver keys
 * them. PowerDNS keys them by row id (an object); drivers such as dbs
 * number them by position from 0, which PHP encodes as a list (or, with a
 * gap, as an object whose keys start at "0"). An empty zone never comes
 * (804 instead), but `[]` would be the same as `{}`.
 */
export const zoneRecordsSchema = z.union([
  z.record(z.string().min(1), recordSchema).transform((o) => ({ records: Object.entries(o), positions: '0' in o })),
  z.array(recordSchema).transform((list) => ({ records: list.map((r, i): [string, RecordData] => [String(i), r]), positions: true })),
]);
