import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { closeHttp, silentLogger, type Logger } from '@dns01/provider-client';
import { startTestWorld, type TestWorld, type TestWorldOptions } from '@dns01/testkit';
import { addClient, readGatewaySettings, startGateway, type RunningGateway } from '../src/index.js';

export interface RigClient {
  id: string;
  names: string[];
  from?: string[];
}

export interface Rig {
  world: TestWorld<'netcup'>;
  gateway: RunningGateway;
  stateDir: string;
  secrets: Record<string, string>;
  /** The gateway's environment: the world's provider settings plus the serve settings. */
  env: Record<string, string>;
  /** POST to the gateway with Basic auth (httpreq) or the acme-dns headers. */
  post(
    path: string,
    body: unknown,
    auth?: { id: string; secret?: string; style?: 'basic' | 'api-key' },
  ): Promise<{ status: number; text: string; json: () => unknown }>;
  /** Starts a new gateway on the same state directory (a restart). */
  restart(): Promise<RunningGateway>;
  /** Provider API requests the emulator received so far. */
  providerRequests(): number;
  close(): Promise<void>;
}

/** Sends one request to a gateway by URL; `body` a string is sent as is. */
export async function send(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; json: () => unknown }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as unknown };
}

export function authHeaders(auth: { id: string; secret: string; style?: 'basic' | 'api-key' }): Record<string, string> {
  return auth.style === 'api-key'
    ? { 'x-api-user': auth.id, 'x-api-key': auth.secret }
    : { authorization: `Basic ${Buffer.from(`${auth.id}:${auth.secret}`).toString('base64')}` };
}

/**
 * A netcup world (example.com, other.org) with a gateway in front of it:
 * clients added to a fresh state directory, the gateway on a free loopback
 * port, the audit log in the state directory.
 */
export async function startRig(options: {
  clients: RigClient[];
  world?: Omit<TestWorldOptions<'netcup'>, 'provider'>;
  env?: Record<string, string>;
  logger?: Logger;
  budgetWindowMs?: number;
}): Promise<Rig> {
  const world = await startTestWorld({ provider: 'netcup', zones: ['example.com', 'other.org'], ...options.world });
  const stateDir = mkdtempSync(join(tmpdir(), 'dns01-gateway-'));
  const env: Record<string, string> = { ...world.env, DNS01_SERVE_STATE_DIR: stateDir, DNS01_SERVE_LISTEN: '127.0.0.1:0', ...options.env };
  const settings = readGatewaySettings(env);
  const secrets: Record<string, string> = {};
  for (const c of options.clients) secrets[c.id] = await addClient(settings.clientsFile, { id: c.id, names: c.names, from: c.from ?? [] });
  const start = () => startGateway({ env, settings: readGatewaySettings(env), logger: options.logger ?? silentLogger, budgetWindowMs: options.budgetWindowMs });
  let gateway = await start();
  const rig: Rig = {
    world,
    get gateway() {
      return gateway;
    },
    stateDir,
    secrets,
    env,
    post(path, body, auth) {
      const headers = auth ? authHeaders({ ...auth, secret: auth.secret ?? secrets[auth.id] ?? '' }) : {};
      return send(gateway.url, path, body, headers);
    },
    async restart() {
      await gateway.stop();
      gateway = await start();
      return gateway;
    },
    providerRequests: () => world.emulator.server.requests.length,
    async close() {
      await gateway.stop();
      await world.close();
      await closeHttp();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** A value shaped like an ACME dns-01 value (43 base64url characters), distinct per `seed`. */
export function acmeValue(seed: string): string {
  return createHash('sha256').update(seed).digest('base64url');
}

export const APEX = '_acme-challenge.example.com';

/** A client for the apex, its wildcard and every name below example.com. */
export const WEB = { id: 'web1', names: ['example.com', '*.example.com'] };

/** A rig per test, closed after it. */
export function rigPerTest(): (options: Parameters<typeof startRig>[0]) => Promise<Rig> {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
  return async (options) => (rig = await startRig(options));
}
