import { ExitCode, InvalidInputError, MissingBackendCredentialsError } from '@dns01/provider-client';
import { challengeTarget, deviationError, providerList, selfTest, type SelfTestReport } from '@dns01/provider-client/internal';
import { parseCommandLine, type RunContext } from '../runtime.js';
import { COMMON_HELP, EXIT_HELP, PROPAGATION_HELP, propagationOptions, propagationOverrides, providerFlag, requireOwnApi } from './args.js';
import { listZonesOf } from './zones.js';

const USAGE = `Usage: dns01 check [options] [<domain>...]
       dns01 check --write [options] <domain>

Verifies the configuration and the credentials: names the config file read,
lists the zones they reach
and, for each <domain> given, the zone that will hold _acme-challenge.<domain>
(following a CNAME there; its records are read, which proves the zone usable)
and, where a provider has several APIs (netcup: REST for CloudDNS, CCP for the
others), which one serves it and whether its credentials are set. Changes
nothing. Run it first after setting up.

With --write, proves the provider's behaviour on this account, on a throwaway
name _dns01-selftest-<random>.<zone>: snapshots the zone's TXT records, adds
two values (both must be listed), deletes one (exactly that one must go),
waits until every authoritative nameserver serves the other and reports the
time per nameserver (in milliseconds) with a suggested
DNS01_PROPAGATION_TIMEOUT, deletes it and compares the zone with the snapshot.
It reports how this account's API behaves where its documentation is unclear,
and the API calls made. At the first deviation it only removes its own
values. Run it once before the first issuance.

Options:
  --write               run the write test on <domain>'s zone (exit 8: a deviation dns01 cannot handle)
  --provider NAME       ${providerList()} (env DNS01_PROVIDER)
${PROPAGATION_HELP}
  --json                print the result as JSON on stdout
${COMMON_HELP}

netcup's API cannot list zones: name at least one domain there.
${EXIT_HELP}
`;

export async function checkCommand(ctx: RunContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(ctx, args, {
    command: 'dns01 check',
    usage: USAGE,
    options: { provider: { type: 'string' }, ...propagationOptions, json: { type: 'boolean' }, write: { type: 'boolean' } },
  });
  if (!parsed) return 0;
  const { values, positionals: domains } = parsed;
  if (values.write) return writeCheck(ctx, domains, values);
  // check proves the credentials and the zones now: no session or zone from an earlier call.
  const session = ctx.session({
    provider: providerFlag(values.provider),
    overrides: propagationOverrides(values),
    shareRun: false,
  });
  const flow = session.flow(ctx.call);
  const provider = session.provider;
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
      const backend = session.describeZone(zone);
      // Reading the zone's records proves the zone usable, not only listed (sourceDESK lists zones it then refuses to show);
      // a provider that only relays challenges (the gateway) reads none.
      if (!session.definition.challengesOnly) await provider.listTxt(zone, name);
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

async function writeCheck(
  ctx: RunContext,
  domains: string[],
  values: { provider?: string; json?: boolean } & Parameters<typeof propagationOverrides>[0],
): Promise<number> {
  if (domains.length !== 1) {
    throw new InvalidInputError(`check --write takes exactly one <domain> (got ${domains.length})`, { hint: 'Run: dns01 check --write example.com' });
  }
  const session = ctx.session({
    provider: providerFlag(values.provider),
    overrides: propagationOverrides(values),
    // Proven now and counted whole: no session, zone or record id from another process of a run.
    shareRun: false,
  });
  requireOwnApi(session.definition, 'dns01 check --write');
  const report = await selfTest(session.flow(ctx.call), domains[0]!, {
    readings: session.readings,
    openPoints: session.definition.openPoints,
    apiCalls: () => session.apiCalls,
  });
  // Each step was logged as it happened; where the log and the report share a terminal, the report does not repeat them.
  const stepsShown = process.stdout.isTTY === true && process.stderr.isTTY === true && ctx.logger.level !== 'quiet';
  // The names are never secret and scripts parse them: a short password must not redact them.
  ctx.out(values.json ? JSON.stringify(report) : formatReport(report, { steps: !stepsShown }), [report.domain, report.name, report.zone]);
  if (report.outcome === 'ok') return ExitCode.ok;
  // The report is on stdout; the one error line says what it means.
  throw deviationError(report);
}

function formatReport(r: SelfTestReport, show: { steps: boolean }): string {
  const lines = [`${r.provider}: write check of ${r.domain} in zone ${r.zone} on ${r.name}`];
  // A deviation is the report's point: always shown.
  for (const s of r.steps) if (show.steps || !s.ok) lines.push(`  ${s.ok ? 'ok' : 'DEVIATION'}  ${s.step}: ${s.detail}`);
  if (r.propagation) {
    const slowest = r.propagation.nameservers.at(-1);
    const after = slowest ? `the slowest nameserver, ${slowest.nameserver}, served the value ${slowest.ms} ms after the add` : 'served';
    lines.push(`propagation: ${after}; suggested DNS01_PROPAGATION_TIMEOUT=${r.propagation.suggestedTimeout}`);
  }
  lines.push("how this account's API behaves where its documentation is unclear:");
  for (const p of r.readings) {
    const verdict =
      p.handled === undefined ? 'not shown by any reply of this check' : `${p.seen} (${p.handled ? 'dns01 handles it' : 'dns01 cannot handle it'})`;
    lines.push(`  ${p.title}: ${verdict}`);
  }
  lines.push(`API calls: ${r.apiCalls}`);
  lines.push(
    `zone ${r.zoneRestored ? 'identical to the snapshot' : 'NOT identical to the snapshot'}${r.leftBehind.length ? `; left behind: ${r.leftBehind.join(', ')}` : ''}`,
  );
  lines.push(r.outcome === 'ok' ? 'result: everything held; dns01 works on this zone' : `result: deviation: ${r.deviation ?? ''}`);
  return lines.join('\n');
}
