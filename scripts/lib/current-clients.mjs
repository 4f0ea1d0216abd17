// Today's ACME clients from Debian unstable (sid), for the "current" e2e
// matrix and the peer benchmarks, without touching the system's apt sources:
//   - pebble, lego and acme.sh: `apt-get download` with a private apt
//     configuration (own sources list naming the sid suite of the registry the
//     system already uses, own State and Cache dirs), then `dpkg-deb -x`;
//     they run on the host.
//   - certbot, uacme, dehydrated and Node 24: an mmdebstrap sid chroot
//     (`--variant=apt`), entered per command through `unshare --mount` +
//     `chroot` with the workspace and the temp dir bind-mounted at the same
//     paths (the mounts vanish with the command). Root only.
// Everything lands in one cache directory keyed by the pinned versions and is
// reused while it is complete. Node built-ins only: setup.mjs runs it first.
//
// API:
//   SID_PACKAGES                    the pinned versions
//   findCurrentClients()            the paths when the cache is complete, else undefined (no network)
//   requireCurrentClients()         the same, or throws with the command that builds it
//   ensureCurrentClients({ log })   builds what is missing (bounded in time), returns the paths
//   chrootCommand(clients, argv, o) [file, args] that runs argv inside the chroot
// CLI: node scripts/lib/current-clients.mjs [--json]   ensures, then prints the paths
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Exact sid versions: the cache is keyed by them, and a registry that lacks one is reported, not silently upgraded. */
export const SID_PACKAGES = {
  /** Extracted with dpkg-deb -x; run on the host. */
  debs: { pebble: '2.10.0+ds1-2', lego: '4.35.2-3', 'acme.sh': '3.1.5+~cs0.0.20260919-1' },
  /** Installed in the chroot (dehydrated also brings curl, which acme.sh needs there). */
  chroot: { certbot: '5.5.0-3', uacme: '1.8.1-1', nodejs: '24.22.2+dfsg+~cs24.19.2-1', dehydrated: '0.7.2-2' },
  /** Unpinned extras of the chroot. */
  chrootExtras: ['ca-certificates'],
};

const LAYOUT = 1;
const cacheKey = createHash('sha256').update(JSON.stringify({ LAYOUT, SID_PACKAGES })).digest('hex').slice(0, 12);
const MINUTE = 60_000;

export class CurrentClientsError extends Error {}

/**
 * The cache directory: DNS01_CURRENT_CLIENTS_DIR, else
 * $XDG_CACHE_HOME (or ~/.cache)/dns01/current-clients/<key of the versions>;
 * the user's own directory, never a shared predictable path.
 */
export function currentClientsDir() {
  if (process.env.DNS01_CURRENT_CLIENTS_DIR) return resolve(process.env.DNS01_CURRENT_CLIENTS_DIR);
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'dns01', 'current-clients', cacheKey);
}

function pathsIn(dir) {
  const debs = join(dir, 'debs');
  const acmeshHome = join(debs, 'usr', 'share', 'acme.sh');
  const chroot = join(dir, 'chroot');
  return {
    dir,
    versions: { ...SID_PACKAGES.debs, ...SID_PACKAGES.chroot },
    /** The tree the three .deb files were extracted into. */
    debs,
    pebble: join(debs, 'usr', 'bin', 'pebble'),
    pebbleChallTestSrv: join(debs, 'usr', 'bin', 'pebble-challtestsrv'),
    lego: join(debs, 'usr', 'bin', 'lego'),
    /** The real acme.sh script (run it with ACME_PACKAGED=1, as Debian's /usr/bin/acme.sh does). */
    acmesh: join(acmeshHome, 'acme.sh'),
    /** acme.sh's own directory: dnsapi/ (its dns_netcup.sh among them), deploy/, notify/. */
    acmeshHome,
    acmeshDnsapi: join(acmeshHome, 'dnsapi'),
    /** Root of the sid chroot; inside it: /usr/bin/certbot, /usr/bin/uacme, /usr/bin/dehydrated, /usr/bin/node, /usr/bin/curl. */
    chroot,
    chrootCaBundle: '/etc/ssl/certs/ca-certificates.crt',
  };
}

