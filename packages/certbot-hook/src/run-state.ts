import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type Env, type Zone } from '@dns01/provider-client';

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

/** Where per-run state lives: DNS01_STATE_DIR, else $XDG_RUNTIME_DIR/dns01, else <tmp>/dns01-<uid>. */
export function stateBaseDir(env: Env): string {
  if (env.DNS01_STATE_DIR) return env.DNS01_STATE_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'dns01');
  return join(tmpdir(), `dns01-${process.getuid?.() ?? 'user'}`);
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Creates `dir` (mode 0700) and refuses one that is a symlink, foreign, or open to others. */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new ConfigError(`state directory ${dir} is not a private directory of this user`, {
      hint: `Remove it, or set DNS01_STATE_DIR to a directory with mode 700 owned by this user`,
    });
  }
}

/**
 * The state of one certbot run (one certificate): a private directory named
 * after CERTBOT_ALL_DOMAINS holding one 0600 file per placed record.
 */
export class RunState {
  readonly dir: string;

  constructor(env: Env, allDomains: string) {
    const base = stateBaseDir(env);
    privateDir(base);
    privateDir(join(base, 'certbot'));
    this.dir = join(base, 'certbot', hash(allDomains.toLowerCase()));
    privateDir(this.dir);
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
    writeFileSync(this.fileOf(entry.domain, entry.value), JSON.stringify(entry), { mode: 0o600 });
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
    privateDir(this.dir);
    return entries;
  }
}
