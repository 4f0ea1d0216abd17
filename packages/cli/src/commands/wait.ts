import { awaitPropagation, dnsContextFromEnv, InvalidInputError, normalizeFqdn, resolveCnameTarget } from '@dns01/provider-client';
import { parseCommandLine, type RunContext } from '../runtime.js';
import { COMMON_HELP, EXIT_HELP, PROPAGATION_HELP, propagationOptions, propagationOverrides } from './args.js';

const USAGE = `Usage: dns01 wait [options] [--] <fqdn> <value> [<value>...]

Waits until every authoritative nameserver of the zone holding <fqdn> serves
every <value> as TXT at <fqdn> (e.g. _acme-challenge.example.com). Queries the
nameservers directly, not through a cache. Needs no provider credentials.
Progress goes to stderr; on timeout the lagging nameservers are named there
and the exit code is 7.

Options:
${PROPAGATION_HELP}
  --json                print the result as JSON on stdout
${COMMON_HELP}

${EXIT_HELP}
`;

export async function waitCommand(ctx: RunContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(ctx, args, {
    command: 'dns01 wait',
    usage: USAGE,
    options: { ...propagationOptions, json: { type: 'boolean' } },
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [fqdn, ...expected] = positionals;
  if (fqdn === undefined || expected.length === 0) {
    throw new InvalidInputError('wait needs <fqdn> and at least one <value>', { hint: "Run 'dns01 wait --help'" });
  }
  const dns = dnsContextFromEnv(ctx.env, { logger: ctx.logger, overrides: propagationOverrides(values), signal: ctx.signal });
  const asked = normalizeFqdn(fqdn);
  const name = dns.propagation.followCname
    ? await resolveCnameTarget(asked, { resolvers: dns.propagation.resolvers, signal: ctx.signal })
    : asked;
  if (name !== asked) ctx.logger.info(`${asked} is a CNAME to ${name}; waiting for the record there`);
  const result = await awaitPropagation(
    dns,
    expected.map((value) => ({ name, value })),
  );
  if (values.json) {
    ctx.out(JSON.stringify({ propagated: true, name, values: expected, elapsedMs: result.elapsedMs, rounds: result.rounds, confirmedAt: result.confirmedAt }));
  } else {
    ctx.out(`${name}: served by every authoritative nameserver after ${(result.elapsedMs / 1000).toFixed(1)}s`);
  }
  return 0;
}
