import { InvalidInputError } from '@dns01/provider-client';
import { exitCodesHelp, providerList } from '@dns01/provider-client/internal';
import { checkCommand } from '../commands/check.js';
import { persistCommand } from '../commands/persist.js';
import { cleanupCommand } from '../commands/cleanup.js';
import { presentCommand } from '../commands/present.js';
import { serveCommand } from '../commands/serve.js';
import { waitCommand } from '../commands/wait.js';
import { zonesCommand } from '../commands/zones.js';
import { runMain, type RunContext } from '../runtime.js';

const commands: Record<string, (ctx: RunContext, args: readonly string[]) => Promise<number>> = {
  present: presentCommand,
  cleanup: cleanupCommand,
  wait: waitCommand,
  zones: zonesCommand,
  check: checkCommand,
  persist: persistCommand,
  serve: serveCommand,
};

const USAGE = `Usage: dns01 <command> [options] [arguments]

Solves ACME DNS-01 challenges on ${providerList('and')}.

Commands:
  check [<domain>...]                  verify the credentials, list the zones they reach
  check --write <domain>               prove add-only, exact delete and the propagation time on the account
  zones                                list the zones the credentials reach
  present <domain> <value> [...]       create TXT records, wait until every nameserver serves them
  cleanup <domain> <value> [...]       delete exactly those TXT records
  wait <fqdn> <value> [<value>...]     wait until every authoritative nameserver serves the values
  persist set|check|remove <domain>    persistent authorization records (dns-persist-01)
  serve [--check] | serve client ...   the DNS-01 gateway: clients get scoped credentials

Run 'dns01 <command> --help' for its options. Results go to stdout, progress
and errors to stderr. Configuration: environment variables, or a KEY=VALUE
file (DNS01_CONFIG, ~/.config/dns01/config, /etc/dns01/config; mode 600).
In a terminal, a wait shows one live status line (DNS01_STATUS_LINE=0: off).
'dns01 --version' prints the version.
${exitCodesHelp()}
`;

void runMain(
  'dns01',
  async (ctx) => {
    const [command, ...rest] = ctx.argv;
    if (command === undefined) {
      ctx.err(USAGE);
      return 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      ctx.out(USAGE.trimEnd());
      return 0;
    }
    const run = commands[command];
    if (!run) throw new InvalidInputError(`unknown command "${command}"`, { hint: "Run 'dns01 --help'" });
    return run(ctx, rest);
  },
  { statusLine: true },
);
