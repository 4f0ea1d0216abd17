import { providerList, challengeTarget, ExitCode, InvalidInputError, MissingBackendCredentialsError } from '@dns01/provider-client';
import { parseCommandLine, type RunContext } from '../runtime.js';
import { COMMON_HELP, EXIT_HELP, providerFlag } from './args.js';
import { listZonesOf } from './zones.js';

const USAGE = `Usage: dns01 check [options] [<domain>...]

Verifies the configuration and the credentials: names the config file read,
lists the zones they reach
and, for each <domain> given, the zone that will hold _acme-challenge.<domain>
(following a CNAME there) and, where a provider has several APIs (netcup: REST
for CloudDNS, CCP for the others), which one serves it and whether its
credentials are set. Changes nothing. Run it first after setting up.

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
  // check proves the credentials and the zones now: no session or zone from an earlier call.
  const flow = ctx.flow({
    provider: providerFlag(values.provider),
    overrides: values['no-cname'] ? { followCname: false } : {},
    shareRun: false,
  });
  const provider = flow.provider;
  if (!provider.listZones && domains.length === 0) {
    throw new InvalidInputError(`${provider.name}: the provider API cannot list zones, so check needs a domain`, {
      hint: `Run: dns01 check example.com`,
    });
  }
  const zones = provider.listZones ? await listZonesOf(provider) : undefined;
  const targets: { domain: string; name: string; zone: string; backend?: string; credentials?: 'present' | 'missing'; hint?: string }[] = [];
  for (const domain of domains) {
    const name = await challengeTarget(flow, domain);
    try {
      const zone = await provider.findZone(name);
      const backend = provider.describeZone?.(zone);
      targets.push({ domain, name, zone: zone.name, ...(backend ? { backend: backend.label, credentials: backend.credentials } : {}) });
    } catch (error) {
      // A zone whose API lacks credentials is a finding of the check, not the end of it.
      if (!(error instanceof MissingBackendCredentialsError)) throw error;
      targets.push({ domain, name, zone: error.zone, backend: error.backend, credentials: 'missing', hint: error.hint });
    }
  }
  const missing = targets.some((t) => t.credentials === 'missing');
  if (values.json) {
    ctx.out(
      JSON.stringify({ provider: provider.name, configFile: ctx.configFile ?? null, credentials: 'accepted', ...(zones ? { zones } : {}), domains: targets }),
    );
    return missing ? ExitCode.config : 0;
  }
  ctx.out(`config file: ${ctx.configFile ?? 'none (settings from the environment only)'}`);
  ctx.out(`${provider.name}: credentials accepted`);
  if (zones) ctx.out(zones.length === 0 ? 'zones: none' : `zones: ${zones.join(' ')}`);
  for (const t of targets) {
    const via = t.backend ? ` through the ${t.backend}, whose credentials are ${t.credentials === 'present' ? 'set' : 'NOT set'}` : '';
    ctx.out(`${t.domain}: ${t.name} goes into zone ${t.zone}${via}${t.hint ? ` (${t.hint})` : ''}`, [t.domain, t.name, t.zone]);
  }
  return missing ? ExitCode.config : 0;
}
