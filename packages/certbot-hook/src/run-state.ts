import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Env, Zone } from '@dns01/provider-client';
import { ensurePrivateDir, privateStateDir, writePrivateFile } from '@dns01/provider-client/internal';

/**
 * One challenge of the run; no secrets. `name` and `zone` are set once the
 * record is created (by the run's last auth call), `cleaned` once the run's
 * records are deleted (by its first cleanup call).
 */
export interface RunEntry {
  domain: string;
  value: string;
  name?: string;
  zone?: Zone;
  cleaned?: boolean;
  /** CERTBOT_REMAINING_CHALLENGES of the call that placed it (-1 when certbot did not say). */
  remaining: number;
  createdAt: number;
}

/** Entries older than this belong to a run that died; certbot runs take minutes, not hours. */
export const STALE_AFTER_MS = 6 * 3600 * 1000;

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * The state of one certbot run (one certificate): a private directory named
 * after CERTBOT_ALL_DOMAINS holding one 0600 file per placed record.
 */
export class RunState {
  readonly dir: string;

  constructor(env: Env, allDomains: string) {
    this.dir = join(privateStateDir(env, 'certbot'), hash(allDomains.toLowerCase()));
    ensurePrivateDir(this.dir);
  }

  private fileOf(domain: string, value: string): string {
    return join(this.dir, `${hash(`${domain.toLowerCase()}\n${value}`)}.json`);
  }

  entries(): RunEntry[] {
    const out: RunEntry[] = [];
    for (const file of readdirSync(this.dir)) {
      if (!file.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as RunEntry);
      } catch {
        unlinkSync(join(this.dir, file));
      }
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  find(domain: string, value: string): RunEntry | undefined {
    try {
      return JSON.parse(readFileSync(this.fileOf(domain, value), 'utf8')) as RunEntry;
    } catch {
      return undefined;
    }
  }

  /** Saves an entry (a new one, or a new state of an existing one). */
  save(entry: RunEntry): void {
    writePrivateFile(this.fileOf(entry.domain, entry.value), JSON.stringify(entry));
  }

  remove(entry: Pick<RunEntry, 'domain' | 'value'>): void {
    try {
      unlinkSync(this.fileOf(entry.domain, entry.value));
    } catch {
      // already gone
    }
    try {
      rmdirSync(this.dir);
    } catch {
      // other records of the run are still pending
    }
  }

  /**
   * Drops the entries of an earlier run that never got its cleanup. Within
   * one run certbot counts CERTBOT_REMAINING_CHALLENGES down, so an entry
   * whose count is not above `remaining` cannot belong to this run.
   */
  discardEarlierRuns(remaining: number, now = Date.now()): RunEntry[] {
    const entries = this.entries();
    const earlier = entries.some((e) => remaining < 0 || e.remaining <= remaining || now - e.createdAt > STALE_AFTER_MS);
    if (!earlier) return [];
    for (const e of entries) this.remove(e);
    ensurePrivateDir(this.dir);
    return entries;
  }
}
