import { debianSuites } from '@dns01/testkit/e2e';
import * as sid from '../../../scripts/lib/current-clients.mjs';

/** The e2e matrix's two suites (packages/testkit/src/e2e/suites.ts) on this workspace's sid set-up. */
export const { BOOKWORM, CURRENT, SUITES } = debianSuites(sid);
