import { z } from 'zod';

/** Ids arrive as strings ("47", "406459") or as numbers (1, in the document's example): keep them as strings. */
const numericId = z.union([z.number().int().nonnegative(), z.string().trim().regex(/^\d+$/, 'must be a number')]).transform(String);

const looseNumber = z.union([z.number(), z.string()]).optional();

/**
 * A refusal: `{"error": [...]}` (the document), `{"success": false, "error": [...]}`
 * (HostBill's recorded replies, HTTP 200), or `{"success": false}` alone.
 */
export const refusalReply = z.union([
  z.object({ success: z.literal(false), error: z.unknown().optional() }),
  z.object({ error: z.union([z.array(z.unknown()).min(1), z.string().min(1)]) }),
]);
/** The words of a refusal's `error`: a list of strings, or one string. */
export const errorWords = z.union([z.array(z.unknown()), z.string().transform((s) => [s])]).catch([]);

/** One entry of `GET /domain` or `GET /domain/name/@name`; the client reads only these fields. */
export const domainEntry = z.object({
  id: numericId,
  name: z.string().min(1),
  status: z.string(),
});
export type DomainEntry = z.infer<typeof domainEntry>;

/** `GET /domain/name/@name`: several entries can share a name (an expired one next to the active one). */
export const domainsByNameReply = z.object({
  // The document shows a list; a single object is read as a list of one.
  details: z.union([z.array(domainEntry), domainEntry.transform((d) => [d])]),
});

/** `GET /domain`. */
export const domainListReply = z.object({ domains: z.array(domainEntry) });

/**
 * One record of `GET /domain/@id/dns`. `id`, `ttl`, `priority` as strings
 * or numbers (HostBill also sends `prio`, `domain_id`, `change_date`, not
 * read); `name` relative, absolute, with or without a trailing dot; a TXT's
 * `content` a string (listed quoted), any other type's anything (the SOA's
 * is a list of seven strings), kept as text.
 */
const dnsRecord = z
  .object({
    id: numericId.optional(),
    name: z.string(),
    ttl: looseNumber,
    priority: looseNumber,
    type: z.string().min(1),
    content: z.unknown(),
  })
  .superRefine((r, ctx) => {
    if (r.type.toUpperCase() === 'TXT' && typeof r.content !== 'string')
      ctx.addIssue({ code: 'custom', path: ['content'], message: "a TXT record's content must be a string" });
  })
  .transform(({ id, name, type, content }) => ({
    ...(id === undefined ? {} : { id }),
    name,
    type,
    content: typeof content === 'string' ? content : Array.isArray(content) ? content.map(String).join(' ') : JSON.stringify(content ?? null),
  }));

/** A listed record and the slot it is listed in: its position in a JSON array, or its key in an object keyed by positions. */
export type DnsRecordReply = z.output<typeof dnsRecord> & { readonly slot: number };

/** How `records` came: a JSON array, or an object keyed by positions (PHP's encoding of an array with holes). */
export type ListShape = 'array' | 'keyed';

const recordArray = z.array(dnsRecord);
const recordsByKey = z.record(z.string().regex(/^\d{1,9}$/, 'a key must be a position'), dnsRecord);

/**
 * `GET /domain/@id/dns`: `records` as an array (the document) or as an
 * object keyed by positions (HostBill's recorded replies), in slot order.
 * The schema is picked by what came, so a shape error names the field.
 */
export const dnsRecordsReply = z
  .object({
    records: z.unknown().transform((value, ctx): { shape: ListShape; records: DnsRecordReply[] } => {
      const parsed = Array.isArray(value) ? recordArray.safeParse(value) : recordsByKey.safeParse(value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
        return z.NEVER;
      }
      return Array.isArray(parsed.data)
        ? { shape: 'array', records: parsed.data.map((r, slot) => ({ ...r, slot })) }
        : {
            shape: 'keyed',
            records: Object.entries(parsed.data)
              .map(([key, r]) => ({ ...r, slot: Number(key) }))
              .sort((a, b) => a.slot - b.slot),
          };
    }),
  })
  .transform(({ records }) => records);

/**
 * `info` of a write's reply: `["DNS Management updated successfully"]` (the
 * document), `[["dnsnewrecordadded", "TXT"]]` (HostBill's recorded create).
 */
export const infoReply = z.object({ info: z.array(z.union([z.string(), z.array(z.unknown()).transform((a) => a.map(String).join(' '))])) });
