import { providerList, challengeTarget, InvalidInputError } from '@dns01/provider-client';
import { parseCommandLine, type RunContext } from '../runtime.js';
import { COMMON_HELP, EXIT_HELP, providerFlag } from './args.js';
import { listZonesOf } from './zones.js';

const USAGE = `Usage: dns01 check [options] [<domain>...]

Verifies the configuration and the credentials: names the config file read,
lists the zones they reach
and, for each <domain> given, the zone that will hold _acme-challenge.<domain>
(following a CNAME there). Changes nothing. Run it first after setting up.

Options:
  --provider NAME       ${providerList()} (env DNS01_PROVIDER)
  --no-cname            do not follow a CNAME at _acme-challenge.<domain> (env DNS01_CNAME=0)
  --json                print the result as JSON on stdout
${COMMON_HELP}

netcup's API cannot list zones: name at least one domain there.
${EXIT_HELP}
`;

export async function checkCommand(ctx: RunContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(ctx, args, {
    command: 'dns01 check',
    usage: USAGE,
    options: { provider: { type: 'string' }, 'no-cname': { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (!parsed) return 0;
  const { values, positionals: domains } = parsed;
  const flow = ctx.flow({
    provider: providerFlag(values.provider),
    overrides: values['no-cname'] ? { followCname: false } : {},
  });
  const provider = flow.provider;
  if (!provider.listZones && domains.length === 0) {
    throw new InvalidInputError(`${provider.name}: the provider API cannot list zones, so check needs a domain`, {
      hint: `Run: dns01 check example.com`,
    });
  }
  const zones = provider.listZones ? await listZonesOf(provider) : undefined;
  const targets = [];
  for (const domain of domains) {
    const name = await challengeTarget(flow, domain);
    const zone = await provider.findZone(name);
    targets.push({ domain, name, zone: zone.name });
  }
  if (values.json) {
    ctx.out(
      JSON.stringify({ provider: provider.name, configFile: ctx.configFile ?? null, credentials: 'accepted', ...(zones ? { zones } : {}), domains: targets }),
    );
    return 0;
  }
  ctx.out(`config file: ${ctx.configFile ?? 'none (settings from the environment only)'}`);
  ctx.out(`${provider.name}: credentials accepted`);
  if (zones) ctx.out(zones.length === 0 ? 'zones: none' : `zones: ${zones.join(' ')}`);
  for (const t of targets) ctx.out(`${t.domain}: ${t.name} goes into zone ${t.zone}`);
  return 0;
}
