import type { RunContext } from '@dns01/cli';
import { exitCodesHelp, hookWaitSetting, InvalidInputError, present, readSettings, cleanup } from '@dns01/provider-client';

export const UACME_USAGE = `Usage: dns01-uacme <method> <type> <ident> <token> <auth>   (uacme's hook)

uacme runs this program as its challenge hook:

  uacme --hook "$(command -v dns01-uacme)" issue example.com '*.example.com'

  begin  dns-01 <ident> <token> <auth>   creates TXT _acme-challenge.<ident>
                                         with <auth> (uacme already hands the
                                         base64url SHA-256 digest) and returns
                                         once every authoritative nameserver
                                         serves it
  done|failed dns-01 ...                 deletes exactly that record

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
