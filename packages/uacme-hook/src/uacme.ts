import type { RunContext } from '@dns01/cli';
import { cleanup, describeError, InvalidInputError, parsePersistValue, persistCheck, present } from '@dns01/provider-client';
import { exitCodesHelp, hookWaitSetting, readSettings, unquoteTxt } from '@dns01/provider-client/internal';

export const UACME_USAGE = `Usage: dns01-uacme <method> <type> <ident> <token> <auth>   (uacme's hook)

uacme runs this program as its challenge hook:

  uacme --hook "$(command -v dns01-uacme)" issue example.com '*.example.com'

  begin  dns-01 <ident> <token> <auth>   creates TXT _acme-challenge.<ident>
                                         with <auth> (uacme already hands the
                                         base64url SHA-256 digest) and returns
                                         once every authoritative nameserver
                                         serves it
  done|failed dns-01 ...                 deletes exactly that record
  begin  dns-persist-01 <ident> <token> <auth>
                                         accepts (exit 0) when every authoritative
                                         nameserver serves a persistent record
                                         for the CA and account in <auth> (set it
                                         once with 'dns01 persist set'); needs no
                                         credentials; else declines (exit 1) and
                                         says why. done|failed: nothing to do,
                                         the record stays.

For any other challenge type it exits 1 at once, so uacme tries the next one.
DNS01_WAIT=0 skips the wait. Credentials: environment or the dns01 config file
(DNS01_CONFIG, ~/.config/dns01/config, /etc/dns01/config).
${exitCodesHelp({ 1: 'declined or other failure' })}
`;

/** The exit code that tells uacme "not this challenge type, try the next". */
export const DECLINE = 1;

export async function uacmeMain(ctx: RunContext): Promise<number> {
  if (ctx.argv[0] === '--help' || ctx.argv[0] === '-h') {
    ctx.out(UACME_USAGE.trimEnd());
    return 0;
  }
  if (ctx.argv.length !== 5) {
    throw new InvalidInputError(`expected 5 arguments (method type ident token auth), got ${ctx.argv.length}`, {
      hint: "Use this program as uacme's --hook; run 'dns01-uacme --help'",
    });
  }
  const [method, type, ident, , auth] = ctx.argv as [string, string, string, string, string];
  if (method !== 'begin' && method !== 'done' && method !== 'failed') {
    throw new InvalidInputError(`unknown method "${method}" (begin, done or failed)`);
  }
  if (type === 'dns-persist-01') return persistChallenge(ctx, method, ident, auth);
  if (type !== 'dns-01') {
    ctx.logger.debug(`declining ${type} for ${ident}: only dns-01 is handled here`);
    return DECLINE;
  }
  // For dns-01 uacme passes the TXT value itself (the key authorization's digest).
  const challenge = { domain: ident, value: auth };
  const flow = ctx.flow();
  if (method === 'begin') {
    const { wait } = readSettings(ctx.env, { wait: hookWaitSetting });
    await present(flow, [challenge], { wait });
  } else {
    await cleanup(flow, [challenge]);
  }
  return 0;
}

/**
 * dns-persist-01: uacme hands `<issuer>; accounturi=<uri>` as AUTH. The record
 * is never created or removed here (it is meant to stay, and a renewing host
 * needs no credentials): begin accepts only when every authoritative
 * nameserver already serves a fitting record, so uacme falls back to the
 * next challenge type otherwise.
 */
async function persistChallenge(ctx: RunContext, method: string, ident: string, auth: string): Promise<number> {
  if (method !== 'begin') return 0;
  // uacme 1.8.1 hands the value quoted as in a zone file ("<issuer>; accounturi=<uri>"); TOKEN is the issuer.
  const wanted = parsePersistValue(unquoteTxt(auth));
  if (!wanted?.accountUri) {
    ctx.logger.warn(`declining dns-persist-01 for ${ident}: uacme's AUTH "${auth}" names no CA and account`);
    return DECLINE;
  }
  const wildcard = ident.startsWith('*.');
  const domain = wildcard ? ident.slice(2) : ident;
  try {
    const report = await persistCheck(ctx.dns(), domain, {
      issuer: wanted.issuer,
      accountUri: wanted.accountUri,
      wildcard,
    });
    if (report.problems.length === 0) {
      ctx.logger.info(`every authoritative nameserver serves the persistent record at ${report.name}`);
      return 0;
    }
    ctx.logger.warn(
      `declining dns-persist-01 for ${ident}: ${report.problems[0]}; set it with: dns01 persist set ${domain} --issuer ${wanted.issuer} --account-uri ${wanted.accountUri}${wildcard ? ' --wildcard' : ''}`,
    );
  } catch (error) {
    ctx.logger.warn(`declining dns-persist-01 for ${ident}: ${describeError(error)}`);
  }
  return DECLINE;
}
