import {
  awaitPropagation,
  challengeTarget,
  ConfigError,
  InvalidInputError,
  placeChallenges,
  removePlaced,
  type PlacedRecord,
} from '@dns01/provider-client';
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

const CREATED_LINE = /^created TXT (\S+) in zone (\S+)$/m;

/**
 * auth: creates the record at once; the call for the last challenge
 * (CERTBOT_REMAINING_CHALLENGES=0) then waits once for every record of the run.
 */
export async function authHook(ctx: RunContext): Promise<number> {
  const challenge = certbotChallenge(ctx.env);
  const state = new RunState(ctx.env, challenge.allDomains);
  for (const old of state.discardEarlierRuns(challenge.remaining)) {
    if (challenge.remaining >= 0) ctx.logger.warn(`forgot an earlier run's TXT ${old.name} (its cleanup never ran; delete it in the provider panel if it is still there)`);
  }
  const flow = ctx.flow();
  const [placed] = await placeChallenges(flow, [{ domain: challenge.domain, value: challenge.validation }]);
  if (!placed) throw new Error('no record was placed');
  state.add({ ...placed, remaining: challenge.remaining, createdAt: Date.now() });
  ctx.out(`created TXT ${placed.name} in zone ${placed.zone.name}`);
  if (challenge.remaining > 0) {
    ctx.logger.info(`${challenge.remaining} more challenge(s) to come; the last one waits for all records`);
    return 0;
  }
  const records = challenge.remaining === 0 ? state.entries() : [placed];
  ctx.logger.info(`waiting for ${records.length} record(s) on every authoritative nameserver`);
  await awaitPropagation(flow, records);
  ctx.out(`every authoritative nameserver serves the ${records.length} record(s) of this run`);
  return 0;
}

/** cleanup: deletes exactly the record of this challenge, found by the run state or the auth output. */
export async function cleanupHook(ctx: RunContext): Promise<number> {
  const challenge = certbotChallenge(ctx.env);
  const state = new RunState(ctx.env, challenge.allDomains);
  const flow = ctx.flow();
  const entry: RunEntry | undefined = state.find(challenge.domain, challenge.validation);
  let record: PlacedRecord;
  if (entry) {
    record = entry;
  } else {
    const fromOutput = challenge.authOutput ? CREATED_LINE.exec(challenge.authOutput) : null;
    const name = fromOutput?.[1] ?? (await challengeTarget(flow, challenge.domain));
    record = { domain: challenge.domain, name, zone: await flow.provider.findZone(name), value: challenge.validation };
  }
  await removePlaced(flow, [record]);
  state.remove({ domain: challenge.domain, value: challenge.validation });
  return 0;
}

export const USAGE = `Usage: dns01-certbot auth|cleanup

certbot manual hooks for DNS-01:
  certbot certonly --manual --preferred-challenges dns \\
    --manual-auth-hook 'dns01-certbot auth' --manual-cleanup-hook 'dns01-certbot cleanup' \\
    -d example.com -d '*.example.com'

auth creates _acme-challenge.<CERTBOT_DOMAIN> TXT <CERTBOT_VALIDATION> at once;
the call for the last challenge (CERTBOT_REMAINING_CHALLENGES=0) waits until
every authoritative nameserver serves every record of the run. cleanup
deletes exactly that record. Credentials and settings come from the config
file (DNS01_CONFIG, ~/.config/dns01/config, /etc/dns01/config) or the
environment. Logs go to stderr (quiet unless DNS01_LOG_LEVEL is set); run
state lives in DNS01_STATE_DIR, $XDG_RUNTIME_DIR/dns01 or <tmp>/dns01-<uid>.

Exit codes: 0 ok, 1 other failure, 2 usage, 3 configuration, 4 authentication,
5 zone not found, 6 provider API, 7 propagation timeout.
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
