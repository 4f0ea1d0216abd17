// The set-ups of the clients that cannot run here (cert-manager, Traefik,
// Caddy), as their pages in docs/clients show them: every configuration
// parsed and checked field by field against the client's own schema (read in
// its source; the versions are named below), the account JSON against what
// `dns01 serve client add` prints, and the exact request each one's library
// sends replayed against the gateway, the value then served by every
// loopback nameserver.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { waitForPropagation } from '@dns01/provider-client';
import { runNode } from '@dns01/testkit';
import { inScope, parseScope } from '../src/index.js';
import { acmeValue, rigPerTest, type Rig } from './rig.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'packages/cli/dist/bin/dns01.js');
const page = (name: string) => readFileSync(join(ROOT, 'docs/clients', name), 'utf8');

/** The fenced blocks of one language on a page, in order. */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1]!);
}

function yamlDocuments(text: string): Record<string, unknown>[] {
  return blocks(text, 'yaml').flatMap((b) =>
    parseAllDocuments(b).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as Record<string, unknown>;
    }),
  );
}

/** The page's `dns01 serve client add` line. */
function clientAddLine(text: string): { id: string; names: string; url: string } {
  const m = /dns01 serve client add (\S+) --names (\S+) --url (\S+)/.exec(text);
  expect(m, 'the page shows its client add line').not.toBeNull();
  return { id: m![1]!, names: m![2]!, url: m![3]! };
}

