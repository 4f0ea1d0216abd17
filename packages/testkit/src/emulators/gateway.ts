/**
 * The gateway provider's counterpart: a real `dns01 serve` (in this process,
 * on a free loopback port) in front of the netcup emulator, writing into the
 * world's store, with one client whose scope is every zone of the world and
 * the names below. The product's gateway provider talks to it as a fleet
 * host would; `server` is the netcup emulator's (the provider requests the
 * gateway sent).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecret, readGatewaySettings, startGateway, writeClientsFile, type RunningGateway } from '@dns01/gateway';
import { silentLogger } from '@dns01/provider-client';
import { defineWiring, type WiringOptions } from './wiring.js';
import { netcupWiring, type NetcupEmulator, type NetcupEmulatorOptions } from './netcup.js';

const TEST_CLIENT = 'fleet-host-1';
const TEST_SECRET = 'gw-test-secret-Zq81mP4vX2';

export interface GatewayEmulator {
  server: NetcupEmulator['server'];
  netcup: NetcupEmulator;
  gateway: RunningGateway;
  close(): Promise<void>;
}

const gatewayCredentials = { DNS01_GATEWAY_CLIENT: TEST_CLIENT, DNS01_GATEWAY_SECRET: TEST_SECRET };

export const gatewayWiring = defineWiring({
  credentials: gatewayCredentials,
  secrets: [TEST_SECRET, ...netcupWiring.secrets],
  async start(store, zones, options: WiringOptions<NetcupEmulatorOptions>, dnsEnv = {}) {
    const started = await netcupWiring.start(store, zones, options);
    const netcup = started.emulator;
    const stateDir = mkdtempSync(join(tmpdir(), 'dns01-world-gateway-'));
    try {
      const env = {
        ...started.credentials,
        ...started.env,
        ...dnsEnv,
        DNS01_PROVIDER: 'netcup',
        DNS01_STATE_DIR: stateDir,
        DNS01_SERVE_STATE_DIR: stateDir,
        DNS01_SERVE_LISTEN: '127.0.0.1:0',
        DNS01_SERVE_AUDIT_LOG: 'off',
        DNS01_SERVE_CLIENT_RATE: '100000',
      };
      const settings = readGatewaySettings(env);
      const names = zones.flatMap((z) => [z, `*.${z}`]);
      await writeClientsFile(settings.clientsFile, {
        version: 1,
        clients: [{ id: TEST_CLIENT, names, from: [], hash: await hashSecret(TEST_SECRET), created: new Date().toISOString() }],
      });
      const gateway = await startGateway({ env, settings, logger: silentLogger });
      const emulator: GatewayEmulator = {
        server: netcup.server,
        netcup,
        gateway,
        async close() {
          await gateway.stop();
          await netcup.close();
          rmSync(stateDir, { recursive: true, force: true });
        },
      };
      return {
        emulator,
        env: { DNS01_GATEWAY_URL: gateway.url },
        credentials: gatewayCredentials,
        secrets: [TEST_SECRET, ...started.secrets],
      };
    } catch (error) {
      await netcup.close();
      rmSync(stateDir, { recursive: true, force: true });
      throw error;
    }
  },
});
