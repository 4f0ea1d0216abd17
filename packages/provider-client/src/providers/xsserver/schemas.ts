import { z } from 'zod';

/** Ids arrive as strings ("47") for domains and as numbers (1) for record indexes: keep them as strings. */
const numericId = z
  .union([z.number().int().nonnegative(), z.string().trim().regex(/^\d+$/, 'must be a number')])
  .transform(String);

const looseNumber = z.union([z.number(), z.string()]).optional();

/** Every failure: `{"error": ["..."]}` with an HTTP error status. */
export const errorReply = z.object({
  error: z.union([z.array(z.string()), z.string().transform((s) => [s])]),
});

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

/** One record of `GET /domain/@id/dns`; `id` is the record's index, `name` relative or absolute. */
export const dnsRecord = z.object({
  id: numericId,
  name: z.string(),
  ttl: looseNumber,
  priority: looseNumber,
  type: z.string().min(1),
  content: z.string(),
});
export type DnsRecordReply = z.infer<typeof dnsRecord>;

export const dnsRecordsReply = z.object({ records: z.array(dnsRecord) });

/** `POST /domain/@id/dns`, `DELETE /domain/@id/dns/@index`: `{"info": ["DNS Management updated successfully"]}`. */
export const infoReply = z.object({ info: z.array(z.string()) });
