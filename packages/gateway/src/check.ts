import { createSecureContext } from 'node:tls';
import { readFileSync } from 'node:fs';
import { challengeName, challengeTarget, describeError, type Env, type Logger } from '@dns01/provider-client/internal';
import { privateDirAt } from '@dns01/provider-client/internal';
import { readClientsFile } from './clients.js';
import { openGatewaySession } from './gateway-session.js';
import { checkListenSafety, describeListen } from './server.js';
import type { ResolvedGatewaySettings } from './settings.js';

export interface CheckLine {
  ok: boolean;
  text: string;
}

/**
 * `dns01 serve --check`: the configuration as the gateway would start with
 * it (listen address and TLS, state directory, clients file), then the
 * provider credentials, proven by finding the zone of every name in every
 * client's scope (wildcard scopes by their base name). Changes nothing.
 */
export async function checkGateway(env: Env, settings: ResolvedGatewaySettings, logger: Logger): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const step = async (fn: () => Promise<string> | string): Promise<boolean> => {
    try {
      lines.push({ ok: true, text: await fn() });
      return true;
    } catch (error) {
      lines.push({ ok: false, text: describeError(error) });
      return false;
    }
  };
  await step(() => {
    checkListenSafety(settings);
    if (settings.tlsCert && settings.tlsKey) {
      createSecureContext({ cert: readFileSync(settings.tlsCert), key: readFileSync(settings.tlsKey) });
      return `listen: https on ${describeListen(settings.listen)} (certificate and key read and matching)`;
    }
    return `listen: plain http on ${describeListen(settings.listen)}${settings.behindProxy ? ' (a TLS-terminating proxy in front)' : ''}`;
  });
  await step(() => {
    privateDirAt(settings.stateDir, { make: false }); // a ConfigError naming it when missing, not private or on a path another user could swap
    return `state directory: ${settings.stateDir}`;
  });
  let names: string[] = [];
  await step(() => {
    const file = readClientsFile(settings.clientsFile);
    names = [...new Set(file.clients.flatMap((c) => c.names))];
    return `clients file: ${settings.clientsFile}, ${file.clients.length} client(s)`;
  });
  let session;
  try {
    session = openGatewaySession(env, { logger });
  } catch (error) {
    lines.push({ ok: false, text: `provider: ${describeError(error)}` });
    return lines;
  }
  try {
    for (const name of names) {
      const domain = name.startsWith('*.') ? name.slice(2) : name;
      await step(async () => {
        const target = await challengeTarget(session.dns, domain);
        try {
          const zone = await session.provider.findZone(target);
          return `${name}: ${challengeName(domain)}${target !== challengeName(domain) ? ` -> ${target}` : ''} goes into zone ${zone.name}`;
        } catch (error) {
          throw new Error(`${name}: ${describeError(error)}`);
        }
      });
    }
    if (names.length === 0)
      lines.push({ ok: true, text: `${session.provider.name}: configured; no client yet, so no zone looked up (dns01 serve client add)` });
  } finally {
    await session.close().catch(() => undefined);
  }
  return lines;
}
