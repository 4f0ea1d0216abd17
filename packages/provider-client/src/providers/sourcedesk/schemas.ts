import { z } from 'zod';

/** PHP answers numbers as numbers, but a numeric string is the same value. */
const integer = z.union([z.number().int(), z.string().trim().regex(/^-?\d+$/).transform(Number)]);

/** Every reply: `{code, message, data}`; `code` 100 is success (Client API docs, "Return codes": https://client-api.sourcedesk.de/). */
export const envelopeSchema = z.object({
  code: integer,
  message: z.string().nullish().transform((m) => m ?? ''),
  data: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/**
 * `dns/list` data: the zone names. PHP encodes a list with gaps in its keys
 * as an object, so an object of names is read as the same list.
 */
export const zoneListSchema = z.union([z.array(z.string()), z.record(z.string(), z.string()).transform((o) => Object.values(o))]);

export const recordSchema = z.object({
  /** Relative to the zone, "" for the apex. */
  name: z.string().nullish().transform((n) => n ?? ''),
  type: z.string(),
  content: z.string(),
  ttl: integer.nullish(),
  priority: integer.nullish(),
});

/**
 * `dns/show` data: records keyed by their id. An empty zone arrives as `[]`
 * (PHP's empty array), which is the same as `{}`.
 */
export const zoneRecordsSchema = z.union([
  z.record(z.string().min(1), recordSchema),
  z.tuple([]).transform((): Record<string, RecordData> => ({})),
]);
export type RecordData = z.infer<typeof recordSchema>;
