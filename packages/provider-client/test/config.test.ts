import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  parseConfigEntries,
  parseConfigText,
  providerSetting,
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
  it('parses KEY=VALUE as users write it: comment lines, trailing comments, export, quotes that keep a #', () => {
    const text = [
      '# a comment line',
      '   # an indented one',
      'export A=1',
      'B = "two words"   # trailing comment after quotes',
      "C='x=y'",
      '',
      '  D=plain # a trailing comment',
      'E=12345  # customer number',
      'F="pa#ss # word"',
      "G='#hash' # comment",
      'H=a#b',
      'I=\tspaced value\t',
      'J=',
      'K="$HOME \\n `x`"',
      'L=crlf\r',
    ].join('\n');
    expect(parseConfigText(text, 'f')).toEqual({
      A: '1',
      B: 'two words',
      C: 'x=y',
      D: 'plain',
      E: '12345',
      F: 'pa#ss # word',
      G: '#hash',
      H: 'a#b',
      I: 'spaced value',
      J: '',
      K: '$HOME \\n `x`',
      L: 'crlf',
    });
    expect(parseConfigEntries('\n# c\nexport A=1 # x\n', 'f')).toEqual([{ key: 'A', value: '1', line: 3 }]);
  });

  it('names the file and line of a malformed line', () => {
    expect(() => parseConfigText('A=1\nthis is wrong\n', '/etc/dns01/config')).toThrow('/etc/dns01/config line 2 is not KEY=VALUE');
    expect(() => parseConfigText('A="open\n', '/c')).toThrow('/c line 1 has no closing "');
    expect(() => parseConfigText("A=1\nB='x'y\n", '/c')).toThrow("/c line 2 has text after the closing '");
    expect(() => parseConfigText('B="x"# no space\n', '/c')).toThrow('/c line 1 has text after the closing "');
  });

  it("reads the README's example config, copied verbatim", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const block = /```sh\n((?:[ \t]*DNS01_PROVIDER=[^]*?))[ \t]*```/.exec(readme)?.[1];
    expect(block, 'the README shows a config file').toBeDefined();
    const path = join(tmp(), 'config');
    writeFileSync(path, block!.replace(/^ {3}/gm, ''), { mode: 0o600 });
    const env = effectiveEnv({ DNS01_CONFIG: path });
    expect(env.DNS01_PROVIDER).toBe('netcup');
    expect(env.NETCUP_CUSTOMER_NUMBER).toBe('12345');
    expect(providers.netcup.readConfig(env)).toMatchObject({ customerNumber: '12345', apiKey: '...', apiPassword: '...', restApiKey: '...' });
  });

  it('a malformed setting names the file, the line and (not being secret) the value read', () => {
    const path = join(tmp(), 'config');
    writeFileSync(path, 'DNS01_PROVIDER=netcup\n\nNETCUP_CUSTOMER_NUMBER="12345 # customer"\nNETCUP_API_KEY=k\nNETCUP_API_PASSWORD=p\n', { mode: 0o600 });
    const env = effectiveEnv({ DNS01_CONFIG: path });
    expect(() => providers.netcup.readConfig(env)).toThrow(
      `NETCUP_CUSTOMER_NUMBER is malformed: must be the netcup customer number (digits only) (read "12345 # customer" at ${path} line 3)`,
    );
    // The environment overrides the file: its value is named, not the file's line.
    expect(() => providers.netcup.readConfig(effectiveEnv({ DNS01_CONFIG: path, NETCUP_CUSTOMER_NUMBER: 'x1' }))).toThrow(
      /NETCUP_CUSTOMER_NUMBER is malformed: .* \(read "x1"\)$/,
    );
  });

  it('a malformed secret names the file and line, never the value', () => {
    const strict = { key: setting({ names: ['EXAMPLE_KEY'], schema: nonEmpty.regex(/^\d+$/, 'must be digits'), secret: true, description: 'd' }) };
    const path = join(tmp(), 'config');
    writeFileSync(path, 'EXAMPLE_KEY=not-digits-secret\n', { mode: 0o600 });
    const error = (() => {
      try {
        readSettings(effectiveEnv({ DNS01_CONFIG: path }), strict);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.message).toBe(`EXAMPLE_KEY is malformed: must be digits (${path} line 1)`);
    expect(error?.oneLine).not.toContain('not-digits-secret');
  });

  it('a missing setting names the config file read, or the files searched when there is none', () => {
    const home = tmp();
    const none = effectiveEnv({ HOME: home, XDG_CONFIG_HOME: join(home, 'cfg') });
    expect(() => readSettings(none, specs)).toThrow(ConfigError);
    try {
      readSettings(none, specs);
    } catch (e) {
      expect((e as ConfigError).hint).toBe(
        `Set it in the environment or in a config file (none found; searched ${join(home, 'cfg', 'dns01', 'config')}, /etc/dns01/config) (the API user)`,
      );
    }
    const path = join(tmp(), 'config');
    writeFileSync(path, 'EXAMPLE_KEY=k\n', { mode: 0o600 });
    try {
      readSettings(effectiveEnv({ DNS01_CONFIG: path }), specs);
    } catch (e) {
      expect((e as ConfigError).hint).toBe(`Set it in the environment or in the config file ${path} (the API user)`);
    }
    expect.assertions(3);
  });

  it('DNS01_PROVIDER: a typo is echoed with a "did you mean"', () => {
    const read = (value: string) => () => readSettings({ DNS01_PROVIDER: value }, { provider: providerSetting });
    expect(read('netcp')).toThrow(/^DNS01_PROVIDER is malformed: must be one of .*netcup.*; did you mean netcup\? \(read "netcp"\)$/);
    expect(read('XSServer')).toThrow('did you mean xsserver?');
    expect(read('route53')).toThrow(/must be one of [a-z, ]+ \(read "route53"\)$/);
    expect(readSettings({ DNS01_PROVIDER: 'netcup' }, { provider: providerSetting }).provider).toBe('netcup');
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
