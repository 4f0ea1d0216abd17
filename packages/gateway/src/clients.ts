import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { BlockList, isIP } from 'node:net';
import { ConfigError, InvalidInputError, z } from '@dns01/provider-client/internal';
import { readPrivateFileChecked, writeFileAtomic } from './atomic-file.js';
import { parseScopeName } from './scope.js';

/** One client of the gateway as the clients file holds it: never its secret, only the secret's scrypt hash. */
export interface ClientRecord {
  id: string;
  /** Scope names (`example.com`, `*.example.com`), normalised. */
  names: string[];
  /** Source addresses allowed (CIDR or single address); empty: any. */
  from: string[];
  /** `scrypt$<N>$<r>$<p>$<salt>$<hash>`, salt and hash base64url. */
  hash: string;
  created: string;
  rotated?: string;
}

export interface ClientsFile {
  version: 1;
  clients: ClientRecord[];
}

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const clientSchema = z.object({
  id: z.string().regex(CLIENT_ID),
  names: z.array(z.string()).min(1),
  from: z.array(z.string()),
  hash: z.string().startsWith('scrypt$'),
  created: z.string(),
  rotated: z.string().optional(),
});
const fileSchema = z.object({ version: z.literal(1), clients: z.array(clientSchema) });

export function checkClientId(id: string): string {
  if (!CLIENT_ID.test(id)) {
    throw new InvalidInputError(`"${id}" is not a client id: 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
  return id;
}

/** Parses `--from 10.0.0.0/8,2001:db8::/32,192.0.2.7` into normalised CIDR texts. */
export function parseSources(text: string): string[] {
  const out: string[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [address, bits, extra] = part.split('/');
    const family = isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (family === 0 || extra !== undefined || (bits !== undefined && !/^\d{1,3}$/.test(bits)) || prefix > max) {
      throw new InvalidInputError(`--from "${part}" is not an address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)`);
    }
    out.push(`${address!.toLowerCase()}/${prefix}`);
  }
  return out;
}

/** The source of a request as the allow lists see it: IPv4-mapped IPv6 unwrapped, a Unix socket peer as loopback. */
export function sourceAddress(remote: string | undefined): string {
  if (!remote) return '127.0.0.1';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remote);
  return mapped ? mapped[1]! : remote;
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/') as [string, string];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(bits), type);
  }
  return list;
}

export function sourceAllowed(client: Pick<ClientRecord, 'from'>, source: string): boolean {
  if (client.from.length === 0) return true;
  const type = isIP(source);
  if (type === 0) return false;
  return blockListOf(client.from).check(source, type === 6 ? 'ipv6' : 'ipv4');
}

// ---- secrets -------------------------------------------------------------

/** A new client secret: 32 random bytes, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

const SCRYPT = { N: 16_384, r: 8, p: 1, keylen: 32 } as const;

/**
 * scrypt runs on libuv's thread pool (four threads), which the ledger's file
 * writes share: at most two at a time, so a burst of new clients never
 * queues the ledger behind it.
 */
const SCRYPT_SLOTS = 2;
let scryptRunning = 0;
const scryptWaiting: (() => void)[] = [];

async function scrypt(secret: string, salt: Buffer, options: ScryptOptions & { keylen: number }): Promise<Buffer> {
  if (scryptRunning >= SCRYPT_SLOTS) await new Promise<void>((resolve) => scryptWaiting.push(resolve));
  scryptRunning += 1;
  try {
    return await new Promise((resolve, reject) =>
      scryptCallback(secret, salt, options.keylen, { N: options.N, r: options.r, p: options.p, maxmem: 64 * 1024 * 1024 }, (error, key) =>
        error ? reject(error) : resolve(key),
      ),
    );
  } finally {
    scryptRunning -= 1;
    scryptWaiting.shift()?.();
  }
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Compares a secret with a stored hash in constant time; a malformed hash never matches. */
export async function verifySecret(secret: string, hash: string): Promise<boolean> {
  const parts = hash.split('$');
  const [, n, r, p, salt, expected] = parts;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const expectedKey = Buffer.from(expected ?? '', 'base64url');
  // Parameters a tampered file could use to exhaust memory or time are no hash of ours.
  const sane =
    Number.isInteger(Math.log2(params.N)) && params.N >= 1024 && params.N <= 1_048_576 && params.r >= 1 && params.r <= 32 && params.p >= 1 && params.p <= 16;
  const valid = parts.length === 6 && sane && 128 * params.N * params.r <= 64 * 1024 * 1024 && expectedKey.length === SCRYPT.keylen;
  const key = await scrypt(secret, Buffer.from(salt ?? '', 'base64url'), valid ? { ...params, keylen: SCRYPT.keylen } : SCRYPT);
  return timingSafeEqual(key, valid ? expectedKey : Buffer.alloc(SCRYPT.keylen)) && valid;
}

// ---- the file ------------------------------------------------------------

export function readClientsFile(path: string): ClientsFile {
  const text = readPrivateFileChecked(path, 'clients file');
  if (text === undefined) return { version: 1, clients: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`clients file ${path} is not JSON`, { hint: 'Restore it from a backup, or remove it and add the clients again' });
  }
  const result = fileSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`clients file ${path} is malformed at ${issue?.path.join('.') || 'the top'}: ${issue?.message ?? 'invalid'}`, {
      hint: 'Edit it only through dns01 serve client add|rotate|remove',
    });
  }
  return result.data;
}

/** Creates the clients file's directory (mode 0700) when it does not exist yet. */
export function ensureClientsDir(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
}

export function writeClientsFile(path: string, file: ClientsFile): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

// ---- authentication ------------------------------------------------------

export interface AuthenticatedClient {
  id: string;
  names: readonly string[];
}

/**
 * The clients as the server sees them: the file read again whenever it
 * changed (so `client add` needs no restart), secrets checked against their
 * scrypt hashes in constant time. An unknown id costs the same scrypt as a
 * known one (a dummy hash), so the time of a refusal tells nothing about
 * which ids exist. A secret once proven is remembered as its SHA-256 digest
 * (in memory, until the file changes), so a client's later requests cost no
 * scrypt.
 */
export class ClientRegistry {
  private clients = new Map<string, ClientRecord>();
  private stamp = '';
  private readonly proven = new Map<string, Buffer>();
  private readonly verifying = new Map<string, Promise<AuthenticatedClient | undefined>>();
  private dummyHash: Promise<string> | undefined;

  constructor(readonly path: string) {
    this.reload();
  }

  /** Reads the file again if it changed since the last read. Throws a ConfigError for a file that is unsafe or malformed. */
  reload(): void {
    let stamp: string;
    try {
      const st = statSync(this.path);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      stamp = 'absent';
    }
    if (stamp === this.stamp) return;
    const file = readClientsFile(this.path);
    this.clients = new Map(file.clients.map((c) => [c.id, c]));
    this.proven.clear();
    this.stamp = stamp;
  }

  get size(): number {
    return this.clients.size;
  }

  /** The client whose id and secret these are, or undefined; constant time in the secret, and in whether the id exists. */
  async authenticate(id: string, secret: string): Promise<AuthenticatedClient | undefined> {
    try {
      this.reload();
    } catch {
      // A file made unsafe or malformed while serving: keep the clients read before.
    }
    const client = this.clients.get(id);
    const digest = createHash('sha256').update(secret, 'utf8').digest();
    const known = client ? this.proven.get(id) : undefined;
    if (known && timingSafeEqual(known, digest)) return { id: client!.id, names: client!.names };
    // The requests of one client arriving together wait for one scrypt, not one each.
    const key = `${id}\n${digest.toString('base64')}`;
    let verifying = this.verifying.get(key);
    if (!verifying) {
      verifying = this.verify(client, secret, digest).finally(() => this.verifying.delete(key));
      this.verifying.set(key, verifying);
    }
    return verifying;
  }

  private async verify(client: ClientRecord | undefined, secret: string, digest: Buffer): Promise<AuthenticatedClient | undefined> {
    this.dummyHash ??= hashSecret(newSecret());
    const ok = await verifySecret(secret, client?.hash ?? (await this.dummyHash));
    if (!ok || !client || this.clients.get(client.id) !== client) return undefined;
    this.proven.set(client.id, digest);
    return { id: client.id, names: client.names };
  }

  /** The allow list of a client (checked after authentication). */
  sourceAllowed(id: string, source: string): boolean {
    const client = this.clients.get(id);
    return client !== undefined && sourceAllowed(client, source);
  }
}

/** Adds a client, or replaces its secret (`rotate`): returns the new secret, which is shown once and never stored. */
export async function addClient(path: string, input: { id: string; names: string[]; from: string[] }, now = new Date()): Promise<string> {
  const file = readClientsFile(path);
  checkClientId(input.id);
  if (file.clients.some((c) => c.id === input.id)) {
    throw new InvalidInputError(`a client "${input.id}" exists already`, {
      hint: `Run 'dns01 serve client rotate ${input.id}' for a new secret, or remove it first`,
    });
  }
  const names = input.names.map(parseScopeName);
  const secret = newSecret();
  file.clients.push({ id: input.id, names, from: input.from, hash: await hashSecret(secret), created: now.toISOString() });
  await writeClientsFile(path, file);
  return secret;
}

export async function rotateClient(path: string, id: string, now = new Date()): Promise<string> {
  const file = readClientsFile(path);
  const client = file.clients.find((c) => c.id === id);
  if (!client) throw new InvalidInputError(`there is no client "${id}"`, { hint: "Run 'dns01 serve client list'" });
  const secret = newSecret();
  client.hash = await hashSecret(secret);
  client.rotated = now.toISOString();
  await writeClientsFile(path, file);
  return secret;
}

export async function removeClient(path: string, id: string): Promise<void> {
  const file = readClientsFile(path);
  const kept = file.clients.filter((c) => c.id !== id);
  if (kept.length === file.clients.length) throw new InvalidInputError(`there is no client "${id}"`, { hint: "Run 'dns01 serve client list'" });
  await writeClientsFile(path, { ...file, clients: kept });
}
