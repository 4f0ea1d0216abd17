import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  checkConfigFileStat,
  clearSecrets,
  effectiveEnv,
  loadConfigFile,
  nonEmpty,
  parseConfigText,
  parseServerAddress,
  readDnsSettings,
  readSettings,
  redact,
  setting,
  providers,
} from '../src/internal.js';

const made: string[] = [];
afterEach(() => {
  clearSecrets();
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'dns01-config-'));
  made.push(dir);
  return dir;
};

const specs = {
  user: setting({ names: ['EXAMPLE_USER', 'EX_USER'], schema: nonEmpty, description: 'the API user' }),
  key: setting({ names: ['EXAMPLE_KEY'], schema: nonEmpty, secret: true, description: 'the API key' }),
};

describe('readSettings', () => {
  it('reads canonical names and aliases, canonical first', () => {
    expect(readSettings({ EX_USER: 'alias', EXAMPLE_KEY: 'k' }, specs)).toEqual({ user: 'alias', key: 'k' });
    expect(readSettings({ EXAMPLE_USER: 'canon', EX_USER: 'alias', EXAMPLE_KEY: 'k' }, specs).user).toBe('canon');
  });

  it('reads <NAME>_FILE, without its trailing newline, and registers the secret', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'key'), 'from-file-secret\n');
    const s = readSettings({ EXAMPLE_USER: 'u', EXAMPLE_KEY_FILE: join(dir, 'key') }, specs);
    expect(s.key).toBe('from-file-secret');
    expect(redact('x from-file-secret')).toBe('x ***');
  });

  it('names the missing variable and its alternatives', () => {
    expect(() => readSettings({ EXAMPLE_KEY: 'k' }, specs)).toThrow(ConfigError);
    expect(() => readSettings({ EXAMPLE_KEY: 'k' }, specs)).toThrow('EXAMPLE_USER is not set (also accepted: EX_USER, EXAMPLE_USER_FILE)');
  });

  it('treats an empty variable as unset', () => {
    expect(() => readSettings({ EXAMPLE_USER: '', EXAMPLE_KEY: 'k' }, specs)).toThrow('EXAMPLE_USER is not set');
  });

  it('reports an unreadable _FILE without echoing anything from it', () => {
    expect(() => readSettings({ EXAMPLE_USER: 'u', EXAMPLE_KEY_FILE: '/nonexistent/key' }, specs)).toThrow(
      'EXAMPLE_KEY_FILE names a file that cannot be read (ENOENT)',
    );
  });

  it('never echoes a malformed secret value', () => {
    const strict = { key: setting({ names: ['EXAMPLE_KEY'], schema: nonEmpty.regex(/^\d+$/, 'must be digits'), secret: true, description: 'd' }) };
    let message = '';
    try {
      readSettings({ EXAMPLE_KEY: 'not-digits-secret' }, strict);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('EXAMPLE_KEY is malformed: must be digits');
  });
});

describe('DNS settings', () => {
  it('has defaults that leave timeouts to the provider', () => {
    expect(readDnsSettings({})).toEqual({
      resolvers: [],
      nsPort: 53,
      propagationTimeout: undefined,
      pollingInterval: undefined,
      followCname: true,
    });
  });

  it('parses resolvers, port, seconds and the CNAME switch', () => {
    const s = readDnsSettings({
      DNS01_RESOLVERS: '127.0.0.1:5353, 9.9.9.9,[::1]:53',
      DNS01_NS_PORT: '5300',
      DNS01_PROPAGATION_TIMEOUT: '90',
      DNS01_POLLING_INTERVAL: '0.5',
      DNS01_CNAME: '0',
    });
    expect(s.resolvers).toEqual([
      { host: '127.0.0.1', port: 5353 },
      { host: '9.9.9.9', port: 53 },
      { host: '::1', port: 53 },
    ]);
    expect(s).toMatchObject({ nsPort: 5300, propagationTimeout: 90, pollingInterval: 0.5, followCname: false });
  });

  it.each([
    ['DNS01_RESOLVERS', 'resolver.example:53', 'is not ip[:port]'],
    ['DNS01_NS_PORT', '70000', 'port number'],
    ['DNS01_PROPAGATION_TIMEOUT', '-3', 'number of seconds'],
    ['DNS01_POLLING_INTERVAL', 'soon', 'number of seconds'],
    ['DNS01_CNAME', 'maybe', 'must be 0 or 1'],
  ])('rejects %s=%s naming the variable', (name, value, reason) => {
    expect(() => readDnsSettings({ [name]: value })).toThrow(`${name} is malformed`);
    expect(() => readDnsSettings({ [name]: value })).toThrow(reason);
  });

  it('parses server addresses', () => {
    expect(parseServerAddress('10.0.0.1')).toEqual({ host: '10.0.0.1', port: 53 });
    expect(parseServerAddress('[2001:db8::1]:5353')).toEqual({ host: '2001:db8::1', port: 5353 });
    expect(parseServerAddress('2001:db8::1')).toEqual({ host: '2001:db8::1', port: 53 });
    expect(parseServerAddress('dns.example')).toBeUndefined();
  });
});

