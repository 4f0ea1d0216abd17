import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { ConfigError, redact } from '@dns01/provider-client/internal';

/**
 * One line of the audit log: who asked for what, from where, and how it
 * ended. Never a secret: no header, no password, no key authorization.
 */
export interface AuditEvent {
  client: string;
  /** The peer's address (`unix` for a Unix socket peer). */
  source: string;
  protocol: string;
  action: string;
  /** The challenge name asked for, where the request named one. */
  name?: string;
  /** Where the record went, when a CNAME was followed. */
  target?: string;
  value?: string;
  /** `ok`, or what refused or failed the request (`unauthorized`, `forbidden_name`, `provider_error`, ...). */
  result: string;
  status?: number;
  ms: number;
  detail?: string;
}

export interface AuditLog {
  write(event: AuditEvent): void;
  close(): void;
}

/**
 * The audit log: JSON lines, appended to a 0600 file (refused when others
 * may read it), or written to stderr; `off` writes nothing. Each line is
 * written with one system call, in order.
 */
export function openAuditLog(target: string, options: { writeErr?: (line: string) => void; now?: () => Date } = {}): AuditLog {
  const now = options.now ?? (() => new Date());
  const line = (event: AuditEvent) => redact(JSON.stringify({ time: now().toISOString(), ...event }));
  if (target === 'off') return { write: () => undefined, close: () => undefined };
  if (target === 'stderr') {
    const writeErr = options.writeErr ?? ((text: string) => process.stderr.write(`${text}\n`));
    return { write: (event) => writeErr(line(event)), close: () => undefined };
  }
  let fd: number;
  try {
    fd = openSync(target, 'a', 0o600);
  } catch (error) {
    throw new ConfigError(`the audit log ${target} cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'Set DNS01_SERVE_AUDIT_LOG to a path this user may write, or to stderr',
    });
  }
  const st = fstatSync(fd);
  if (!st.isFile() || (st.mode & 0o077) !== 0) {
    closeSync(fd);
    throw new ConfigError(`the audit log ${target} is not a regular file closed to other users (mode ${(st.mode & 0o777).toString(8)})`, {
      hint: `Run: chmod 600 ${target}`,
    });
  }
  let open = true;
  return {
    write(event) {
      if (open) writeSync(fd, `${line(event)}\n`);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