const stateDirs: string[] = [];
afterAll(() => stateDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** What the built `dns01 serve client add` prints (--json) for the page's line, the secret as the pages write it. */
async function printedAccounts(line: { id: string; names: string; url: string }): Promise<Record<string, Record<string, string>>> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'pnpm build' first`);
  const stateDir = mkdtempSync(join(tmpdir(), 'dns01-client-configs-'));
  stateDirs.push(stateDir);
  const result = await runNode(BIN, ['serve', 'client', 'add', line.id, '--names', line.names, '--url', line.url, '--json'], {
    env: { PATH: process.env.PATH ?? '', HOME: stateDir, DNS01_SERVE_STATE_DIR: stateDir },
    timeoutMs: 30_000,
  });
  expect(result.status, result.stderr).toBe(0);
  const out = JSON.parse(result.stdout) as { secret: string; acmeDnsAccounts: Record<string, Record<string, string>> };
  return JSON.parse(JSON.stringify(out.acmeDnsAccounts).replaceAll(out.secret, '<secret>')) as Record<string, Record<string, string>>;
}

/** Fields of an object not in `allowed` (a schema's properties): a misspelt key is ignored by the client, silently. */
function unknownKeys(object: unknown, allowed: readonly string[]): string[] {
  return Object.keys(object as object).filter((k) => !allowed.includes(k));
}

interface Sent {
  status: number;
  body: string;
}

/** One HTTP request exactly as given (method, path, headers, body bytes), as a Go client puts it on the wire. */
function send(url: string, path: string, headers: Record<string, string>, body: string): Promise<Sent> {
  const to = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: to.hostname, port: to.port, method: 'POST', path, headers: { Host: to.host, 'Content-Length': String(Buffer.byteLength(body)), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Every authoritative nameserver of the zone serves every value at `name` (the product's own check, over loopback DNS). */
async function servedEverywhere(rig: Rig, name: string, values: string[]): Promise<void> {
  const { host, port } = rig.world.dns.resolverAddress;
  await waitForPropagation([{ name, values }], { resolvers: [{ host, port }], nsPort: rig.world.dns.port, timeoutMs: 5000, intervalMs: 50 });
}

const startRig = rigPerTest();

describe('cert-manager (docs/clients/cert-manager.md)', () => {
  const text = page('cert-manager.md');
  const docs = yamlDocuments(text);
  const kinds = docs.map((d) => d.kind);
  const secret = docs.find((d) => d.kind === 'Secret') as {
    apiVersion: string;
    metadata: { name: string; namespace: string };
    type: string;
    stringData: Record<string, string>;
  };
  const issuer = docs.find((d) => d.kind === 'ClusterIssuer') as { apiVersion: string; metadata: { name: string }; spec: { acme: Record<string, unknown> } };
  const certificate = docs.find((d) => d.kind === 'Certificate') as {
    apiVersion: string;
    spec: { issuerRef: { name: string; kind: string }; dnsNames: string[]; secretName: string };
  };
  const line = clientAddLine(text);

  it('the Secret, ClusterIssuer and Certificate follow cert-manager v1.21 (ACMEIssuerDNS01ProviderAcmeDNS, the ClusterIssuer CRD)', () => {
    expect(kinds).toEqual(['Secret', 'ClusterIssuer', 'Certificate']);
    const acme = issuer.spec.acme as { server: string; email: string; privateKeySecretRef: { name: string }; solvers: Record<string, unknown>[] };
    expect(issuer.apiVersion).toBe('cert-manager.io/v1');
    expect(
      unknownKeys(acme, [
        'server',
        'email',
        'privateKeySecretRef',
        'solvers',
        'skipTLSVerify',
        'externalAccountBinding',
        'preferredChain',
        'caBundle',
        'disableAccountKeyGeneration',
        'enableDurationFeature',
        'profile',
      ]),
    ).toEqual([]);
    expect(acme.server).toMatch(/^https:\/\//);
    expect(acme.privateKeySecretRef.name).toEqual(expect.any(String));
    expect(acme.solvers).toHaveLength(1);
    const solver = acme.solvers[0] as { dns01: Record<string, unknown> };
    expect(Object.keys(solver)).toEqual(['dns01']);
    expect(Object.keys(solver.dns01)).toEqual(['acmeDNS']);
    const acmeDNS = solver.dns01.acmeDNS as { host: string; accountSecretRef: { name: string; key: string } };
    // The CRD: acmeDNS requires accountSecretRef and host (strings); accountSecretRef requires name, key optional.
    expect(Object.keys(acmeDNS).sort()).toEqual(['accountSecretRef', 'host']);
    expect(typeof acmeDNS.host).toBe('string');
    expect(Object.keys(acmeDNS.accountSecretRef).sort()).toEqual(['key', 'name']);
    expect(acmeDNS.host).toBe(line.url);
    // A ClusterIssuer's Secret lives in the cluster resource namespace; the key names the account JSON.
    expect(secret.apiVersion).toBe('v1');
    expect(secret.metadata).toEqual({ name: acmeDNS.accountSecretRef.name, namespace: 'cert-manager' });
    expect(Object.keys(secret.stringData)).toEqual([acmeDNS.accountSecretRef.key]);
    expect(certificate.apiVersion).toBe('cert-manager.io/v1');
    expect(certificate.spec.issuerRef).toEqual({ name: issuer.metadata.name, kind: 'ClusterIssuer' });
  });

  it('the Secret holds exactly the account JSON client add prints, with an account for every dnsName (without *.) inside the scope', async () => {
    const printed = await printedAccounts(line);
    const inSecret = JSON.parse(Object.values(secret.stringData)[0]!) as Record<string, Record<string, string>>;
    expect(inSecret).toEqual(printed);
    expect(JSON.parse(blocks(text, 'json')[0]!)).toEqual(printed);
    const scope = parseScope(line.names);
    for (const name of certificate.spec.dnsNames) {
      expect(inSecret[name.replace(/^\*\./, '')], name).toBeDefined();
      expect(inScope(scope, name)).toBe(true);
    }
  });

  it("the request cert-manager's solver sends (goacmedns 0.2.0's UpdateTXTRecord) is answered 2xx and the value is served by every nameserver; the two latest values stay", async () => {
    const rig = await startRig({ clients: [{ id: 'k8s-web', names: ['example.com', '*.example.com'] }] });
    const account: Record<string, string> = {
      ...(await printedAccounts({ ...line, url: rig.gateway.url }))['example.com']!,
      password: rig.secrets['k8s-web']!,
    };
    const update = (txt: string) =>
      // goacmedns 0.2.0: baseURL.JoinPath("update"); json.NewEncoder (a newline after the object); these headers; Go adds Accept-Encoding.
      send(
        account.server_url!,
        new URL(account.server_url!).pathname.replace(/\/$/, '') + '/update',
        {
          Accept: 'application/json',
          'User-Agent': 'goacmedns (linux; amd64)',
          'X-Api-User': account.username!,
          'X-Api-Key': account.password!,
          'Content-Type': 'application/json',
          'Accept-Encoding': 'gzip',
        },
        `${JSON.stringify({ subdomain: account.subdomain, txt })}\n`,
      );
    const values = ['cm-apex', 'cm-wildcard', 'cm-renewal'].map(acmeValue);
    const first = await update(values[0]!);
    expect(first.status).toBeGreaterThanOrEqual(200);
    expect(first.status).toBeLessThan(300);
    await servedEverywhere(rig, account.fulldomain!, [values[0]!]);
    expect((await update(values[1]!)).status).toBe(200);
    await servedEverywhere(rig, account.fulldomain!, values.slice(0, 2));
    expect((await update(values[2]!)).status).toBe(200);
    await servedEverywhere(rig, account.fulldomain!, values.slice(1));
    expect(rig.world.txt(account.fulldomain!).sort()).toEqual(values.slice(1).sort());
  });

  it('goacmedns before 0.2 (0.1.1: lego 4.9, older Traefik and cert-manager): capitalised keys, no newline, only a 200 counts', async () => {
    const rig = await startRig({ clients: [{ id: 'old', names: ['example.com'] }] });
    const value = acmeValue('goacmedns-0.1.1');
    const sent = await send(
      rig.gateway.url,
      '/update',
      {
        'Content-Type': 'application/json',
        'User-Agent': 'goacmedns (linux; amd64)',
        'X-Api-User': 'old',
        'X-Api-Key': rig.secrets.old!,
        'Accept-Encoding': 'gzip',
      },
      JSON.stringify({ SubDomain: 'example.com', Txt: value }),
    );
    expect(sent).toEqual({ status: 200, body: JSON.stringify({ txt: value }) });
    await servedEverywhere(rig, '_acme-challenge.example.com', [value]);
  });
});

describe('Traefik (docs/clients/traefik.md)', () => {
  const text = page('traefik.md');
  const [staticConfig, compose] = yamlDocuments(text) as [
    Record<string, unknown>,
    { services: Record<string, Record<string, unknown>>; secrets: Record<string, unknown> },
  ];
  const line = clientAddLine(text);
  // lego's httpreq provider (lego 4.35 and v5.2, which Traefik v3.7 builds on): its variables.
  const HTTPREQ = [
    'HTTPREQ_ENDPOINT',
    'HTTPREQ_MODE',
    'HTTPREQ_USERNAME',
    'HTTPREQ_PASSWORD',
    'HTTPREQ_PROPAGATION_TIMEOUT',
    'HTTPREQ_POLLING_INTERVAL',
    'HTTPREQ_HTTP_TIMEOUT',
  ];

  it("the static configuration follows Traefik v3.7's (certificatesResolvers.<name>.acme.dnsChallenge, provider httpreq)", () => {
    expect(
      unknownKeys(staticConfig, [
        'entryPoints',
        'providers',
        'certificatesResolvers',
        'api',
        'log',
        'accessLog',
        'global',
        'serversTransport',
        'metrics',
        'ping',
      ]),
    ).toEqual([]);
    const resolvers = staticConfig.certificatesResolvers as Record<string, { acme: Record<string, unknown> }>;
    const [name, resolver] = Object.entries(resolvers)[0]!;
    expect(Object.keys(resolver)).toEqual(['acme']);
    expect(
      unknownKeys(resolver.acme, [
        'email',
        'caServer',
        'preferredChain',
        'profile',
        'emailAddresses',
        'disableCommonName',
        'storage',
        'keyType',
        'eab',
        'certificatesDuration',
        'clientTimeout',
        'clientResponseHeaderTimeout',
        'certificateTimeout',
        'caCertificates',
        'caSystemCertPool',
        'caServerName',
        'dnsChallenge',
        'httpChallenge',
        'tlsChallenge',
      ]),
    ).toEqual([]);
    const dns = resolver.acme.dnsChallenge as Record<string, unknown>;
    expect(unknownKeys(dns, ['provider', 'resolvers', 'propagation', 'delayBeforeCheck', 'disablePropagationCheck'])).toEqual([]);
    expect(dns.provider).toBe('httpreq');
    expect((staticConfig.entryPoints as Record<string, { address: string }>).websecure!.address).toBe(':443');
    expect(unknownKeys((staticConfig.providers as { docker: object }).docker, ['exposedByDefault', 'endpoint', 'network', 'defaultRule', 'watch'])).toEqual([]);
    // The router of the compose file asks this resolver.
    expect((compose.services.whoami!.labels as string[]).filter((l) => l.includes('certresolver'))).toEqual([
      `traefik.http.routers.whoami.tls.certresolver=${name}`,
    ]);
  });

  it("the compose file gives Traefik lego's httpreq variables for the client add line, the secret from a file, the router's names in the scope", () => {
    const traefik = compose.services.traefik!;
    const env = traefik.environment as Record<string, string>;
    for (const key of Object.keys(env)) expect(HTTPREQ.includes(key.replace(/_FILE$/, '')), key).toBe(true);
    expect(env.HTTPREQ_ENDPOINT).toBe(line.url);
    expect(env.HTTPREQ_USERNAME).toBe(line.id);
    expect(env.HTTPREQ_PASSWORD).toBeUndefined();
    expect(env.HTTPREQ_PASSWORD_FILE).toBe('/run/secrets/dns01_gateway_secret');
    expect(traefik.secrets).toEqual(['dns01_gateway_secret']);
    expect(Object.keys(compose.secrets)).toEqual(['dns01_gateway_secret']);
    expect(traefik.volumes).toContain('./traefik.yml:/etc/traefik/traefik.yml:ro');
    expect(Number(env.HTTPREQ_PROPAGATION_TIMEOUT)).toBeGreaterThanOrEqual(1200);
    const scope = parseScope(line.names);
    const labels = compose.services.whoami!.labels as string[];
    const names = labels.filter((l) => /tls\.domains\[\d+\]\.(main|sans)=/.test(l)).flatMap((l) => l.split('=')[1]!.split(','));
    expect(names.sort()).toEqual(['*.example.com', 'example.com']);
    for (const n of names) expect(inScope(scope, n), n).toBe(true);
    const hosts = [...labels.find((l) => l.includes('.rule='))!.matchAll(/Host\(`([^`]+)`\)/g)].map((m) => m[1]!);
    for (const h of hosts) expect(inScope(scope, h), h).toBe(true);
  });
});

