/**
 * The interception proxy the peer benchmark puts in front of the netcup
 * emulator (scripts/bench/peers.mjs): curl, trusting only the proxy's CA,
 * reaches the emulator as https://ccp.netcup.net; any other host is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetcupEmulator, ZoneStore, type NetcupEmulator } from '@dns01/testkit';
import { explain, run, startInterceptProxy, type InterceptProxy } from '@dns01/testkit/e2e';

let emulator: NetcupEmulator;
let proxy: InterceptProxy;

beforeAll(async () => {
  const store = new ZoneStore();
  store.addZone({ name: 'example.com', nameservers: [{ name: 'ns1.dns01-test.net', addresses: ['127.0.0.2'] }] });
  emulator = await startNetcupEmulator({ store, zones: ['example.com'], credentials: { customerNumber: '1', apiKey: 'k', apiPassword: 'p' } });
  proxy = await startInterceptProxy({ 'ccp.netcup.net': { host: '127.0.0.1', port: Number(new URL(emulator.url).port) } });
});
afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
});

const curl = (url: string) =>
  run(
    'curl',
    [
      '--silent',
      '--show-error',
      '--max-time',
      '10',
      '--proxy',
      proxy.url,
      '--cacert',
      proxy.tls.caCertPath,
      '--data',
      '{"action":"login","param":{"customernumber":"1","apikey":"k","apipassword":"p"}}',
      url,
    ],
    {
      env: { PATH: process.env.PATH },
      timeoutMs: 20_000,
    },
  );

describe('HTTPS interception proxy', () => {
  it('serves the emulator as https://ccp.netcup.net under a certificate the client verifies', async () => {
    const result = await curl('https://ccp.netcup.net/run/webservice/servers/endpoint.php?JSON');
    expect(result.code, explain(result)).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ action: 'login', status: 'success' });
    expect(emulator.actionCounts()).toEqual({ login: 1 });
    expect(proxy.connects).toContain('ccp.netcup.net:443');
  });

  it('refuses every other host: nothing leaves the machine', async () => {
    const result = await curl('https://example.org/');
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/403|CONNECT/);
  });
});
