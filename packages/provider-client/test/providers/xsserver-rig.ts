/** The XSServer emulator and providers on it, shared by the xsserver test files. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestHandler } from 'msw';
import { createXsserverApi, serveHandlers, ZoneStore, type EmulatorServer, type XsserverControls, type XsserverEmulatorOptions, type XsserverReadingCase } from '@dns01/testkit';
import { closeHttp, createLogger, openRunCache, withHostLock, type DnsProvider, type Logger, type ProviderDeps, type RunCache } from '../../src/internal.js';
import { xsserver } from '../../src/providers/xsserver/index.js';

export const ZONE = 'example.com';
export const CREDENTIALS = { username: 'xs-user@example.org', password: 'xs-secret-Pw/9+=' };
export const FAST = { minRetryDelayMs: 10, timeoutMs: 500, maxRetryTimeMs: 3000 };
export const CHALLENGE = `_acme-challenge.${ZONE}`;

export function newStore(zones: string[] = [ZONE, 'other.org']): ZoneStore {
  const store = new ZoneStore();
  for (const name of zones) store.addZone({ name, nameservers: [{ name: 'ns1.dns01-test.net', addresses: ['127.0.0.1'] }] });
  return store;
}

export interface Rig {
  provider: DnsProvider;
  store: ZoneStore;
  emulator: XsserverControls;
  server: EmulatorServer;
  endpoint: string;
  logs: string[];
  /**
   * Another provider on the same account, as another process has it: its
   * own memory, the host-wide lock and the run cache of this rig's state directory.
   */
  another(deps?: Partial<ProviderDeps>): DnsProvider;
  /** The run cache another process of the run would share (this rig's state directory). */
  runCache(): RunCache;
  close(): Promise<void>;
}

export type RigOptions = Partial<XsserverEmulatorOptions> & { extra?: RequestHandler[]; password?: string; logger?: Logger; reading?: XsserverReadingCase };

export async function rig(options: RigOptions = {}): Promise<Rig> {
  const store = options.store ?? newStore();
  const { handlers, controls } = createXsserverApi({
    store,
    zones: [ZONE, 'other.org'],
    credentials: CREDENTIALS,
    ...options.reading?.options,
    ...(options.reading ? { readings: options.reading.readings } : {}),
    ...options,
  });
  const server = await serveHandlers([...(options.extra ?? []), ...handlers]);
  const logs: string[] = [];
  const logger = options.logger ?? createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const endpoint = `${server.url}/api`;
  const config = { username: CREDENTIALS.username, password: options.password ?? CREDENTIALS.password, endpoint };
  const stateDir = mkdtempSync(join(tmpdir(), 'xsserver-rig-'));
  const env = { DNS01_STATE_DIR: stateDir };
  const runCache = () => openRunCache(env, { provider: 'xsserver', account: JSON.stringify(config) });
  const hostLock: ProviderDeps['hostLock'] = (key, fn) => withHostLock(env, key, fn, { waitMs: 20_000 });
  const another = (deps: Partial<ProviderDeps> = {}) => xsserver.create(config, { logger, http: FAST, hostLock, ...deps });
  return {
    provider: xsserver.create(config, { logger, http: FAST }),
    store,
    emulator: controls,
    server,
    endpoint,
    logs,
    another,
    runCache,
    async close() {
      await server.close();
      await closeHttp();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Every record of the zone with its store id: a foreign record that vanished or changed shows. */
export const everything = (store: ZoneStore, zone = ZONE) => store.records(zone).map(({ id, name, type, data }) => `${id} ${type} ${name} ${data}`);

export const txt = (store: ZoneStore, name = CHALLENGE, zone = ZONE) =>
  store
    .records(zone, { name, type: 'TXT' })
    .map((r) => r.data)
    .sort();

/** The DNS record requests the emulator saw, of one method. */
export const dnsRequests = (server: EmulatorServer, method: string) => server.requests.filter((r) => r.method === method && /\/api\/domain\/\d+\/dns/.test(r.url));