/** A Caddyfile's tokens with their nesting: enough to read directives and their arguments (no imports, snippets or placeholders). */
interface Directive {
  name: string;
  args: string[];
  block: Directive[];
}
function parseCaddyfile(text: string): Directive[] {
  const tokens = text
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, ''))
    .flatMap((l) => [...l.matchAll(/"[^"]*"|\{|\}|[^\s{}]+|\n/g)].map((m) => m[0]).concat('\n'));
  let i = 0;
  const readBlock = (): Directive[] => {
    const out: Directive[] = [];
    let current: Directive | undefined;
    while (i < tokens.length) {
      const t = tokens[i++]!;
      if (t === '}') return out;
      if (t === '\n') {
        current = undefined;
        continue;
      }
      if (t === '{') {
        expect(current, 'a block opens after a directive').toBeDefined();
        current!.block = readBlock();
        current = undefined;
        continue;
      }
      if (current) current.args.push(t.replace(/^"|"$/g, ''));
      else out.push((current = { name: t, args: [], block: [] }));
    }
    return out;
  };
  return readBlock();
}

describe('Caddy (docs/clients/caddy.md)', () => {
  const text = page('caddy.md');
  const line = clientAddLine(text);
  const [site] = parseCaddyfile(blocks(text, 'caddyfile')[0]!);
  // Caddy 2.11's tls directive (caddyconfig/httpcaddyfile/builtins.go) and the acmedns module's Caddyfile (caddy-dns/acmedns 0.7).
  const TLS_SUBDIRECTIVES = [
    'protocols',
    'ciphers',
    'curves',
    'client_auth',
    'alpn',
    'load',
    'ca',
    'ca_root',
    'key_type',
    'eab',
    'issuer',
    'get_certificate',
    'dns',
    'resolvers',
    'propagation_delay',
    'propagation_timeout',
    'dns_ttl',
    'dns_challenge_override_domain',
    'on_demand',
    'reuse_private_keys',
    'insecure_secrets_log',
    'renewal_window_ratio',
  ];
  const ACMEDNS_SUBDIRECTIVES = ['config_file_path', 'username', 'password', 'subdomain', 'server_url', 'config'];

  it('the Caddyfile: a site of the scope, tls { dns acmedns <the account file> } and a propagation timeout that covers netcup', () => {
    const addresses = [site!.name, ...site!.args].map((a) => a.replace(/,$/, ''));
    const scope = parseScope(line.names);
    for (const a of addresses) expect(inScope(scope, a), a).toBe(true);
    const tls = site!.block.find((d) => d.name === 'tls')!;
    expect(tls.args).toEqual([]);
    for (const d of tls.block) expect(TLS_SUBDIRECTIVES, d.name).toContain(d.name);
    const dns = tls.block.find((d) => d.name === 'dns')!;
    // `dns acmedns <file>`: the module's first argument is its config file path; any subdirectives must be its own.
    expect(dns.args).toEqual(['acmedns', '/etc/caddy/dns01-gateway.json']);
    for (const d of dns.block) expect(ACMEDNS_SUBDIRECTIVES).toContain(d.name);
    expect(tls.block.find((d) => d.name === 'propagation_timeout')!.args).toEqual(['20m']);
  });

  it('the account file is exactly what client add prints, with an account for every site name (without *.)', async () => {
    const printed = await printedAccounts(line);
    const file = JSON.parse(blocks(text, 'json')[0]!) as Record<string, Record<string, string>>;
    expect(file).toEqual(printed);
    // A --url written with a trailing slash is printed without it (the clients append "/update").
    expect(await printedAccounts({ ...line, url: `${line.url}/` })).toEqual(printed);
    for (const a of [site!.name, ...site!.args].map((n) => n.replace(/,$/, ''))) expect(file[a.replace(/^\*\./, '')], a).toBeDefined();
  });

  it('the module\'s request (libdns/acmedns 0.5: server_url + "/update", exactly 200 counts) is answered 200, even after a server_url\'s trailing slash; the value is served', async () => {
    const rig = await startRig({ clients: [{ id: 'caddy-web', names: ['example.com', '*.example.com'] }] });
    const value = acmeValue('caddy');
    // server_url + "/update": a server_url written with a trailing slash gives "//update".
    for (const path of ['/update', '//update']) {
      const sent = await send(
        rig.gateway.url,
        path,
        {
          'X-Api-User': 'caddy-web',
          'X-Api-Key': rig.secrets['caddy-web']!,
          'Content-Type': 'application/json',
          'User-Agent': 'Go-http-client/1.1',
          'Accept-Encoding': 'gzip',
        },
        JSON.stringify({ subdomain: 'example.com', txt: value }),
      );
      expect(sent, path).toEqual({ status: 200, body: JSON.stringify({ txt: value }) });
    }
    await servedEverywhere(rig, '_acme-challenge.example.com', [value]);
  });
});
