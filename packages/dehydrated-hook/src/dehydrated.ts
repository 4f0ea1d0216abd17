import type { RunContext } from '@dns01/cli';
import { cleanup, InvalidInputError, present, type Challenge } from '@dns01/provider-client';
import { exitCodesHelp, hookWaitSetting, readSettings } from '@dns01/provider-client/internal';

export const DEHYDRATED_USAGE = `Usage: dns01-dehydrated <handler> [arguments...]   (dehydrated's HOOK)

dehydrated runs this program as its hook:

  dehydrated --cron --challenge dns-01 --hook "$(command -v dns01-dehydrated)" --domain example.com

or in dehydrated's config: CHALLENGETYPE="dns-01", HOOK=/path/to/dns01-dehydrated,
HOOK_CHAIN="yes" (recommended: all records of a certificate in one call, one wait).

  deploy_challenge <domain> <token> <value> [<domain> <token> <value>...]
      creates TXT _acme-challenge.<domain> for each triple, then waits once
      until every authoritative nameserver serves all of them
  clean_challenge  <domain> <token> <value> [...]
      deletes exactly those records

Every other handler (deploy_cert, startup_hook, exit_hook, ...) exits 0 and
does nothing. Nothing is ever written to stdout. DNS01_WAIT=0 skips the wait.
Credentials: environment or the dns01 config file (DNS01_CONFIG,
~/.config/dns01/config, /etc/dns01/config).
${exitCodesHelp()}
`;

/** `<domain> <token> <value>` triples (one, or several with HOOK_CHAIN=yes). */
export function challengeTriples(handler: string, args: readonly string[]): Challenge[] {
  if (args.length === 0 || args.length % 3 !== 0) {
    throw new InvalidInputError(`${handler} needs <domain> <token> <value> triples, got ${args.length} argument${args.length === 1 ? '' : 's'}`, {
      hint: 'Use this program as dehydrated\'s HOOK with CHALLENGETYPE="dns-01"',
    });
  }
  const out: Challenge[] = [];
  for (let i = 0; i < args.length; i += 3) out.push({ domain: args[i]!, value: args[i + 2]! });
  return out;
}

export async function dehydratedMain(ctx: RunContext): Promise<number> {
  const [handler, ...args] = ctx.argv;
  if (handler === undefined) throw new InvalidInputError('missing the handler', { hint: "Run 'dns01-dehydrated --help'" });
  if (handler === '--help' || handler === '-h') {
    ctx.out(DEHYDRATED_USAGE.trimEnd());
    return 0;
  }
  // dehydrated calls many handlers (and an unknown one at startup to test the hook): ignore them.
  if (handler !== 'deploy_challenge' && handler !== 'clean_challenge') return 0;
  const challenges = challengeTriples(handler, args);
  const flow = ctx.flow();
  if (handler === 'deploy_challenge') {
    const { wait } = readSettings(ctx.env, { wait: hookWaitSetting });
    await present(flow, challenges, { wait });
  } else {
    await cleanup(flow, challenges);
  }
  return 0;
}
