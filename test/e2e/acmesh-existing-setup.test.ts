// An existing acme.sh dns_netcup setup switches to dns_dns01_netcup with no
// new variable: the credentials under acme.sh's names (NC_CID, NC_Apikey,
// NC_Apipw), a password file, or an account.conf that acme.sh's own
// dns_netcup wrote (SAVED_NC_*). Each issues a certificate from Pebble
// through the hook under the real acme.sh 3.1.5.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acmeshHome,
  acmeshRunner,
  certificateNames,
  chainsToRoot,
  leakedSecrets,
  startE2eWorld,
  zoneSnapshot,
  type E2eWorld,
  type IssueContext,
} from '@dns01/testkit/e2e';
import { BOOKWORM } from './harness/suites.js';

/** The real acme.sh (bookworm suite: on the host) issuing once, no renewal. */
const acmeshIssue = acmeshRunner(BOOKWORM, { renew: false });

describe('netcup: acme.sh hook with an existing dns_netcup setup, against Pebble', () => {
  let e2e: E2eWorld;
  beforeAll(async () => {
    e2e = await startE2eWorld('netcup', { suite: BOOKWORM, purpose: 'acmesh-setup' });
  });
  afterAll(async () => e2e?.close());

  /** The world's variables without our netcup names: an empty variable counts as unset everywhere. */
  const withoutOurNames = { NETCUP_CUSTOMER_NUMBER: '', NETCUP_API_KEY: '', NETCUP_API_PASSWORD: '' };
  const acmeshNames = () => ({
    NC_CID: e2e.world.env.NETCUP_CUSTOMER_NUMBER!,
    NC_Apikey: e2e.world.env.NETCUP_API_KEY!,
    NC_Apipw: e2e.world.env.NETCUP_API_PASSWORD!,
  });

  async function issues(extraEnv: Record<string, string>, before?: (ctx: IssueContext) => void): Promise<void> {
    const snapshot = zoneSnapshot(e2e.world, e2e.zone);
    const ctx = await e2e.context(extraEnv);
    before?.(ctx);
    const issuance = await acmeshIssue.issue(ctx);
    expect(issuance.certificates).toHaveLength(1);
    expect(certificateNames(issuance.certificates[0]!)).toEqual([...ctx.domains].sort());
    expect(chainsToRoot(issuance.certificates[0]!, e2e.root)).toBe(true);
    expect(zoneSnapshot(e2e.world, e2e.zone)).toEqual(snapshot);
    expect(leakedSecrets(issuance.runs.map((r) => r.output).join('\n'), e2e.world.secrets)).toEqual([]);
  }

  it('only NC_CID, NC_Apikey and NC_Apipw set', async () => {
    await issues({ ...withoutOurNames, ...acmeshNames() });
  });

  it('NETCUP_API_PASSWORD_FILE instead of the password', async () => {
    await issues({ NETCUP_API_PASSWORD: '' }, (ctx) => {
      const path = join(ctx.dir, 'netcup-password');
      writeFileSync(path, `${e2e.world.env.NETCUP_API_PASSWORD}\n`, { mode: 0o600 });
      ctx.env.NETCUP_API_PASSWORD_FILE = path;
    });
  });

  it("an account.conf written by acme.sh's own dns_netcup (SAVED_NC_*), nothing in the environment", async () => {
    await issues(withoutOurNames, (ctx) => {
      const saved = Object.entries(acmeshNames()).map(([k, v]) => `SAVED_${k}='${v}'`);
      mkdirSync(acmeshHome(ctx), { recursive: true });
      writeFileSync(join(acmeshHome(ctx), 'account.conf'), `${["ACCOUNT_EMAIL='admin@example.com'", ...saved].join('\n')}\n`);
    });
  });
});
