import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProviderName } from '@dns01/provider-client';
import { OWN_API_PROVIDERS, startTestWorld, type TestWorld, type TestWorldOptions } from '../world.js';
import type { NewRecord } from '../zone-store.js';
import { installHookBins, type IssueContext } from './clients.js';
import { startPebble, type Pebble } from './pebble.js';
import type { Suite } from './suites.js';

/** The providers every client issues through (the gateway provider's runs through a gateway are the gateway-in-the-field work's). */
export const PROVIDERS: ProviderName[] = [...OWN_API_PROVIDERS];

/** Two nameservers that lag differently, as real secondaries do. */
export const LAGGING_NAMESERVERS = [{ lagMs: 300 }, { lagMs: 1200 }];

/**
 * The test zone of a provider; `purpose` keeps worlds that run at the same
 * time apart (the certbot hook keys its run state by the certificate's names).
 */
export function zoneOf(provider: ProviderName, purpose = 'e2e'): string {
  return `${provider}-${purpose}.example`;
}

/** What every certificate asks for: the apex, a wildcard and a name two labels down. */
export function certificateDomains(zone: string): string[] {
  return [zone, `*.${zone}`, `a.b.${zone}`];
}

/** Records that are not ours, some exactly where the challenges go: they must survive every run. */
export function foreignRecords(zone: string): NewRecord[] {
  return [
    { name: `_acme-challenge.${zone}`, type: 'TXT', data: 'foreign-apex-token-do-not-touch' },
    { name: `_acme-challenge.a.b.${zone}`, type: 'TXT', data: 'foreign-deep-token-do-not-touch' },
    { name: zone, type: 'TXT', data: 'v=spf1 -all' },
    { name: zone, type: 'A', data: '192.0.2.10' },
    { name: `www.${zone}`, type: 'CNAME', data: zone },
  ];
}

export interface E2eWorld {
  suite: Suite;
  world: TestWorld;
  pebble: Pebble;
  zone: string;
  domains: string[];
  /** Pebble's issuing root of this run. */
  root: string;
  /** A fresh issue context in a new temp directory (removed by `close`). */
  context(extraEnv?: Record<string, string>): Promise<IssueContext>;
  close(): Promise<void>;
}

/**
 * The whole loopback world of one provider: zone store, test DNS (two lagging
 * nameservers and the resolver Pebble asks), the provider's emulator, and the
 * suite's Pebble validating through that resolver.
 */
export async function startE2eWorld(provider: ProviderName, options: Partial<TestWorldOptions> & { suite: Suite; purpose?: string }): Promise<E2eWorld> {
  const { suite, purpose, ...worldOptions } = options;
  const zone = zoneOf(provider, purpose);
  suite.require();
  const acme = await startAcmeWorld(
    { provider, zones: [zone], nameservers: LAGGING_NAMESERVERS, records: foreignRecords(zone), pollingInterval: 0.1, propagationTimeout: 30, ...worldOptions },
    { binary: suite.pebble() },
  );
  const { world, pebble } = acme;
  let root: string;
  try {
    root = await pebble.issuingRoot();
  } catch (error) {
    await acme.close();
    throw error;
  }
  const dirs: string[] = [];
  return {
    suite,
    world,
    pebble,
    zone,
    domains: certificateDomains(zone),
    root,
    async context(extraEnv = {}) {
      const dir = await mkdtemp(join(tmpdir(), `dns01-e2e-${provider}-`));
      dirs.push(dir);
      // Debug logging everywhere: the no-secret assertions then cover the chattiest output.
      const settings = { ...world.env, DNS01_LOG_LEVEL: 'debug', ...extraEnv };
      return {
        pebble,
        suite,
        providerSettings: Object.fromEntries(Object.entries(world.env).filter(([k]) => !k.startsWith('DNS01_'))),
        env: { PATH: installHookBins(join(dir, 'bin')), HOME: dir, LANG: 'C.UTF-8', ...settings },
        settings,
        domains: certificateDomains(zone),
        dnsServer: world.dns.resolver,
        dir,
      };
    },
    async close() {
      await acme.close();
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** A test world and a Pebble that validates through its resolver: what every issuance needs. */
export interface AcmeWorld<P extends ProviderName = ProviderName> {
  world: TestWorld<P>;
  pebble: Pebble;
  /** Stops Pebble, then the world (its servers and state directory). */
  close(): Promise<void>;
}

/**
 * Starts the test world of `options`, then Pebble (`binary`: Debian's on the
 * PATH by default) asking the world's resolver; whatever started is stopped
 * again when the rest fails.
 */
export async function startAcmeWorld<P extends ProviderName>(options: TestWorldOptions<P>, pebbleOptions: { binary?: string } = {}): Promise<AcmeWorld<P>> {
  const world = await startTestWorld(options);
  let pebble: Pebble;
  try {
    pebble = await startPebble({ dnsServer: world.dns.resolver, ...(pebbleOptions.binary ? { binary: pebbleOptions.binary } : {}) });
  } catch (error) {
    await world.close();
    throw error;
  }
  return {
    world,
    pebble,
    async close() {
      await pebble.close();
      await world.close();
    },
  };
}

/** The zone's records as comparable rows (ids included: a deleted and re-added record is a change). */
export function zoneSnapshot(world: TestWorld, zone: string): string[] {
  return world.store
    .records(zone)
    .map((r) => `${r.id} ${r.name} ${r.type} ${r.ttl} ${r.priority ?? '-'} ${r.data}`)
    .sort();
}

/** The secrets (and their common encodings) that appear in `text`. */
export function leakedSecrets(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')].some((form) => text.includes(form)));
}
