import { ExitCode, InvalidInputError, type Env } from '@dns01/provider-client';
import { docsUrl } from '@dns01/provider-client/internal';
import { parseCommandLine, type RunContext } from '../runtime.js';
import { COMMON_HELP, EXIT_HELP } from './args.js';

const USAGE = `Usage: dns01 serve [options]
       dns01 serve --check [options]
       dns01 serve client add <id> --names NAME[,NAME...] [--from CIDR[,CIDR...]] [--url URL]
       dns01 serve client list | rotate <id> | remove <id>

Runs the DNS-01 gateway: one host holds the provider credentials, and
clients (lego, Traefik, cert-manager, acme.sh, Caddy, dns01's own hooks with
DNS01_PROVIDER=gateway) get TXT records through it with credentials scoped to
their names. It speaks acme-dns (POST /update) and lego's httpreq (POST
/present, /cleanup); GET /health, GET /metrics. Every record it creates is
kept in a ledger and deleted exactly: by the client's cleanup, by acme-dns's
two-value rule, by the sweeper after DNS01_SERVE_MAX_AGE, or at the next
start after a crash. SIGHUP reads the TLS certificate and the clients file
again; SIGTERM finishes the requests in flight, then stops. See
${docsUrl('gateway.md')}.

  --check               validate the configuration and prove the provider
                        credentials on every client's names; changes nothing
  client add <id>       create a client; prints its secret once, and the
                        acme-dns account JSON (cert-manager, lego, acme.sh)
    --names LIST        the names it may solve challenges for: example.com
                        (its apex and wildcard), *.example.com (every name below)
    --from LIST         source addresses it may connect from (CIDR; default any)
    --url URL           the gateway's URL as clients reach it (server_url in the JSON)
  client list           the clients and their scopes (never a secret)
  client rotate <id>    a new secret for a client (the old one stops working)
  client remove <id>    remove a client

Options:
  --listen ADDR         host:port, [v6]:port or unix:/path (env DNS01_SERVE_LISTEN, default 127.0.0.1:8553)
  --tls-cert FILE       TLS certificate chain, PEM (env DNS01_SERVE_TLS_CERT)
  --tls-key FILE        its private key, PEM (env DNS01_SERVE_TLS_KEY)
  --behind-proxy        plain HTTP on a public address: a TLS proxy is in front (env DNS01_SERVE_BEHIND_PROXY=1)
  --state-dir DIR       ledger, clients file, audit log (env DNS01_SERVE_STATE_DIR)
  --clients FILE        the clients file (env DNS01_SERVE_CLIENTS)
  --json                (check, client) print JSON on stdout
${COMMON_HELP}

Every other setting (budget, limits, audit log, metrics): ${docsUrl('configuration.md')}.
${EXIT_HELP}
`;

