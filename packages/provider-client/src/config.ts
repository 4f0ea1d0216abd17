import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { registerSecret } from './redact.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** One setting and the variables it can come from (first one set wins). */
export interface VarSpec<T> {
  /** Canonical name first, then accepted aliases. Each also has a `<NAME>_FILE` form. */
  names: readonly [string, ...string[]];
  schema: z.ZodType<T>;
  secret?: boolean;
  /** Used when no variable is set; without one the setting is required. */
  default?: T;
  /** Shown in `--help` and docs. */
  description: string;
  /** For the docs' tables: the command-line flag that sets the same, and the default where it is worked out rather than fixed. */
  docs?: { flag?: string; default?: string };
}

export type Settings<S extends Record<string, VarSpec<unknown>>> = {
  [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never;
};

/** Defines a setting with its type inferred from the schema. */
export function setting<T>(spec: VarSpec<T>): VarSpec<T> {
  return spec;
}

/**
 * Reads `<NAME>` or, when that is unset, the file named by `<NAME>_FILE`
 * (one trailing newline removed). Returns the variable actually used.
 */
export function readVariable(env: Env, name: string): { value: string; from: string } | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return { value: direct, from: name };
  const fileVar = `${name}_FILE`;
  const path = env[fileVar];
  if (path === undefined || path === '') return undefined;
  try {
    return { value: readFileSync(path, 'utf8').replace(/\r?\n$/, ''), from: fileVar };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${fileVar} names a file that cannot be read (${code})`, {
      hint: `Check the path and that this user may read it`,
    });
  }
}

/** Whether any variable of the setting (or its `_FILE` form) is set, without reading a file. */
export function settingIsSet(env: Env, spec: VarSpec<unknown>): boolean {
  return spec.names.some((name) => (env[name] ?? '') !== '' || (env[`${name}_FILE`] ?? '') !== '');
}

/**
 * Reads a group of settings. A missing or malformed value is a ConfigError
 * naming the variable; the value itself is never echoed (it may be a secret).
 */
export function readSettings<S extends Record<string, VarSpec<unknown>>>(env: Env, specs: S): Settings<S> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    let found: { value: string; from: string } | undefined;
    for (const name of spec.names) {
      found = readVariable(env, name);
      if (found) break;
    }
    const [canonical, ...aliases] = spec.names;
    if (!found) {
      if ('default' in spec) {
        out[key] = spec.default;
        continue;
      }
      const also = [...aliases, `${canonical}_FILE`].join(', ');
      throw new ConfigError(`${canonical} is not set (also accepted: ${also})`, {
        hint: `Set it in the environment or in the dns01 config file (${spec.description})`,
      });
    }
    if (spec.secret) registerSecret(found.value, found.from);
    const parsed = spec.schema.safeParse(found.value);
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(`${found.from} is malformed: ${reason}`, { hint: spec.description });
    }
    if (spec.secret && typeof parsed.data === 'string') registerSecret(parsed.data, found.from);
    out[key] = parsed.data;
  }
  return out as Settings<S>;
}

export const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A secret, byte-exact: a password may begin or end with a space. Only an empty (or all-blank) one is refused. */
export const secretText = z.string().refine((v) => v.trim() !== '', 'must not be empty');

export const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));

export const seconds = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds')
  .transform(Number)
  .refine((n) => n > 0 && n <= 86_400, 'must be between 0 and 86400 seconds');

export const port = z
  .string()
  .trim()
  .regex(/^\d{1,5}$/, 'must be a port number')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 65_535, 'must be a port number from 1 to 65535');

export const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), 'must be 0 or 1')
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

export interface ServerAddress {
  host: string;
  port: number;
}

/** `ip`, `ip:port`, `[v6]:port` or bare IPv6. */
export function parseServerAddress(text: string, defaultPort = 53): ServerAddress | undefined {
  const s = text.trim();
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(s);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : defaultPort };
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(s);
  if (v4) return { host: v4[1]!, port: v4[2] ? Number(v4[2]) : defaultPort };
  if (/^[0-9a-fA-F:]+$/.test(s) && s.includes(':')) return { host: s, port: defaultPort };
  return undefined;
}

export const serverList = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const out: ServerAddress[] = [];
    for (const part of v.split(',').filter((p) => p.trim() !== '')) {
      const addr = parseServerAddress(part);
      if (!addr || addr.port < 1 || addr.port > 65_535) {
        ctx.addIssue({ code: 'custom', message: `"${part.trim()}" is not ip[:port]` });
        return z.NEVER;
      }
      out.push(addr);
    }
    return out;
  });

/** DNS settings that are not provider specific. Timeouts default per provider. */
export const dnsSettingSpecs = {
  resolvers: setting<ServerAddress[]>({
    names: ['DNS01_RESOLVERS'],
    schema: serverList,
    default: [],
    description: 'recursive resolvers for the SOA/NS/CNAME lookups, ip[:port] comma-separated',
    docs: { flag: '--resolver IP[:PORT] (repeatable)', default: "the system's (`/etc/resolv.conf`)" },
  }),
  nsPort: setting({
    names: ['DNS01_NS_PORT'],
    schema: port,
    default: 53,
    description: 'port of the authoritative nameservers (tests use another)',
    docs: { flag: '--ns-port N' },
  }),
  propagationTimeout: setting<number | undefined>({
    names: ['DNS01_PROPAGATION_TIMEOUT'],
    schema: seconds,
    default: undefined,
    description: 'seconds to wait for every authoritative nameserver before giving up (exit 7)',
    docs: { flag: '--timeout S', default: 'per provider (above); 1200 s for `dns01 wait` without a provider' },
  }),
  pollingInterval: setting<number | undefined>({
    names: ['DNS01_POLLING_INTERVAL'],
    schema: seconds,
    default: undefined,
    description: 'seconds between two rounds of queries',
    docs: { flag: '--interval S', default: 'per provider (above)' },
  }),
  followCname: setting({
    names: ['DNS01_CNAME'],
    schema: flag,
    default: true,
    description: '0 to not follow a CNAME at _acme-challenge.<domain> (delegated challenge names)',
    docs: { flag: '--no-cname' },
  }),
};
export type DnsSettings = Settings<typeof dnsSettingSpecs>;

export function readDnsSettings(env: Env): DnsSettings {
  return readSettings(env, dnsSettingSpecs);
}

export const configFileSetting = setting<string | undefined>({
  names: ['DNS01_CONFIG'],
  schema: z.string(),
  default: undefined,
  description: 'the config file to read; it must exist (unset: the first of the defaults that exists; $XDG_CONFIG_HOME replaces ~/.config)',
  docs: { default: '`~/.config/dns01/config`, else `/etc/dns01/config`' },
});

/** Where executables look for a config file when DNS01_CONFIG is not set, in order. */
export function defaultConfigPaths(env: Env = process.env): string[] {
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return [join(xdg, 'dns01', 'config'), '/etc/dns01/config'];
}

/** Parses KEY=VALUE lines: `#` comments, optional `export `, optional single or double quotes. */
export function parseConfigText(text: string, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new ConfigError(`${source} line ${index + 1} is not KEY=VALUE`);
    let value = m[2]!;
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2]!;
    out[m[1]!] = value;
  });
  return out;
}

