import {
  InvalidInputError,
  PROVIDER_NAMES,
  type Challenge,
  type PropagationSettings,
  type ProviderDefinition,
  type ProviderName,
  type ServerAddress,
} from '@dns01/provider-client';
import { docsUrl, exitCodesHelp, parseServerAddress, port, seconds } from '@dns01/provider-client/internal';

/** The part of a zod schema used here (zod itself is provider-client's dependency). */
interface Parser<T> {
  safeParse(value: string): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
}

/** `<domain> <value> [<domain> <value>...]` as challenges. */
export function challengePairs(positionals: string[], command: string): Challenge[] {
  if (positionals.length === 0 || positionals.length % 2 !== 0) {
    throw new InvalidInputError(`${command} needs <domain> <value> pairs (got ${positionals.length} argument${positionals.length === 1 ? '' : 's'})`, {
      hint: `Run 'dns01 ${command} --help'`,
    });
  }
  const out: Challenge[] = [];
  for (let i = 0; i < positionals.length; i += 2) out.push({ domain: positionals[i]!, value: positionals[i + 1]! });
  return out;
}

/** `--provider NAME`, checked against the known providers; undefined when absent. */
export function providerFlag(value: string | undefined): ProviderName | undefined {
  if (value === undefined) return undefined;
  const name = PROVIDER_NAMES.find((n) => n === value.trim().toLowerCase());
  if (!name) throw new InvalidInputError(`--provider must be one of ${PROVIDER_NAMES.join(', ')}`);
  return name;
}

function flagValue<T>(flag: string, schema: Parser<T>, raw: string): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(`${flag} ${parsed.error.issues[0]?.message ?? 'is malformed'}`);
  return parsed.data;
}

export interface PropagationFlags {
  resolver?: string[];
  'ns-port'?: string;
  timeout?: string;
  interval?: string;
  'no-cname'?: boolean;
}

/** parseArgs options for the propagation flags (wait, present). */
export const propagationOptions = {
  resolver: { type: 'string', multiple: true },
  'ns-port': { type: 'string' },
  timeout: { type: 'string' },
  interval: { type: 'string' },
  'no-cname': { type: 'boolean' },
} as const;

/** The flags given, as overrides of the environment's propagation settings. */
export function propagationOverrides(flags: PropagationFlags): Partial<PropagationSettings> {
  const out: Partial<PropagationSettings> = {};
  if (flags.resolver?.length) {
    out.resolvers = flags.resolver.map((text): ServerAddress => {
      const address = parseServerAddress(text);
      if (!address || address.port < 1 || address.port > 65_535) throw new InvalidInputError(`--resolver "${text}" is not ip[:port]`);
      return address;
    });
  }
  if (flags['ns-port'] !== undefined) out.nsPort = flagValue('--ns-port', port, flags['ns-port']);
  if (flags.timeout !== undefined) out.timeoutMs = flagValue('--timeout', seconds, flags.timeout) * 1000;
  if (flags.interval !== undefined) out.intervalMs = flagValue('--interval', seconds, flags.interval) * 1000;
  if (flags['no-cname']) out.followCname = false;
  return out;
}

export const PROPAGATION_HELP = `  --resolver IP[:PORT]  recursive resolver for the SOA/NS lookups; repeatable (env DNS01_RESOLVERS)
  --ns-port N           port of the authoritative nameservers (env DNS01_NS_PORT, default 53)
  --timeout S           give up after S seconds (env DNS01_PROPAGATION_TIMEOUT, default per provider)
  --interval S          seconds between two rounds of queries (env DNS01_POLLING_INTERVAL)
  --no-cname            do not follow a CNAME at the name (env DNS01_CNAME=0)`;

export const COMMON_HELP = `  -q, --quiet           errors only (env DNS01_LOG_LEVEL=quiet)
      --debug           every step and API call, redacted (env DNS01_LOG_LEVEL=debug)
      --log-json        log lines as JSON on stderr (env DNS01_LOG_FORMAT=json)
  -h, --help            this text`;

export const EXIT_HELP = `${exitCodesHelp()}
Configuration: environment, else the file named by DNS01_CONFIG, else
~/.config/dns01/config or /etc/dns01/config (KEY=VALUE, mode 600). See
${docsUrl('configuration.md#the-config-file')}.`;

/**
 * Refuses a command that needs the provider's own API (listing, names other
 * than `_acme-challenge`) on a provider that only relays challenges (the
 * gateway provider), before anything is sent.
 */
export function requireOwnApi(definition: Pick<ProviderDefinition, 'name' | 'challengesOnly'>, command: string): void {
  if (!definition.challengesOnly) return;
  throw new InvalidInputError(
    `${command} needs the DNS provider's own API; the ${definition.name} provider only relays _acme-challenge records to a dns01 gateway`,
    {
      hint: `Run ${command} on the gateway host, with its provider`,
    },
  );
}