const READY = 'ready.json';

/** The paths when the cache is complete, else undefined. Never touches the network. */
export function findCurrentClients() {
  const dir = currentClientsDir();
  const paths = pathsIn(dir);
  try {
    const ready = JSON.parse(readFileSync(join(dir, READY), 'utf8'));
    if (ready.key !== cacheKey) return undefined;
  } catch {
    return undefined;
  }
  return [paths.pebble, paths.lego, paths.acmesh, join(paths.chroot, 'usr', 'bin', 'certbot')].every((p) => existsSync(p)) ? paths : undefined;
}

/** The paths, or an error that says what to run. */
export function requireCurrentClients() {
  const found = findCurrentClients();
  if (found) return found;
  throw new CurrentClientsError(
    `the sid clients (pebble ${SID_PACKAGES.debs.pebble}, certbot ${SID_PACKAGES.chroot.certbot}, ...) are not set up in ${currentClientsDir()}: run, as root, \`node scripts/setup.mjs\``,
  );
}

function sh(cmd, args, { timeoutMs, what, env = process.env, log }) {
  log?.(`setup: ${what}`);
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL') {
    throw new CurrentClientsError(`${what}: no result after ${Math.round(timeoutMs / 1000)} s (${cmd} killed); the Debian registry may be slow or unreachable`);
  }
  if (r.error) throw new CurrentClientsError(`${what}: cannot run ${cmd}: ${r.error.message}`);
  return { ok: r.status === 0, output };
}

function lastLines(text, n = 3) {
  return text.trim().split('\n').slice(-n).join(' | ');
}

/**
 * The Debian registry the system already uses (the stanza naming this
 * release's main suite), as { uri, signedBy }: sid is fetched from there.
 * DNS01_SID_MIRROR overrides the URI.
 */
export function systemDebianRegistry() {
  if (process.env.DNS01_SID_MIRROR) return { uri: process.env.DNS01_SID_MIRROR, signedBy: '/usr/share/keyrings/debian-archive-keyring.gpg' };
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]?.replace(/"/g, '') ?? 'bookworm';
  const files = ['/etc/apt/sources.list', ...listDir('/etc/apt/sources.list.d').map((f) => join('/etc/apt/sources.list.d', f))].filter(
    (f) => f.endsWith('.list') || f.endsWith('.sources'),
  );
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim();
        if (/^\s*Enabled:\s*no/im.test(stanza) || !/\bdeb\b/.test(field('Types') ?? '')) continue;
        if (!(field('Suites') ?? '').split(/\s+/).includes(codename)) continue;
        const uri = field('URIs')?.split(/\s+/)[0];
        if (uri) return { uri, signedBy: field('Signed-By') ?? '/usr/share/keyrings/debian-archive-keyring.gpg' };
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (!m || m[3] !== codename) continue;
        const signedBy = /signed-by=(\S+)/.exec(m[1] ?? '')?.[1] ?? '/usr/share/keyrings/debian-archive-keyring.gpg';
        return { uri: m[2], signedBy };
      }
    }
  }
  throw new CurrentClientsError(`no apt source for Debian ${codename} in /etc/apt: cannot tell which registry to fetch sid from`);
}

function listDir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function unreachable(registry, output) {
  const reason =
    output.split('\n').find((l) => /Could not|Failed to fetch|Temporary failure|Unable to connect|Connection failed|timed out/i.test(l)) ??
    lastLines(output, 1);
  return new CurrentClientsError(
    `the Debian registry ${registry.uri} cannot be reached for sid (${reason.replace(/^\s*(W|E|Err:\d+):?\s*/, '').trim()}); the "current" e2e matrix needs it once, then uses the cache in ${currentClientsDir()}`,
  );
}

