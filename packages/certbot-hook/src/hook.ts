import { ConfigError, createRecords, deleteRecords, InvalidInputError, waitForRecords, type PlacedRecord } from '@dns01/provider-client';
import { challengeName, challengeTarget, cleanupCommand, exitCodesHelp } from '@dns01/provider-client/internal';
import type { RunContext } from '@dns01/cli';
import { RunState, type RunEntry } from './run-state.js';

/** What certbot hands a manual hook in its environment. */
export interface CertbotChallenge {
  domain: string;
  validation: string;
  /** -1 when certbot did not set CERTBOT_REMAINING_CHALLENGES (then every call waits). */
  remaining: number;
  allDomains: string;
  authOutput: string | undefined;
}

export function certbotChallenge(env: RunContext['env']): CertbotChallenge {
  const domain = env.CERTBOT_DOMAIN?.trim();
  const validation = env.CERTBOT_VALIDATION?.trim();
  if (!domain || !validation) {
    throw new ConfigError('CERTBOT_DOMAIN and CERTBOT_VALIDATION are not set', {
      hint: "Run this only as certbot's --manual-auth-hook 'dns01-certbot auth' and --manual-cleanup-hook 'dns01-certbot cleanup'",
    });
  }
  const rawRemaining = env.CERTBOT_REMAINING_CHALLENGES?.trim();
  const remaining = rawRemaining && /^\d+$/.test(rawRemaining) ? Number(rawRemaining) : -1;
  return {
    domain,
    validation,
    remaining,
    allDomains: env.CERTBOT_ALL_DOMAINS?.trim() || domain,
    authOutput: env.CERTBOT_AUTH_OUTPUT,
  };
}

const CREATED_LINES = /^created TXT (\S+) in zone (\S+)$/gm;

/**
 * auth: records the challenge; the call for the last challenge
 * (CERTBOT_REMAINING_CHALLENGES=0) creates every record of the run together,
 * so providers batch them into as few API calls as they allow (netcup's
 * 180 requests/minute would otherwise lock a 50-name run out), then waits
 * once for all of them. Without CERTBOT_REMAINING_CHALLENGES every call
 * creates its own record and waits for it.
 */
export async function authHook(ctx: RunContext): Promise<number> {
  const challenge = certbotChallenge(ctx.env);
  const state = new RunState(ctx.env, challenge.allDomains);
  for (const old of state.discardEarlierRuns(challenge.remaining)) {
    if (old.name && !old.cleaned && challenge.remaining >= 0) {
      ctx.logger.warn(`forgot an earlier run's TXT ${old.name} (its cleanup never ran); if it is still there, remove it with: ${cleanupCommand([old])}`);
    }
  }
  // Building the context checks every setting now, at the run's first call.
  const flow = ctx.flow();
  const own: RunEntry = { domain: challenge.domain, value: challenge.validation, remaining: challenge.remaining, createdAt: Date.now() };
  state.save(own);
  if (challenge.remaining > 0) {
    ctx.logger.info(`${challenge.remaining} more challenge(s) to come; the last one creates every record of the run and waits once`);
    return 0;
  }
  const run = challenge.remaining === 0 ? state.entries() : [own];
  const unplaced = run.filter((e) => !e.name);
  const placed = await createRecords(
    flow,
    unplaced.map((e) => ({ domain: e.domain, value: e.value })),
  );
  for (const p of placed) {
    const entry = unplaced.find((e) => e.domain === p.domain && e.value === p.value)!;
    state.save({ ...entry, name: p.name, zone: p.zone });
    ctx.out(`created TXT ${p.name} in zone ${p.zone.name}`, [p.name, p.zone.name]);
  }
  const records = [...run.filter((e) => e.name), ...placed] as PlacedRecord[];
  ctx.logger.info(`waiting for ${records.length} record(s) on every authoritative nameserver`);
  await waitForRecords(flow, records);
  ctx.out(`every authoritative nameserver serves the ${records.length} record(s) of this run`);
  return 0;
}

/**
 * cleanup: the run's first cleanup call deletes every record the run created,
 * together (certbot calls cleanup only once every challenge is answered); the
 * later calls find theirs done. Without run state, the record is found through
 * CERTBOT_AUTH_OUTPUT or DNS and exactly that value is deleted.
 */
export async function cleanupHook(ctx: RunContext): Promise<number> {
  const challenge = certbotChallenge(ctx.env);
  const state = new RunState(ctx.env, challenge.allDomains);
  const entry = state.find(challenge.domain, challenge.validation);
  const flow = ctx.flow();
  if (entry) {
    if (entry.name && !entry.cleaned) {
      const batch = state.entries().filter((e): e is RunEntry & PlacedRecord => Boolean(e.name && e.zone && !e.cleaned));
      await deleteRecords(flow, batch);
      for (const e of batch) state.save({ ...e, cleaned: true });
    } else if (!entry.name) {
      ctx.logger.debug(`TXT for ${challenge.domain} was never created (the run's last auth call did not run or failed)`);
    }
    state.remove(entry);
    return 0;
  }
  // The last auth call's output names every record of the run: only this challenge's line counts.
  const target = await challengeTarget(flow, challenge.domain);
  const created = [...(challenge.authOutput ?? '').matchAll(CREATED_LINES)].map((m) => m[1]!);
  const name = created.find((n) => n === target || n === challengeName(challenge.domain)) ?? target;
  await deleteRecords(flow, [{ domain: challenge.domain, name, zone: await flow.provider.findZone(name), value: challenge.validation }]);
  return 0;
}

export const USAGE = `Usage: dns01-certbot auth|cleanup

certbot manual hooks for DNS-01:
  certbot certonly --manual --preferred-challenges dns \\
    --manual-auth-hook 'dns01-certbot auth' --manual-cleanup-hook 'dns01-certbot cleanup' \\
    -d example.com -d '*.example.com'

auth records each challenge; the call for the last one
(CERTBOT_REMAINING_CHALLENGES=0) creates every _acme-challenge TXT record of
the run together (one batch where the provider allows) and waits once until
every authoritative nameserver serves all of them. The first cleanup call
deletes exactly those records; the others find theirs done. Credentials and settings come from the config
file (DNS01_CONFIG, ~/.config/dns01/config, /etc/dns01/config) or the
environment. Logs go to stderr (quiet unless DNS01_LOG_LEVEL is set); run
state lives in a private directory (root: /run/dns01, else /var/lib/dns01;
others: $XDG_RUNTIME_DIR/dns01, $XDG_STATE_HOME/dns01 or ~/.local/state/dns01;
DNS01_STATE_DIR overrides).

${exitCodesHelp()}
`;

export async function certbotMain(ctx: RunContext): Promise<number> {
  const [action, ...rest] = ctx.argv;
  if (action === '--help' || action === '-h') {
    ctx.out(USAGE.trimEnd());
    return 0;
  }
  if (rest.length > 0 || (action !== 'auth' && action !== 'cleanup')) {
    throw new InvalidInputError(`expected 'auth' or 'cleanup', got "${ctx.argv.join(' ')}"`, {
      hint: "Use --manual-auth-hook 'dns01-certbot auth' --manual-cleanup-hook 'dns01-certbot cleanup'",
    });
  }
  return action === 'auth' ? authHook(ctx) : cleanupHook(ctx);
}
