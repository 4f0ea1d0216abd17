import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '@dns01/provider-client/internal';

/**
 * Replaces `path` with `content` so that a crash leaves either the old file
 * or the new one, never a torn one: a fresh 0600 temporary file beside it
 * (never following a planted symlink), written and fsynced, renamed over the
 * old one, and the directory fsynced so the rename itself is durable.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(tmp, 'wx', 0o600);
  try {
    await file.writeFile(content);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await file.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Reads a file that holds secrets or their hashes: undefined when it does not
 * exist; refused when group or others may read or write it, or when it is not
 * a regular file.
 */
export function readPrivateFileChecked(path: string, what: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') return undefined;
    throw new ConfigError(`${what} ${path} cannot be read (${code})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigError(`${what} ${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new ConfigError(`${what} ${path} is accessible by other users (mode ${(st.mode & 0o777).toString(8)})`, { hint: `Run: chmod 600 ${path}` });
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
