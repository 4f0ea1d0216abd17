import { z } from 'zod';

/** The gateway's refusals and failures: `{"error": code, "detail"?: one line}` (docs/gateway-reference.md, "The protocols in detail"). */
export const errorReplySchema = z.object({ error: z.string(), detail: z.string().optional() });

/** A success echoes the request: `{"fqdn", "value"}`. */
export const echoSchema = z.object({ fqdn: z.string(), value: z.string() });
