import type { Dns01Error } from '../../errors.js';
import type { HttpResponse } from '../../http.js';
import { apiWords, codeTable } from '../../kit/index.js';
import { errorWords, refusalReply } from './schemas.js';

export const PROVIDER = 'xsserver';

const AUTH_HINT =
  'Check XSSERVER_USERNAME (the client area e-mail address) and XSSERVER_PASSWORD; log in at https://cp.xsserver.gmbh to confirm them and that API access is not blocked';

/**
 * What a refusal means, by its HTTP status, or (a reading the document
 * leaves open) by the words of an error body that came with HTTP 200.
 * 429 and 5xx never get here: the HTTP layer retries them and raises a
 * transient ProviderApiError.
 */
const REFUSALS = codeTable<number>(
  PROVIDER,
  {
    401: { kind: 'auth', what: 'the username or password was refused', hint: AUTH_HINT },
    403: {
      kind: 'auth',
      what: 'access denied',
      hint: `${AUTH_HINT}; a 403 can also mean the account or this IP address is blocked for a while after too many requests`,
    },
    404: {
      kind: 'zone',
      what: (what) => `${what} does not exist in this account`,
      hint: 'Check that the domain is in this XSServer account and active (dns01 zones lists them)',
    },
    400: {
      kind: 'input',
      what: 'the request was refused as invalid',
      hint: 'Check the domain name and the TXT value; run with DNS01_LOG_LEVEL=debug for the request sent',
    },
  },
  { kind: 'api', what: 'failed', hint: 'Try again later; if it persists, contact XSServer support with the message above' },
);

/**
 * A refusal: an HTTP error status, or HTTP 200 with `{"success": false}`
 * (with or without `error`, HostBill's recorded replies) or a non-empty
 * `{"error": [...]}` (the document).
 */
export interface Refusal {
  /** The HTTP status, or the status the messages imply when the body came with 200 (0: no words to tell). */
  status: number;
  messages: string[];
  /** The HTTP status as sent. */
  httpStatus: number;
}

const AUTH_WORDS = /password|username|unauthori[sz]ed|authori[sz]ation|credential|log ?in|authenticat/i;
const DENIED_WORDS = /access denied|forbidden|blocked|too many|not active/i;
const NOT_FOUND_WORDS = /not found|does not exist|no such|unknown domain/i;

/** The body as JSON, or undefined when it is not JSON. */
export function safeJson(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.text);
  } catch {
    return undefined;
  }
}

/** The refusal in a reply, if any. Each body is checked for a refusal before its schema. */
export function refusalOf(res: HttpResponse): Refusal | undefined {
  const body = safeJson(res);
  const parsed = refusalReply.safeParse(body);
  const messages = parsed.success
    ? errorWords
        .parse(parsed.data.error)
        .map(String)
        .filter((m) => m.trim() !== '')
    : [];
  if (res.status >= 400) return { status: res.status, messages, httpStatus: res.status };
  if (!parsed.success) return undefined;
  const text = messages.join(' ');
  let status = messages.length === 0 ? 0 : 400;
  if (AUTH_WORDS.test(text)) status = 401;
  else if (DENIED_WORDS.test(text)) status = 403;
  else if (NOT_FOUND_WORDS.test(text)) status = 404;
  else if (/invalid method/i.test(text)) status = 405;
  return { status, messages, httpStatus: res.status };
}

/** The API's words of a refusal, for messages: "HTTP 200: <words>", or what came instead of words. */
export function refusalDetail(refusal: Refusal): string {
  return `HTTP ${refusal.httpStatus}: ${refusal.messages.length > 0 ? apiWords(refusal.messages) : refusal.httpStatus < 400 ? '"success": false without a message' : 'no error message'}`;
}

/** The typed error for a refusal of one action; `what` names the thing asked for (a domain, a domain id). */
export function refusalError(refusal: Refusal, action: string, what: string): Dns01Error {
  const code = refusal.status === 422 ? 400 : refusal.status;
  return REFUSALS.error(action, code, refusalDetail(refusal), code === 404 ? what : undefined);
}
