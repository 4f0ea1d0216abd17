import { tmpdir } from 'node:os';
import { requirePrograms, type Program } from './debian.js';
import { REPO_ROOT } from './root.js';

/**
 * One set of ACME client versions the e2e matrix runs: the programs, how to
 * start each one, and the Pebble of the same Debian suite (bookworm's uacme
 * 1.7.4 cannot parse Pebble 2.10's challenges, so clients never meet a
 * Pebble of another suite).
 */
export interface Suite {
  name: 'bookworm' | 'current';
  /** The versions, for test names and messages. */
  versions: Record<'pebble' | 'certbot' | 'lego' | 'dehydrated' | 'uacme' | 'acme.sh' | 'node', string>;
  /** The Pebble executable; undefined: Debian's `pebble` on PATH. */
  pebble(): string | undefined;
  /**
   * [file, args] that run a client program of this suite with the given
   * environment passed through. `caBundle` replaces the system trust store
   * for that one command (a private mount namespace), for clients that trust
   * nothing else (uacme's libcurl).
   */
  command(program: string, args: readonly string[], options?: { caBundle?: string }): [string, string[]];
  /** The real acme.sh script (Debian's acme.sh package, 3.1.5 in both suites). */
  acmesh(): string;
  /** The lego executable. */
  lego(): string;
  /** The node that runs the hooks and acme-client. */
  node(): string;
  /** Fails (never skips) when a program of this suite is missing, saying how to install it. */
  require(...programs: Program[]): void;
}

/** The paths of the sid set-up that the suites use (scripts/lib/current-clients.mjs has them all). */
export interface SidClients {
  pebble: string;
  lego: string;
  acmesh: string;
  /** The tree the sid .deb files were extracted into. */
  debs: string;
  chroot: string;
}

/**
 * What the suites need of the sid set-up: scripts/lib/current-clients.mjs
 * (a plain script, run by setup before anything is built), handed in by the
 * caller as `import * as sid from '.../scripts/lib/current-clients.mjs'`.
 */
export interface SidSetup {
  SID_PACKAGES: {
    debs: { pebble: string; lego: string; 'acme.sh': string };
    chroot: { certbot: string; uacme: string; nodejs: string; dehydrated: string };
  };
  /** The paths, or an error that says what to run. */
  requireCurrentClients(): SidClients;
  /** [file, args] that run `argv` inside the sid chroot. */
  chrootCommand(clients: SidClients, argv: readonly string[], options?: { binds?: readonly string[]; caBundle?: string }): [string, string[]];
}

const TRUST_STORE = '/etc/ssl/certs/ca-certificates.crt';

/** argv with `caBundle` mounted over the system trust store, in a mount namespace of its own (root only). */
export function withTrustStore(caBundle: string, file: string, args: readonly string[]): [string, string[]] {
  return ['unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', `mount --bind "$0" ${TRUST_STORE} && exec "$@"`, caBundle, file, ...args]];
}

const upstream = (debianVersion: string) => debianVersion.replace(/[+~-].*$/, '');

/**
 * The two suites, on the sid set-up `setup` describes (looked up only when a
 * suite first needs it):
 * - BOOKWORM: Debian 12's packages, installed on the host (scripts/setup.mjs), and sid's real acme.sh;
 * - CURRENT: Debian sid's: Pebble 2.10 on the host; certbot 5.5, uacme 1.8.1,
 *   dehydrated 0.7.2, lego 4.35, acme.sh 3.1.5 and every hook under Node 24
 *   inside the sid chroot, which sees the workspace, the temp dir and the
 *   extracted .deb files at their host paths, and the host's loopback servers.
 */
export function debianSuites(setup: SidSetup): { BOOKWORM: Suite; CURRENT: Suite; SUITES: Suite[] } {
  let found: SidClients | undefined;
  const sid = (): SidClients => (found ??= setup.requireCurrentClients());
  const { debs, chroot } = setup.SID_PACKAGES;
  const BOOKWORM: Suite = {
    name: 'bookworm',
    versions: {
      pebble: '2.4',
      certbot: '2.1',
      lego: '4.9',
      dehydrated: '0.7.0',
      uacme: '1.7.4',
      'acme.sh': upstream(debs['acme.sh']),
      node: process.versions.node,
    },
    pebble: () => undefined,
    command: (program, args, options = {}) => (options.caBundle ? withTrustStore(options.caBundle, program, args) : [program, [...args]]),
    acmesh: () => sid().acmesh,
    lego: () => 'lego',
    node: () => process.execPath,
    require: (...programs) => requirePrograms(...programs),
  };
  const CURRENT: Suite = {
    name: 'current',
    versions: {
      pebble: upstream(debs.pebble),
      certbot: upstream(chroot.certbot),
      lego: upstream(debs.lego),
      dehydrated: upstream(chroot.dehydrated),
      uacme: upstream(chroot.uacme),
      'acme.sh': upstream(debs['acme.sh']),
      node: upstream(chroot.nodejs),
    },
    pebble: () => sid().pebble,
    command: (program, args, options = {}) =>
      setup.chrootCommand(sid(), [program, ...args], {
        binds: [...new Set([tmpdir(), REPO_ROOT, sid().debs])],
        ...(options.caBundle ? { caBundle: options.caBundle } : {}),
      }),
    acmesh: () => sid().acmesh,
    lego: () => sid().lego,
    node: () => '/usr/bin/node',
    require: () => void sid(),
  };
  return { BOOKWORM, CURRENT, SUITES: [BOOKWORM, CURRENT] };
}