/** apt-get download + dpkg-deb -x with a private apt configuration in `work`; the system's sources stay as they are. */
function fetchDebs(registry, work, target, log) {
  const apt = join(work, 'apt');
  for (const d of ['lists/partial', 'cache/archives/partial', 'etc/apt.conf.d', 'etc/preferences.d', 'etc/sources.list.d', 'debs']) {
    mkdirSync(join(apt, d), { recursive: true });
  }
  writeFileSync(join(apt, 'etc', 'sources.list'), `deb [signed-by=${registry.signedBy}] ${registry.uri} sid main\n`);
  writeFileSync(join(apt, 'status'), '');
  const options = {
    'Dir::Etc::SourceList': join(apt, 'etc', 'sources.list'),
    'Dir::Etc::SourceParts': join(apt, 'etc', 'sources.list.d'),
    'Dir::Etc::Parts': join(apt, 'etc', 'apt.conf.d'),
    'Dir::Etc::PreferencesParts': join(apt, 'etc', 'preferences.d'),
    'Dir::Etc::Preferences': join(apt, 'etc', 'preferences'),
    'Dir::State': apt,
    'Dir::State::Lists': join(apt, 'lists'),
    'Dir::State::status': join(apt, 'status'),
    'Dir::Cache': join(apt, 'cache'),
    // sid's Release on this registry is past its Valid-Until date.
    'Acquire::Check-Valid-Until': 'false',
    'Acquire::Retries': '2',
    'Acquire::http::Timeout': '30',
    // The downloads land in our own directory, which the _apt sandbox user cannot write.
    'APT::Sandbox::User': 'root',
  };
  const aptArgs = Object.entries(options).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  const update = sh('apt-get', ['-q', ...aptArgs, 'update'], { timeoutMs: 3 * MINUTE, what: `apt-get update (sid only, private config in ${apt})`, log });
  if (!update.ok || /^(W|E): (Failed to fetch|Some index files failed)/m.test(update.output)) throw unreachable(registry, update.output);

  const wanted = Object.entries(SID_PACKAGES.debs).map(([name, version]) => `${name}=${version}`);
  const download = spawnSync('apt-get', ['-q', ...aptArgs, 'download', ...wanted], {
    cwd: join(apt, 'debs'),
    encoding: 'utf8',
    timeout: 5 * MINUTE,
    killSignal: 'SIGKILL',
  });
  log?.(`setup: apt-get download ${wanted.join(' ')}`);
  const output = `${download.stdout ?? ''}${download.stderr ?? ''}`;
  if (download.status !== 0) {
    if (/Version '.*' for '.*' was not found|Unable to locate package/.test(output)) {
      throw new CurrentClientsError(
        `sid on ${registry.uri} no longer has ${wanted.join(', ')} (${lastLines(output, 1)}): update SID_PACKAGES in scripts/lib/current-clients.mjs`,
      );
    }
    throw unreachable(registry, output);
  }
  mkdirSync(target, { recursive: true });
  for (const deb of readdirSync(join(apt, 'debs')).filter((f) => f.endsWith('.deb'))) {
    const x = sh('dpkg-deb', ['-x', join(apt, 'debs', deb), target], { timeoutMs: MINUTE, what: `dpkg-deb -x ${deb} ${target}`, log });
    if (!x.ok) throw new CurrentClientsError(`dpkg-deb -x ${deb} failed: ${lastLines(x.output)}`);
  }
}

/** The sid chroot, by mmdebstrap (about 30 s and 340 MB). */
function buildChroot(registry, target, log) {
  if (!hasProgram('mmdebstrap')) {
    throw new CurrentClientsError('mmdebstrap is missing (it builds the sid chroot): apt-get install -y --no-install-recommends mmdebstrap');
  }
  const include = [...Object.entries(SID_PACKAGES.chroot).map(([name, version]) => `${name}=${version}`), ...SID_PACKAGES.chrootExtras].join(',');
  const r = sh(
    'mmdebstrap',
    [
      '--quiet',
      '--variant=apt',
      `--include=${include}`,
      '--aptopt=Acquire::Check-Valid-Until "false"',
      '--aptopt=Acquire::Retries "2"',
      `--keyring=${registry.signedBy}`,
      'sid',
      target,
      registry.uri,
    ],
    { timeoutMs: 10 * MINUTE, what: `mmdebstrap --variant=apt --include=${include} sid ${target}`, log },
  );
  if (!r.ok) {
    if (/Failed to fetch|Could not resolve|Temporary failure|Unable to connect|Connection failed/.test(r.output)) throw unreachable(registry, r.output);
    throw new CurrentClientsError(`mmdebstrap sid failed: ${lastLines(r.output)}`);
  }
}

