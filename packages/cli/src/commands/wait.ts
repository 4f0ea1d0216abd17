import { InvalidInputError, waitForRecords } from '@dns01/provider-client';
import { normalizeFqdn, resolveCnameTarget } from '@dns01/provider-client/internal';
import { parseCommandLine, type RunContext } from '../runtime.js';
import { COMMON_HELP, EXIT_HELP, PROPAGATION_HELP, propagationOptions, propagationOverrides } from './args.js';

const USAGE = `Usage: dns01 wait [options] [--] <fqdn> <value> [<value>...]
       dns01 wait [options] --record <fqdn>=<value> [--record <fqdn>=<value>...]

Waits until every authoritative nameserver of the zone holding <fqdn> serves
every <value> as TXT at <fqdn> (e.g. _acme-challenge.example.com). Queries the
nameservers directly, not through a cache. Needs no provider credentials.
Progress goes to stderr; on timeout the lagging nameservers are named there
and the exit code is 7.

Options:
  --record FQDN=VALUE   also wait for this record (repeatable): several names, one wait
${PROPAGATION_HELP}
  --json                print the result as JSON on stdout
${COMMON_HELP}

${EXIT_HELP}
`;

export async function waitCommand(ctx: RunContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(ctx, args, {
    command: 'dns01 wait',
    usage: USAGE,
    options: { ...propagationOptions, json: { type: 'boolean' }, record: { type: 'string', multiple: true } },
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const asked = expectedRecords(positionals, values.record ?? []);
  const dns = ctx.dns({ overrides: propagationOverrides(values) });
  const targets = new Map<string, string>();
  for (const name of new Set(asked.map((r) => r.name))) {
    const target = dns.propagation.followCname ? await resolveCnameTarget(name, { resolvers: dns.propagation.resolvers, signal: ctx.signal }) : name;
    if (target !== name) ctx.logger.info(`${name} is a CNAME to ${target}; waiting for the record there`);
    targets.set(name, target);
  }
  const records = asked.map((r) => ({ name: targets.get(r.name)!, value: r.value }));
  const result = await waitForRecords(dns, records);
  const names = [...new Set(records.map((r) => r.name))];
  if (values.json) {
    const byName = names.map((name) => ({ name, values: records.filter((r) => r.name === name).map((r) => r.value) }));
    const single = byName.length === 1 ? { name: byName[0]!.name, values: byName[0]!.values } : {};
    ctx.out(
      JSON.stringify({ propagated: true, ...single, records: byName, elapsedMs: result.elapsedMs, rounds: result.rounds, confirmedAt: result.confirmedAt }),
    );
  } else {
    for (const name of names) ctx.out(`${name}: served by every authoritative nameserver after ${(result.elapsedMs / 1000).toFixed(1)}s`, [name]);
  }
  return 0;
}

/** `<fqdn> <value>...` and `--record fqdn=value` as (normalised name, value) pairs. */
function expectedRecords(positionals: string[], records: string[]): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const [fqdn, ...values] = positionals;
  if (fqdn !== undefined) {
    if (values.length === 0) throw new InvalidInputError(`wait needs at least one <value> for ${fqdn}`, { hint: "Run 'dns01 wait --help'" });
    for (const value of values) out.push({ name: normalizeFqdn(fqdn), value });
  }
  for (const record of records) {
    const at = record.indexOf('=');
    if (at <= 0 || at === record.length - 1) throw new InvalidInputError(`--record "${record}" is not <fqdn>=<value>`);
    out.push({ name: normalizeFqdn(record.slice(0, at)), value: record.slice(at + 1) });
  }
  if (out.length === 0) throw new InvalidInputError('wait needs <fqdn> <value> or --record <fqdn>=<value>', { hint: "Run 'dns01 wait --help'" });
  return out;
}
