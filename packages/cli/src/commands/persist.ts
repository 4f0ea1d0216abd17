import {
  accountUriFromFile,
  Dns01Error,
  InvalidInputError,
  parseUntil,
  persistCheck,
  persistRemove,
  persistSet,
  type PersistCheckReport,
} from '@dns01/provider-client';
import { docsUrl, providerList } from '@dns01/provider-client/internal';
import { parseCommandLine, type RunContext } from '../runtime.js';
import { COMMON_HELP, EXIT_HELP, PROPAGATION_HELP, propagationOptions, propagationOverrides, providerFlag, requireOwnApi } from './args.js';

const USAGE = `Usage: dns01 persist set <domain> --issuer CA --account-uri URI [--wildcard] [--until DATE] [--replace]
       dns01 persist check <domain> [--issuer CA] [--account-uri URI] [--wildcard]
       dns01 persist remove <domain> --issuer CA --account-uri URI

Persistent authorization records for dns-persist-01 (draft-ietf-acme-dns-persist):
one TXT record at _validation-persist.<domain> names the CA and the ACME
account allowed to issue for <domain>; renewals then need no DNS change and no
DNS credentials. See ${docsUrl('persist.md')}.

  set      creates the record (replaces nothing) and waits until every
           authoritative nameserver serves it; the same record already there:
           nothing to do; another one for the same CA and account: refused
           unless --replace (the new one is added first, the old one deleted
           once the new one is served everywhere)
  check    read-only, no credentials: what every authoritative nameserver
           serves, parsed; problems (exit 1) and warnings (persistUntil near or
           past, no policy=wildcard, nameservers that disagree, CAA, a
           malformed record)
  remove   deletes exactly the records of that CA and account; a malformed
           record of that CA (a key given twice) is never deleted: reported,
           exit 1

Options:
  --issuer CA           the CA's issuer domain name (its challenge names it: letsencrypt.org)
  --account-uri URI     your ACME account URI
  --account-file PATH   read the account URI from acme.sh's ca.conf or lego's account.json
  --wildcard            policy=wildcard: also *.<domain> and every subdomain
  --until DATE          persistUntil: CAs ignore the record for new validations after DATE
                        (2027-06-30, an ISO time, or seconds since the epoch)
  --replace             (set) replace another record of the same CA and account
  --provider NAME       ${providerList()} (env DNS01_PROVIDER)
  --json                print the result as JSON on stdout
${PROPAGATION_HELP}
${COMMON_HELP}

${EXIT_HELP}
`;

const OPTIONS = {
  issuer: { type: 'string' },
  'account-uri': { type: 'string' },
  'account-file': { type: 'string' },
  wildcard: { type: 'boolean' },
  until: { type: 'string' },
  replace: { type: 'boolean' },
  provider: { type: 'string' },
  json: { type: 'boolean' },
  ...propagationOptions,
} as const;

