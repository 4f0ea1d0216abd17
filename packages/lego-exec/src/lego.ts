import type { RunContext } from '@dns01/cli';
import { cleanup, dnsChallengeValue, InvalidInputError, present, type Challenge } from '@dns01/provider-client';
import { CHALLENGE_LABEL, exitCodesHelp, hookWaitSetting, normalizeFqdn, readSettings } from '@dns01/provider-client/internal';

export const LEGO_USAGE = `Usage: dns01-lego present|cleanup <fqdn> <value>                 (lego exec, default mode)
       dns01-lego present|cleanup -- <domain> <token> <keyAuth>     (lego exec, EXEC_MODE=RAW)

lego's exec provider runs this program; set EXEC_PATH to it:

  EXEC_PATH=$(command -v dns01-lego) EXEC_MODE=RAW EXEC_SEQUENCE_INTERVAL=1 \\
  EXEC_PROPAGATION_TIMEOUT=1500 DNS01_PROVIDER=netcup \\
  lego --accept-tos --email you@example.com --dns exec --dns.disable-cp -d example.com run

present creates TXT _acme-challenge.<domain> and returns once every
authoritative nameserver serves it; cleanup deletes exactly that record.
RAW mode computes the value itself (base64url SHA-256 of keyAuth) and follows
a CNAME at _acme-challenge.<domain>. DNS01_WAIT=0 skips the wait.

Credentials and settings come from the environment or the dns01 config file
(DNS01_CONFIG, ~/.config/dns01/config, /etc/dns01/config). Errors: one line on
stderr.
${exitCodesHelp()}
`;

export type LegoAction = 'present' | 'cleanup';

export interface LegoCall {
  action: LegoAction;
  mode: 'default' | 'raw';
  challenge: Challenge;
}

const CHALLENGE_PREFIX = `${CHALLENGE_LABEL}.`;

/** The domain of `_acme-challenge.<domain>.` as lego's default mode passes it. */
function domainOfChallengeFqdn(fqdn: string): string {
  const name = normalizeFqdn(fqdn);
  if (!name.startsWith(CHALLENGE_PREFIX)) {
    throw new InvalidInputError(`lego passed "${fqdn}", which is not an ${CHALLENGE_PREFIX}<domain> name (lego followed a CNAME to it)`, {
      hint: 'Use EXEC_MODE=RAW, where dns01 follows the CNAME itself, or set LEGO_DISABLE_CNAME_SUPPORT=true',
    });
  }
  return name.slice(CHALLENGE_PREFIX.length);
}

/**
 * lego's exec calls, by their shape: `<action> <fqdn> <value>` (default) or
 * `<action> -- <domain> <token> <keyAuth>` (RAW). Values may start with "-",
 * so nothing here is parsed as an option.
 */
export function parseLegoCall(argv: readonly string[], execMode: string | undefined): LegoCall {
  const [action, ...rest] = argv;
  if (action !== 'present' && action !== 'cleanup') {
    throw new InvalidInputError(action === undefined ? 'missing the action (present or cleanup)' : `unknown action "${action}"`, {
      hint: "lego calls 'dns01-lego present|cleanup ...'; run 'dns01-lego --help'",
    });
  }
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  const raw = execMode === 'RAW';
  if (raw && args.length === 3) {
    const [domain, , keyAuth] = args as [string, string, string];
    return { action, mode: 'raw', challenge: { domain, value: dnsChallengeValue(keyAuth) } };
  }
  if (!raw && args.length === 2) {
    const [fqdn, value] = args as [string, string];
    return { action, mode: 'default', challenge: { domain: domainOfChallengeFqdn(fqdn), value } };
  }
  const expected = raw ? '-- <domain> <token> <keyAuth> (EXEC_MODE=RAW)' : '<fqdn> <value> (EXEC_MODE unset)';
  throw new InvalidInputError(`${action} expects ${expected}, got ${args.length} argument${args.length === 1 ? '' : 's'}`, {
    hint: 'Check that EXEC_MODE is the same for lego and this program',
  });
}

export async function legoMain(ctx: RunContext): Promise<number> {
  const first = ctx.argv[0];
  if (first === '--help' || first === '-h') {
    ctx.out(LEGO_USAGE.trimEnd());
    return 0;
  }
  const call = parseLegoCall(ctx.argv, ctx.env.EXEC_MODE);
  const { wait } = readSettings(ctx.env, { wait: hookWaitSetting });
  const flow = ctx.flow();
  if (call.action === 'present') await present(flow, [call.challenge], { wait });
  else await cleanup(flow, [call.challenge]);
  return 0;
}