function hasProgram(program) {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Builds what is missing in the cache (bounded: a few minutes at most) and
 * returns the paths. Throws CurrentClientsError with a one-line message
 * (not root, registry unreachable, a version gone from sid).
 */
export function ensureCurrentClients({ log = (line) => console.error(line) } = {}) {
  const found = findCurrentClients();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new CurrentClientsError('the sid chroot needs root (mmdebstrap, then chroot per command): run `node scripts/setup.mjs` as root');
  }
  if (!hasProgram('apt-get') || !hasProgram('dpkg-deb')) throw new CurrentClientsError('apt-get and dpkg-deb are needed (a Debian host)');
  const dir = currentClientsDir();
  const registry = systemDebianRegistry();
  mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
  const work = mkdtempSync(`${dir}.partial-`);
  const started = Date.now();
  try {
    log(`setup: fetching sid's ${Object.keys(SID_PACKAGES.debs).join(', ')} from ${registry.uri} (private apt config in ${work})`);
    fetchDebs(registry, work, join(work, 'debs'), log);
    log(`setup: building the sid chroot (${Object.keys(SID_PACKAGES.chroot).join(', ')}) with mmdebstrap`);
    buildChroot(registry, join(work, 'chroot'), log);
    rmSync(join(work, 'apt'), { recursive: true, force: true });
    writeFileSync(
      join(work, READY),
      `${JSON.stringify({ key: cacheKey, packages: SID_PACKAGES, registry: registry.uri, builtAt: new Date().toISOString() }, null, 2)}\n`,
    );
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  log(`setup: sid clients ready in ${dir} (${Math.round((Date.now() - started) / 1000)} s)`);
  return pathsIn(dir);
}

/**
 * [file, args] that run `argv` inside the chroot, in a private mount
 * namespace: `binds` (host directories, default: the workspace and the temp
 * dir) appear at the same paths inside, /proc is mounted, and `caBundle`
 * (optional) replaces the chroot's trust store for this one command (uacme's
 * libcurl trusts only that store). `cwd` defaults to /. The environment is
 * passed through unchanged. Root only.
 */
export function chrootCommand(clients, argv, { binds = defaultBinds(), caBundle, cwd = '/' } = {}) {
  const script = [
    'set -e',
    'root=$1; ca=$2; cwd=$3; n=$4; shift 4',
    'while [ "$n" -gt 0 ]; do mkdir -p "$root$1"; mount --rbind "$1" "$root$1"; shift; n=$((n - 1)); done',
    'mount -t proc proc "$root/proc"',
    `[ -z "$ca" ] || mount --bind "$ca" "$root${clients.chrootCaBundle}"`,
    'exec chroot "$root" /bin/sh -c \'cd "$0" && exec "$@"\' "$cwd" "$@"',
  ].join('\n');
  return [
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      script,
      'dns01-chroot',
      clients.chroot,
      caBundle ?? '',
      cwd,
      String(binds.length),
      ...binds,
      ...argv,
    ],
  ];
}

function defaultBinds() {
  const repo = resolve(import.meta.dirname, '..', '..');
  return [...new Set([repo, tmpdir()])];
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  try {
    const clients = ensureCurrentClients();
    console.log(
      process.argv.includes('--json')
        ? JSON.stringify(clients, null, 2)
        : Object.entries(clients)
            .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join('\n'),
    );
  } catch (error) {
    if (!(error instanceof CurrentClientsError)) throw error;
    console.error(`current-clients: error: ${error.message}`);
    process.exit(1);
  }
}