const OPTIONS = {
  check: { type: 'boolean' },
  listen: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'behind-proxy': { type: 'boolean' },
  'state-dir': { type: 'string' },
  clients: { type: 'string' },
  names: { type: 'string' },
  from: { type: 'string' },
  url: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Gateway = typeof import('@dns01/gateway');

/** The flags given, as settings variables over the environment's (flags win). */
function withFlags(env: Env, values: Record<string, unknown>): Env {
  const pick = (flag: string, variable: string): [string, string][] => (typeof values[flag] === 'string' ? [[variable, values[flag] as string]] : []);
  return {
    ...env,
    ...Object.fromEntries([
      ...pick('listen', 'DNS01_SERVE_LISTEN'),
      ...pick('tls-cert', 'DNS01_SERVE_TLS_CERT'),
      ...pick('tls-key', 'DNS01_SERVE_TLS_KEY'),
      ...pick('state-dir', 'DNS01_SERVE_STATE_DIR'),
      ...pick('clients', 'DNS01_SERVE_CLIENTS'),
      ...(values['behind-proxy'] === true ? [['DNS01_SERVE_BEHIND_PROXY', '1']] : []),
    ]),
  };
}

export async function serveCommand(ctx: RunContext, args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(ctx, args, { command: 'dns01 serve', usage: USAGE, options: OPTIONS });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  // Loaded only here: no other command pays for the gateway (or prom-client) at start-up.
  const gateway: Gateway = await import('@dns01/gateway');
  const env = withFlags(ctx.env, values);
  const settings = gateway.readGatewaySettings(env);
  if (positionals[0] === 'client') return clientCommand(ctx, gateway, settings, positionals.slice(1), values);
  if (positionals.length > 0) throw new InvalidInputError(`unknown argument "${positionals[0]}"`, { hint: "Run 'dns01 serve --help'" });
  if (values.check) {
    const lines = await gateway.checkGateway(env, settings, ctx.logger);
    const ok = lines.every((l) => l.ok);
    if (values.json) ctx.out(JSON.stringify({ ok, checks: lines }));
    else for (const line of lines) ctx.out(`${line.ok ? 'ok  ' : 'FAIL'}  ${line.text}`);
    return ok ? 0 : ExitCode.config;
  }
  const running = await gateway.startGateway({ env, settings, logger: ctx.logger });
  ctx.logger.info(`serving on ${running.url} (provider ${running.session.provider.name}, state ${settings.stateDir})`);
  const onHangup = () => {
    try {
      running.reload();
    } catch (error) {
      ctx.logger.error(`reload failed, keeping the previous certificate and clients: ${(error as Error).message}`);
    }
  };
  process.on('SIGHUP', onHangup);
  try {
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    ctx.logger.info('stopping');
    await running.stop();
  } finally {
    process.off('SIGHUP', onHangup);
  }
  ctx.logger.info(`stopped; the ledger holds ${running.ledger.size} record(s), deleted at the next start`);
  return 0;
}

async function clientCommand(
  ctx: RunContext,
  gateway: Gateway,
  settings: ReturnType<Gateway['readGatewaySettings']>,
  args: string[],
  values: { names?: string; from?: string; url?: string; json?: boolean },
): Promise<number> {
  const [action, id, ...rest] = args;
  if (rest.length > 0) throw new InvalidInputError(`unexpected argument "${rest[0]}"`, { hint: "Run 'dns01 serve --help'" });
  const path = settings.clientsFile;
  const needId = (): string => {
    if (!id) throw new InvalidInputError(`dns01 serve client ${action} needs a client id`, { hint: "Run 'dns01 serve --help'" });
    return gateway.checkClientId(id);
  };
  if (action !== 'list') gateway.ensureClientsDir(path);
  switch (action) {
    case 'add': {
      const clientId = needId();
      if (!values.names) throw new InvalidInputError('dns01 serve client add needs --names', { hint: 'e.g. --names example.com,*.example.com' });
      const names = gateway.parseScope(values.names);
      const from = values.from ? gateway.parseSources(values.from) : [];
      const secret = await gateway.addClient(path, { id: clientId, names, from });
      printSecret(ctx, gateway, { id: clientId, secret, names, url: values.url, json: values.json === true, verb: 'added' });
      return 0;
    }
    case 'rotate': {
      const clientId = needId();
      const secret = await gateway.rotateClient(path, clientId);
      const names = gateway.readClientsFile(path).clients.find((c) => c.id === clientId)?.names ?? [];
      printSecret(ctx, gateway, { id: clientId, secret, names, url: values.url, json: values.json === true, verb: 'has a new secret' });
      return 0;
    }
    case 'remove':
      await gateway.removeClient(path, needId());
      if (!values.json) ctx.out(`client ${id} removed`);
      return 0;
    case 'list': {
      const { clients } = gateway.readClientsFile(path);
      const rows = clients.map((c) => ({ id: c.id, names: c.names, from: c.from, created: c.created, ...(c.rotated ? { rotated: c.rotated } : {}) }));
      if (values.json) ctx.out(JSON.stringify({ clients: rows }));
      else if (rows.length === 0) ctx.out(`no clients in ${path}`);
      else for (const r of rows) ctx.out(`${r.id}  ${r.names.join(',')}${r.from.length ? `  from ${r.from.join(',')}` : ''}`);
      return 0;
    }
    default:
      throw new InvalidInputError(`dns01 serve client needs add, list, rotate or remove`, { hint: "Run 'dns01 serve --help'" });
  }
}

function printSecret(
  ctx: RunContext,
  gateway: Gateway,
  options: { id: string; secret: string; names: string[]; url?: string; json: boolean; verb: string },
): void {
  const { id, secret, names } = options;
  const exact = names.filter((n) => !n.startsWith('*.'));
  const accounts = Object.fromEntries(exact.map((name) => [name, gateway.acmeDnsAccount({ id, secret, name, serverUrl: options.url })]));
  // The secret is printed on purpose, this once: it is kept nowhere but as a hash.
  if (options.json) {
    ctx.out(JSON.stringify({ id, secret, names, acmeDnsAccounts: accounts }));
    return;
  }
  const lines = [
    `client ${id} ${options.verb}; its secret, shown only this once (the gateway keeps only a hash):`,
    `  ${secret}`,
    `scope: ${names.join(', ')}`,
    '',
    `httpreq (lego and Traefik HTTPREQ_USERNAME/HTTPREQ_PASSWORD, acme.sh ACMEPROXY_USERNAME/ACMEPROXY_PASSWORD,`,
    `dns01 DNS01_GATEWAY_CLIENT/DNS01_GATEWAY_SECRET): user ${id}, password the secret.`,
  ];
  if (exact.length > 0) {
    lines.push('', 'acme-dns accounts (cert-manager acmeDNS Secret, lego ACME_DNS_STORAGE_PATH):', JSON.stringify(accounts, null, 2));
  }
  const below = names.filter((n) => n.startsWith('*.'));
  if (below.length > 0) {
    lines.push(
      '',
      `acme-dns for names below ${below.map((n) => n.slice(2)).join(', ')}: one account entry per name, as above with that name (subdomain the name, fulldomain _acme-challenge.<name>).`,
    );
  }
  ctx.out(lines.join('\n'), [secret, id, ...names, ...Object.values(accounts).flatMap((a) => Object.values(a))]);
}
