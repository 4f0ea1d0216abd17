import { cleanup } from '@dns01/provider-client';
import { providerList } from '@dns01/provider-client/internal';
import { parseCommandLine, type RunContext } from '../runtime.js';
import { challengePairs, COMMON_HELP, EXIT_HELP, providerFlag } from './args.js';

const USAGE = `Usage: dns01 cleanup [options] [--] <domain> <value> [<domain> <value>...]

Deletes exactly the TXT records _acme-challenge.<domain> with <value> (the
pairs given to present). Other records, including other values on the same
name, are never touched. A record already gone counts as deleted.

Options:
  --provider NAME       ${providerList()} (env DNS01_PROVIDER)
  --no-cname            do not follow a CNAME at _acme-challenge.<domain> (env DNS01_CNAME=0)
${COMMON_HELP}

Put -- before the pairs when a value starts with "-".
${EXIT_HELP}
`;

export async function cleanupCommand(ctx: RunContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(ctx, args, {
    command: 'dns01 cleanup',
    usage: USAGE,
    options: { provider: { type: 'string' }, 'no-cname': { type: 'boolean' } },
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const challenges = challengePairs(positionals, 'cleanup');
  const flow = ctx.flow({
    provider: providerFlag(values.provider),
    overrides: values['no-cname'] ? { followCname: false } : {},
  });
  await cleanup(flow, challenges);
  return 0;
}
