import { z } from 'zod';

/**
 * Replies of the Simple-POST API (API user manual, section 2: https://dondominio.dev/en/api/docs/api/): every reply is
 * this envelope; `responseData` is an object on success and often `[]` on error.
 */
export const envelopeSchema = z.object({
  success: z.boolean(),
  errorCode: z.coerce.number().int(),
  errorCodeMsg: z.string().nullish(),
  action: z.string().nullish(),
  version: z.string().nullish(),
  messages: z.array(z.string()).nullish(),
  responseData: z.unknown(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** "-" means the default; numbers may arrive as numbers or strings. */
const dashOrNumber = z.union([z.string(), z.number()]).transform(String);

/** One DNS entry (sections 7.40-7.43: `dns/...` fields). */
export const dnsEntrySchema = z.object({
  entityID: z.union([z.string().min(1), z.number()]).transform(String),
  name: z.string(),
  type: z.string(),
  ttl: dashOrNumber.nullish(),
  priority: dashOrNumber.nullish(),
  value: z.string(),
});
export type DnsEntry = z.infer<typeof dnsEntrySchema>;

const queryInfoSchema = z.object({
  page: z.coerce.number().int(),
  pageLength: z.coerce.number().int(),
  results: z.coerce.number().int(),
  total: z.coerce.number().int(),
});

/** service/dnslist (7.40). */
export const dnsListDataSchema = z.object({
  queryInfo: queryInfoSchema,
  dns: z.array(dnsEntrySchema),
});

/** service/dnscreate (7.42): the created entry, which dns01 does not need (a reply without it is accepted). */
export const dnsCreateDataSchema = z.union([
  z.object({ dns: z.array(dnsEntrySchema).optional() }),
  z
    .array(z.never())
    .length(0)
    .transform(() => ({ dns: undefined })),
]);

/** service/dnsdelete (7.44): an empty object (PHP may send `[]`). */
export const dnsDeleteDataSchema = z.union([z.object({}), z.array(z.never()).length(0)]);

/** service/getinfo (7.2), infoType=status: only the fields we read. */
export const serviceInfoDataSchema = z.object({
  name: z.string().min(1),
  status: z.string().nullish(),
});

/** service/list (7.1). */
export const serviceListDataSchema = z.object({
  queryInfo: queryInfoSchema,
  services: z.array(z.object({ name: z.string().min(1), status: z.string().nullish() })),
});
