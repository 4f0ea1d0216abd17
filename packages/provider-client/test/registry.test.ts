import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emulatorWirings } from '@dns01/testkit';
import {
  clearSecrets,
  defineProvider,
  PROVIDER_NAMES,
  providerDefinition,
  providerDefinitions,
  providerList,
  redact,
  setting,
  silentLogger,
  nonEmpty,
} from '../src/internal.js';

describe('registry: everything derives from the definitions', () => {
  afterEach(() => clearSecrets());

  it('PROVIDER_NAMES is one name per provider folder, in the order of the definitions', () => {
    const folders = readdirSync(join(import.meta.dirname, '../src/providers'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect([...PROVIDER_NAMES]).toEqual(folders);
    expect(providerDefinitions.map((d) => d.name)).toEqual(PROVIDER_NAMES);
    for (const name of PROVIDER_NAMES) expect(providerDefinition(name).name).toBe(name);
  });

  it('every definition is complete: title, API documentation, settings with a meaning, propagation defaults', () => {
    for (const d of providerDefinitions) {
      expect(d.title).not.toBe('');
      expect(d.apiDocs.length).toBeGreaterThan(0);
      for (const doc of d.apiDocs) expect(doc.url).toMatch(/^https:\/\//);
      expect(Object.keys(d.settings).length).toBeGreaterThan(0);
      for (const spec of Object.values(d.settings)) {
        expect(spec.description).not.toBe('');
        for (const n of spec.names) expect(n).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
      }
      expect(Object.values(d.settings).some((s) => s.secret)).toBe(true);
      expect(d.propagation.timeout).toBeGreaterThan(d.propagation.interval);
    }
  });

  it("the providers whose API lists the account's zones (dns01 zones, check without a domain) say so by listZones, the others by its absence", () => {
    const env = { ...Object.assign({}, ...Object.values(emulatorWirings).map((w) => w.credentials)), DNS01_GATEWAY_URL: 'https://gateway.invalid' };
    const listing = PROVIDER_NAMES.filter((name) => {
      const d = providerDefinition(name);
      return d.create(d.readConfig(env), { logger: silentLogger }).listZones !== undefined;
    });
    expect(listing).toEqual(['mrdomain', 'sourcedesk', 'xsserver']);
  });

  it('providerList reads like prose', () => {
    expect(providerList()).toBe(`${PROVIDER_NAMES.slice(0, -1).join(', ')} or ${PROVIDER_NAMES.at(-1)}`);
  });

  it('defineProvider registers every secret setting when the provider is created, also for programmatic config', () => {
    const made: string[] = [];
    const def = defineProvider({
      name: 'probe',
      title: 'Probe',
      apiDocs: [{ title: 'none', url: 'https://example.invalid/' }],
      settings: {
        user: setting({ names: ['PROBE_USER'], schema: nonEmpty, description: 'user' }),
        key: setting({ names: ['PROBE_KEY'], schema: nonEmpty, secret: true, description: 'key' }),
      },
      propagation: { timeout: 10, interval: 1, note: 'test' },
      openPoints: [],
      readConfig: () => ({ user: 'visible-user', key: 'hidden-key-123' }),
      create(config) {
        made.push(config.key);
        return {
          name: 'probe',
          findZone: async () => ({ name: 'x' }),
          appendTxt: async () => 'created',
          deleteTxt: async () => 'absent',
          listTxt: async () => [],
          close: async () => {},
        };
      },
    });
    expect(redact('hidden-key-123')).toBe('hidden-key-123');
    def.create({ user: 'visible-user', key: 'hidden-key-123' }, { logger: silentLogger });
    expect(made).toEqual(['hidden-key-123']);
    expect(redact('user visible-user key hidden-key-123')).not.toContain('hidden-key-123');
    expect(redact('visible-user')).toBe('visible-user');
  });
});