/**
 * What the config file must be, checked on the open descriptor: a regular file
 * (a FIFO would block forever), owned by this user or root, not readable or
 * writable by group or others (as certbot requires of credentials files).
 */
export function checkConfigFileStat(
  path: string,
  st: { isFile(): boolean; uid: number; mode: number },
  uid: number | undefined = process.getuid?.(),
): void {
  if (!st.isFile()) {
    throw new ConfigError(`config file ${path} is not a regular file`, { hint: 'Point DNS01_CONFIG at a regular file (mode 600)' });
  }
  if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
    throw new ConfigError(`config file ${path} is owned by uid ${st.uid}, not by this user or root`, {
      hint: `Another user could change it: run chown $(id -u) ${path}, or use a file of your own`,
    });
  }
  if ((st.mode & 0o077) !== 0) {
    throw new ConfigError(`config file ${path} is accessible by other users (mode ${(st.mode & 0o777).toString(8)})`, {
      hint: `Run: chmod 600 ${path}`,
    });
  }
}

/**
 * Loads the config file: DNS01_CONFIG if set (it must exist), else the first
 * default path that exists. It is opened once (non-blocking, so a FIFO cannot
 * hang the hook), checked on the descriptor (checkConfigFileStat) and read
 * from that same descriptor: nothing can be swapped in between.
 */
export function loadConfigFile(env: Env = process.env): { path: string; values: Record<string, string> } | undefined {
  const explicit = readSettings(env, { path: configFileSetting }).path;
  const candidates = explicit ? [explicit] : defaultConfigPaths(env);
  for (const path of candidates) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'ENOENT') {
        if (explicit) throw new ConfigError(`DNS01_CONFIG names ${path}, which does not exist`);
        continue;
      }
      throw new ConfigError(`config file ${path} cannot be read (${code})`);
    }
    let text: string;
    try {
      checkConfigFileStat(path, fstatSync(fd));
      text = readFileSync(fd, 'utf8');
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`config file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    } finally {
      closeSync(fd);
    }
    return { path, values: parseConfigText(text, path) };
  }
  return undefined;
}

/** The environment with a loaded config file under it: a non-empty variable wins over the file. */
export function applyConfigFile(env: Env, file: { values: Record<string, string> } | undefined): Env {
  if (!file) return env;
  const set = Object.entries(env).filter(([, v]) => v !== undefined && v !== '');
  return { ...file.values, ...Object.fromEntries(set) };
}

/** The effective environment: config file values, overridden by the process environment. */
export function effectiveEnv(env: Env = process.env): Env {
  return applyConfigFile(env, loadConfigFile(env));
}
