import { present, type PlacedRecord } from '@dns01/provider-client';
import { providerList } from '@dns01/provider-client/internal';
import { parseCommandLine, type RunContext } from '../runtime.js';
import { challengePairs, COMMON_HELP, EXIT_HELP, PROPAGATION_HELP, propagationOptions, propagationOverrides, providerFlag } from './args.js';

const USAGE = `Usage: dns01 present [options] [--] <domain> <value> [<domain> <value>...]

Creates the TXT record _acme-challenge.<domain> with <value> for each pair
(a wildcard *.example.com uses _acme-challenge.example.com), all together,
then waits once until every authoritative nameserver serves every value.
If the wait fails, the records created are removed again.

Options:
  --provider NAME       ${providerList()} (env DNS01_PROVIDER)
  --no-wait             create the records and return without waiting
  --json                print the records as JSON on stdout
${PROPAGATION_HELP}
${COMMON_HELP}

Put -- before the pairs when a value starts with "-".
Credentials come from the environment or the config file, never from arguments.
${EXIT_HELP}
`;

export async function presentCommand(ctx: RunContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(ctx, args, {
    command: 'dns01 present',
    usage: USAGE,
    options: {
      provider: { type: 'string' },
      'no-wait': { type: 'boolean' },
      json: { type: 'boolean' },
      ...propagationOptions,
    },
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const challenges = challengePairs(positionals, 'present');
  const flow = ctx.flow({ provider: providerFlag(values.provider), overrides: propagationOverrides(values) });
  const placed = await present(flow, challenges, { wait: !values['no-wait'] });
  printRecords(ctx, placed, { json: values.json === true, propagated: !values['no-wait'] });
  return 0;
}

/** One line per record (`<name> TXT "<value>" zone <zone>`), or one JSON object. */
export function printRecords(ctx: RunContext, records: PlacedRecord[], options: { json: boolean; propagated?: boolean }): void {
  if (options.json) {
    const list = records.map((r) => ({ domain: r.domain, name: r.name, zone: r.zone.name, value: r.value }));
    const fields = list.flatMap((r) => [r.domain, r.name, r.zone, r.value]);
    ctx.out(JSON.stringify(options.propagated === undefined ? { records: list } : { records: list, propagated: options.propagated }), fields);
    return;
  }
  for (const r of records) ctx.out(`${r.name} TXT "${r.value}" zone ${r.zone.name}`, [r.name, r.value, r.zone.name]);
}
