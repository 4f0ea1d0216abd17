import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { docsUrl } from './docs.js';
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
 * naming the variable, where it came from (the config file's line) and,
 * unless the setting is secret, the value read.
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
        hint: `Set it in the environment or in ${whereToSet(env)} (${spec.description})`,
      });
    }
    if (spec.secret) registerSecret(found.value, found.from);
    const parsed = spec.schema.safeParse(found.value);
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(`${found.from} is malformed: ${reason}${readFrom(env, found, spec.secret === true)}`, { hint: spec.description });
    }
    if (spec.secret && typeof parsed.data === 'string') registerSecret(parsed.data, found.from);
    out[key] = parsed.data;
  }
  return out as Settings<S>;
}

/** " (read "v" at /etc/dns01/config line 3)": what a malformed setting held and where, the value only when it is not secret. */
function readFrom(env: Env, found: { value: string; from: string }, secret: boolean): string {
  const at = configLineOf(env, found.from);
  const shown = found.value.length > 80 ? `${JSON.stringify(found.value.slice(0, 80))}...` : JSON.stringify(found.value);
  if (secret) return at ? ` (${at})` : '';
  return at ? ` (read ${shown} at ${at})` : ` (read ${shown})`;
}

/** Where a missing setting can go: the config file read, or the files searched. */
function whereToSet(env: Env): string {
  const source = configSourceOf(env);
  if (!source) return 'the dns01 config file';
  if (source.file) return `the config file ${source.file.path}`;
  return `a config file (none found; searched ${source.searched.join(', ')})`;
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

/**
 * One of a fixed list of words. A value that is not one of them is refused
 * naming the list and, when one is close (a typo, another case), "did you mean".
 */
export function choice<T extends string>(values: readonly [T, ...T[]]): z.ZodType<T> {
  return z.string().transform((raw, ctx) => {
    const v = raw.trim();
    if ((values as readonly string[]).includes(v)) return v as T;
    const close = closestWord(v, values);
    ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}${close ? `; did you mean ${close}?` : ''}` });
    return z.NEVER;
  });
}

/** The word of `words` a typo most likely meant: the same but for case, or at most two edits away. */
export function closestWord(typed: string, words: readonly string[]): string | undefined {
  const t = typed.toLowerCase();
  let best: { word: string; distance: number } | undefined;
  for (const word of words) {
    const distance = editDistance(t, word.toLowerCase());
    if (distance <= Math.min(2, Math.floor(word.length / 3)) && (!best || distance < best.distance)) best = { word, distance };
  }
  return best?.word;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

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

/** One `KEY=value` line of a config file, with its line number (from 1). */
export interface ConfigEntry {
  key: string;
  value: string;
  line: number;
}

/**
 * Parses a config file as docs/configuration.md describes it: `KEY=value`
 * lines, blank lines and `#` comment lines; `export ` before a name; an
 * unquoted value ends at the end of the line or at whitespace followed by
 * `#` (a trailing comment), surrounding blanks removed; a value in single or
 * double quotes is taken literally up to the closing quote (a `#` inside is
 * kept; nothing is expanded or unescaped), and only blanks or a comment may
 * follow it. Anything else names the file and line.
 */
export function parseConfigEntries(text: string, source: string): ConfigEntry[] {
  const out: ConfigEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const fail = (what: string): never => {
      throw new ConfigError(`${source} line ${line} ${what}`, {
        hint: `Write KEY=value, KEY="value" or KEY='value' (${docsUrl('configuration.md#the-config-file')})`,
      });
    };
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(text);
    if (!m) return fail('is not KEY=VALUE');
    const rest = m[2]!;
    let value: string;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      const end = rest.indexOf(quote, 1);
      if (end < 0) return fail(`has no closing ${quote}`);
      value = rest.slice(1, end);
      const after = rest.slice(end + 1);
      if (!/^(\s+#.*|\s*)$/.test(after)) return fail(`has text after the closing ${quote} (quote the whole value, or put a space before a # comment)`);
    } else {
      value = rest.replace(/\s+#.*$/, '').trimEnd();
    }
    out.push({ key: m[1]!, value, line });
  });
  return out;
}

/** The values of a config file's text (parseConfigEntries; a later line wins). */
export function parseConfigText(text: string, source: string): Record<string, string> {
  return Object.fromEntries(parseConfigEntries(text, source).map((e) => [e.key, e.value]));
}

/**
 * What the config file must be, checked on the open descriptor: a regular file
 * (a FIFO would block forever), owned by this user or root, not readable or
 * writable by group or others (as certbot requires of credentials files).
 */
export function checkConfigFileStat(path: string, st: { isFile(): boolean; uid: number; mode: number }, uid: number | undefined = process.getuid?.()): void {
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

/** A config file that was read: its path, its values, and the line each value came from. */
export interface ConfigFile {
  path: string;
  values: Record<string, string>;
  lines: Record<string, number>;
}

/** The files an executable reads its config from: DNS01_CONFIG alone when set, else the defaults in order. */
export function configCandidates(env: Env = process.env): { explicit: boolean; paths: string[] } {
  const explicit = readSettings(env, { path: configFileSetting }).path;
  return explicit ? { explicit: true, paths: [explicit] } : { explicit: false, paths: defaultConfigPaths(env) };
}

/**
 * Loads the config file: DNS01_CONFIG if set (it must exist), else the first
 * default path that exists. It is opened once (non-blocking, so a FIFO cannot
 * hang the hook), checked on the descriptor (checkConfigFileStat) and read
 * from that same descriptor: nothing can be swapped in between.
 */
export function loadConfigFile(env: Env = process.env): ConfigFile | undefined {
  const { explicit, paths } = configCandidates(env);
  for (const path of paths) {
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
    const entries = parseConfigEntries(text, path);
    return {
      path,
      values: Object.fromEntries(entries.map((e) => [e.key, e.value])),
      lines: Object.fromEntries(entries.map((e) => [e.key, e.line])),
    };
  }
  return undefined;
}

/** What an environment knows of its config file: the file read (if any) and the files searched. */
export interface ConfigSource {
  file: ConfigFile | undefined;
  searched: readonly string[];
}

// Carried by the environment object itself (an enumerable symbol survives `{ ...env }`;
// child processes and Object.entries never see it).
const CONFIG_SOURCE = Symbol('dns01 config source');

export function configSourceOf(env: Env): ConfigSource | undefined {
  return (env as { [CONFIG_SOURCE]?: ConfigSource })[CONFIG_SOURCE];
}

/** "/etc/dns01/config line 3" when the variable's value in `env` is the one the config file set. */
export function configLineOf(env: Env, variable: string): string | undefined {
  const file = configSourceOf(env)?.file;
  const line = file?.lines[variable];
  return file && line !== undefined && file.values[variable] === env[variable] ? `${file.path} line ${line}` : undefined;
}

/**
 * The environment with a loaded config file under it: a non-empty variable
 * wins over the file. The result remembers the file and the paths searched
 * (configSourceOf), so a setting's error can say where it came from.
 */
export function applyConfigFile(env: Env, file: ConfigFile | undefined): Env {
  const set = Object.entries(env).filter(([, v]) => v !== undefined && v !== '');
  const out: Record<string | symbol, unknown> = file ? { ...file.values, ...Object.fromEntries(set) } : { ...env };
  out[CONFIG_SOURCE] = { file, searched: file ? [file.path] : configCandidates(env).paths } satisfies ConfigSource;
  return out as Env;
}

/** The effective environment: config file values, overridden by the process environment. */
export function effectiveEnv(env: Env = process.env): Env {
  return applyConfigFile(env, loadConfigFile(env));
}
