import { InvalidInputError, type DnsProvider } from '@dns01/provider-client';
import { providerList } from '@dns01/provider-client/internal';
import { parseCommandLine, type RunContext } from '../runtime.js';
import { COMMON_HELP, EXIT_HELP, providerFlag } from './args.js';

const USAGE = `Usage: dns01 zones [options]

Lists the DNS zones the configured credentials reach, one per line.

Options:
  --provider NAME       ${providerList()} (env DNS01_PROVIDER)
  --json                print a JSON array on stdout
${COMMON_HELP}

netcup's API cannot list zones: use 'dns01 check <domain>' there.
${EXIT_HELP}
`;

/** The zones of the account, sorted; a clear error where the API has no list. */
export async function listZonesOf(provider: DnsProvider): Promise<string[]> {
  if (!provider.listZones) {
    throw new InvalidInputError(`${provider.name}: the provider API cannot list zones`, {
      hint: `Name a domain instead: dns01 check example.com`,
    });
  }
  return [...(await provider.listZones())].sort();
}

export async function zonesCommand(ctx: RunContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(ctx, args, {
    command: 'dns01 zones',
    usage: USAGE,
    options: { provider: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (!parsed) return 0;
  if (parsed.positionals.length > 0) throw new InvalidInputError('zones takes no arguments', { hint: "Run 'dns01 zones --help'" });
  // A one-off command, not a call of an ACME run: its own session, logged out at the end.
  const session = ctx.session({ provider: providerFlag(parsed.values.provider), shareRun: false });
  const zones = await listZonesOf(session.provider);
  if (parsed.values.json) ctx.out(JSON.stringify(zones));
  else for (const zone of zones) ctx.out(zone, [zone]);
  return 0;
}
