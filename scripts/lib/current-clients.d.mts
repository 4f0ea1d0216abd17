// Types of current-clients.mjs, for the TypeScript e2e harness and benchmarks.
export declare const SID_PACKAGES: {
  debs: { pebble: string; lego: string; 'acme.sh': string };
  chroot: { certbot: string; uacme: string; nodejs: string; dehydrated: string };
  chrootExtras: string[];
};

export interface CurrentClients {
  dir: string;
  versions: Record<string, string>;
  debs: string;
  pebble: string;
  pebbleChallTestSrv: string;
  lego: string;
  acmesh: string;
  acmeshHome: string;
  acmeshDnsapi: string;
  chroot: string;
  chrootCaBundle: string;
}

export declare class CurrentClientsError extends Error {}
export declare function currentClientsDir(): string;
export declare function findCurrentClients(): CurrentClients | undefined;
export declare function requireCurrentClients(): CurrentClients;
export declare function ensureCurrentClients(options?: { log?: (line: string) => void }): CurrentClients;
export declare function systemDebianRegistry(): { uri: string; signedBy: string };
export declare function chrootCommand(
  clients: CurrentClients,
  argv: readonly string[],
  options?: { binds?: readonly string[]; caBundle?: string; cwd?: string },
): [string, string[]];