describe('config file', () => {
  it('parses KEY=VALUE with comments, export and quotes', () => {
    expect(
      parseConfigText('# c\nexport A=1\nB = "two words"\nC=\'x=y\'\n\n  D=plain # not a comment\n', 'f'),
    ).toEqual({ A: '1', B: 'two words', C: 'x=y', D: 'plain # not a comment' });
  });

  it('names the file and line of a malformed line', () => {
    expect(() => parseConfigText('A=1\nthis is wrong\n', '/etc/dns01/config')).toThrow('/etc/dns01/config line 2 is not KEY=VALUE');
  });

  it('loads DNS01_CONFIG, and the environment overrides it', () => {
    const dir = tmp();
    const path = join(dir, 'config');
    writeFileSync(path, 'DNS01_PROVIDER=netcup\nNETCUP_API_KEY=from-file\nEMPTY_IN_ENV=kept\n', { mode: 0o600 });
    const env = effectiveEnv({ DNS01_CONFIG: path, NETCUP_API_KEY: 'from-env', EMPTY_IN_ENV: '' });
    expect(env.DNS01_PROVIDER).toBe('netcup');
    expect(env.NETCUP_API_KEY).toBe('from-env');
    expect(env.EMPTY_IN_ENV).toBe('kept');
  });

  it('refuses a file other users can read, with the chmod to run', () => {
    const dir = tmp();
    const path = join(dir, 'config');
    writeFileSync(path, 'A=1\n');
    chmodSync(path, 0o644);
    expect(() => loadConfigFile({ DNS01_CONFIG: path })).toThrow(`config file ${path} is accessible by other users (mode 644)`);
    try {
      loadConfigFile({ DNS01_CONFIG: path });
    } catch (e) {
      expect((e as ConfigError).hint).toBe(`Run: chmod 600 ${path}`);
    }
  });

  it('fails when DNS01_CONFIG names a missing file, but not when a default path is missing', () => {
    expect(() => loadConfigFile({ DNS01_CONFIG: '/nonexistent/dns01.conf' })).toThrow('does not exist');
    const home = tmp();
    expect(loadConfigFile({ HOME: home, XDG_CONFIG_HOME: join(home, '.config') })).toBeUndefined();
  });

  it('a FIFO is refused at once (it would block forever), and so is a directory', () => {
    const dir = tmp();
    const fifo = join(dir, 'config');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const started = Date.now();
    expect(() => loadConfigFile({ DNS01_CONFIG: fifo })).toThrow(`config file ${fifo} is not a regular file`);
    expect(Date.now() - started).toBeLessThan(1000);
    mkdirSync(join(dir, 'sub'), { mode: 0o700 });
    expect(() => loadConfigFile({ DNS01_CONFIG: join(dir, 'sub') })).toThrow(ConfigError);
  });

  it('a file owned by another user (not root) is refused; one owned by this user or root is accepted', () => {
    const uid = process.getuid!();
    const other = uid === 0 ? 65_534 : uid + 1;
    const stat = (owner: number) => ({ isFile: () => true, uid: owner, mode: 0o100600 });
    expect(() => checkConfigFileStat('/x/config', stat(other), uid)).toThrow(`config file /x/config is owned by uid ${other}, not by this user or root`);
    expect(() => checkConfigFileStat('/x/config', stat(uid), uid)).not.toThrow();
    expect(() => checkConfigFileStat('/x/config', stat(0), uid)).not.toThrow();
    // and for real, where this user may hand a file to someone else
    if (uid === 0) {
      const path = join(tmp(), 'config');
      writeFileSync(path, 'A=1\n', { mode: 0o600 });
      chownSync(path, 65_534, 65_534);
      expect(() => loadConfigFile({ DNS01_CONFIG: path })).toThrow('owned by uid 65534');
    }
  });

  it('finds the per-user default location', () => {
    const home = tmp();
    const xdg = join(home, 'cfg');
    mkdirSync(join(xdg, 'dns01'), { recursive: true, mode: 0o700 });
    writeFileSync(join(xdg, 'dns01', 'config'), 'DNS01_PROVIDER=xsserver\n', { mode: 0o600 });
    expect(loadConfigFile({ XDG_CONFIG_HOME: xdg })?.values).toEqual({ DNS01_PROVIDER: 'xsserver' });
  });
});

describe('secret settings are byte-exact', () => {
  it('every provider keeps surrounding spaces of a secret and refuses only an empty one', () => {
    for (const definition of Object.values(providers)) {
      for (const [key, spec] of Object.entries(definition.settings)) {
        if (!spec.secret) continue;
        const kept = readSettings({ [spec.names[0]]: ' pw ' }, { [key]: spec });
        expect(kept[key], `${definition.name} ${spec.names[0]}`).toBe(' pw ');
        expect(() => readSettings({ [spec.names[0]]: '   ' }, { [key]: spec }), `${definition.name} ${spec.names[0]}`).toThrow(ConfigError);
      }
    }
  });

  it('a secret from a _FILE loses only its one trailing newline', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'pw'), '\tpw with tab \n');
    const spec = providers.netcup.settings.apiPassword!;
    expect(readSettings({ NETCUP_API_PASSWORD_FILE: join(dir, 'pw') }, { pw: spec }).pw).toBe('\tpw with tab ');
  });
});