export async function persistCommand(ctx: RunContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(ctx, args, { command: 'dns01 persist', usage: USAGE, options: OPTIONS });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, domain, ...extra] = positionals;
  if (action === undefined || !['set', 'check', 'remove'].includes(action)) {
    throw new InvalidInputError(action === undefined ? 'persist needs set, check or remove' : `unknown persist action "${action}"`, {
      hint: "Run 'dns01 persist --help'",
    });
  }
  if (domain === undefined || extra.length > 0) {
    throw new InvalidInputError(`persist ${action} takes exactly one <domain>`, { hint: "Run 'dns01 persist --help'" });
  }
  if (values['account-uri'] !== undefined && values['account-file'] !== undefined) {
    throw new InvalidInputError('give --account-uri or --account-file, not both');
  }
  const accountUri = values['account-file'] !== undefined ? accountUriFromFile(values['account-file']) : values['account-uri'];
  const overrides = propagationOverrides(values);

  if (action === 'check') {
    const dns = ctx.dns({ overrides });
    const report = await persistCheck(dns, domain, { issuer: values.issuer, accountUri, wildcard: values.wildcard === true });
    printReport(ctx, report, values.json === true);
    if (report.problems.length > 0) {
      throw new Dns01Error(`persist check ${domain}: ${report.problems[0]}${report.problems.length > 1 ? ` (and ${report.problems.length - 1} more)` : ''}`, {
        hint: "Fix the record with 'dns01 persist set', or wait for the nameservers",
      });
    }
    return 0;
  }

  const issuer = values.issuer;
  if (issuer === undefined || accountUri === undefined) {
    throw new InvalidInputError(`persist ${action} needs --issuer and --account-uri (or --account-file)`, { hint: "Run 'dns01 persist --help'" });
  }
  // A one-off command, not a call of an ACME run: its own session, logged out at the end.
  const session = ctx.session({ provider: providerFlag(values.provider), overrides, shareRun: false });
  requireOwnApi(session.definition, `dns01 persist ${action}`);
  const flow = session.flow(ctx.call);
  if (action === 'remove') {
    const result = await persistRemove(flow, domain, { issuer, accountUri });
    if (values.json) ctx.out(JSON.stringify(result));
    else {
      if (result.removed.length === 0 && result.malformed.length === 0) ctx.out(`${result.name}: no record of ${issuer} for this account; nothing to remove`);
      for (const value of result.removed) ctx.out(`${result.name} TXT "${value}" removed`);
      for (const { value, why } of result.malformed) ctx.out(`${result.name} TXT "${value}" not removed: malformed, ${why}`);
    }
    if (result.malformed.length > 0) {
      throw new Dns01Error(
        `persist remove ${domain}: ${result.name} holds a malformed record of ${issuer} that dns01 never deletes: "${result.malformed.map((m) => m.value).join('", "')}"`,
        {
          hint: 'A CA may read it as any of the accounts it names: delete it in the provider panel if it is yours',
        },
      );
    }
    return 0;
  }
  const persistUntil = values.until === undefined ? undefined : parseUntil(values.until);
  const result = await persistSet(flow, domain, { issuer, accountUri, wildcard: values.wildcard === true, persistUntil }, { replace: values.replace === true });
  if (values.json) {
    ctx.out(
      JSON.stringify({
        name: result.name,
        zone: result.zone,
        value: result.value,
        action: result.action,
        removed: result.removed,
        elapsedMs: result.propagation.elapsedMs,
      }),
    );
  } else {
    const what = { created: 'created', unchanged: 'already there', replaced: `replaced ${result.removed.map((v) => `"${v}"`).join(', ')}` }[result.action];
    ctx.out(`${result.name} TXT "${result.value}" zone ${result.zone}: ${what}; served by every authoritative nameserver`);
  }
  return 0;
}

function printReport(ctx: RunContext, report: PersistCheckReport, json: boolean): void {
  if (json) {
    ctx.out(JSON.stringify({ ...report, ok: report.problems.length === 0 }));
    return;
  }
  ctx.out(`${report.name} (zone ${report.zone})`);
  for (const ns of report.nameservers) {
    const what = ns.problem ? `no answer: ${ns.problem}` : ns.served!.length === 0 ? 'no TXT record' : ns.served!.map((v) => `"${v}"`).join(' ');
    ctx.out(`  ${ns.nameserver}: ${what}`);
  }
  for (const r of report.matching) {
    const until = r.persistUntil === undefined ? 'no persistUntil' : `persistUntil ${new Date(r.persistUntil * 1000).toISOString()}`;
    ctx.out(`  record: issuer ${r.issuer}, account ${r.accountUri ?? '(none)'}, ${r.wildcard ? 'policy=wildcard' : 'this name only'}, ${until}`);
  }
  if (report.caa) ctx.out(`  CAA: ${report.caa.at ? `${report.caa.at} ${report.caa.permitted ? 'allows it' : 'forbids it'}` : 'none (any CA may issue)'}`);
  for (const w of report.warnings) ctx.out(`  warning: ${w}`);
  for (const p of report.problems) ctx.out(`  problem: ${p}`);
  ctx.out(report.problems.length === 0 ? '  ok' : '  not ok');
}
