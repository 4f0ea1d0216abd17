import { z } from 'zod';

/** ids and numbers arrive as strings; accept a number too and keep a string. */
const stringish = z.union([z.string(), z.number()]).transform(String);

/** Every reply, success or error, has this envelope (compact JSON, fixed key order). */
export const envelopeSchema = z.object({
  serverrequestid: z.string(),
  clientrequestid: z.string(),
  action: z.string(),
  status: z.string(),
  statuscode: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  shortmessage: z.string(),
  longmessage: z.string(),
  /** An object on success; may be "" (or absent data) on errors. */
  responsedata: z.unknown(),
});
export type NetcupEnvelope = z.infer<typeof envelopeSchema>;

export const loginDataSchema = z.object({
  apisessionid: z.string().min(1),
});

export const zoneInfoSchema = z.object({
  name: z.string().min(1),
  ttl: stringish.optional(),
  serial: stringish.optional(),
});
export type NetcupZoneInfo = z.infer<typeof zoneInfoSchema>;

export const dnsRecordSchema = z.object({
  id: stringish,
  hostname: z.string(),
  type: z.string(),
  priority: stringish.optional(),
  destination: z.string(),
  deleterecord: z.boolean().optional(),
  state: z.string().optional(),
});
export type NetcupRecord = z.infer<typeof dnsRecordSchema>;

export const dnsRecordSetSchema = z.object({
  dnsrecords: z.array(dnsRecordSchema),
});
