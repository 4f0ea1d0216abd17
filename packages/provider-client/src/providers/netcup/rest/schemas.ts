import { z } from 'zod';

/** One entry of `errors[]`: the code decides, the message is only shown. */
export const restMessageSchema = z.object({
  code: z.string(),
  message: z.string().optional().default(''),
});
export type RestMessage = z.infer<typeof restMessageSchema>;

/** Every reply with a body: `{success, errors, result}` (paged lists also `meta`). */
export const restEnvelopeSchema = z.object({
  success: z.boolean(),
  errors: z
    .array(restMessageSchema)
    .nullish()
    .transform((e) => e ?? []),
  result: z.unknown().optional(),
  meta: z
    .object({ pagination: z.object({ lastPage: z.number().int() }).partial().optional() })
    .partial()
    .nullish(),
});
export type RestEnvelope = z.infer<typeof restEnvelopeSchema>;

export const restDomainSchema = z.object({
  id: z.number().int(),
  fqdn: z.string().min(1),
  isDnsManaged: z.boolean(),
});
export type RestDomain = z.infer<typeof restDomainSchema>;

export const restChallengeSchema = z.object({
  scope: z.string(),
  value: z.string(),
  fqdn: z.string().optional(),
  status: z.string().optional(),
});
export type RestChallenge = z.infer<typeof restChallengeSchema>;

/** A record of the general DNS endpoints (changeset, revisions): names relative, `@` the apex. */
export const restRecordSchema = z.object({
  identifier: z.union([z.string(), z.number()]).transform(String).optional(),
  name: z.string(),
  type: z.string(),
  rdata: z.string(),
  ttl: z.number().int(),
});
export type RestRecord = z.infer<typeof restRecordSchema>;

export const restRevisionSchema = z.object({
  identifier: z.union([z.string(), z.number()]).transform(String),
  createdAt: z.string().optional(),
  state: z.string().optional(),
});
