import { z } from 'zod';
import { configFileSetting, dnsSettingSpecs, flag, setting, type VarSpec } from './config.js';
import { hookWaitSetting } from './acme.js';
import { logSettingSpecs } from './log.js';
import { runCacheSetting } from './run-cache.js';
import { stateDirSetting } from './state.js';

/**
 * Every DNS01_* setting the suite reads, in the groups docs/configuration.md
 * shows (`pnpm generate` writes its tables from these, so they cannot drift).
 * Most are defined beside the module that reads them; the two below have no
 * such module in this package. DNS01_PROVIDER is the provider table's.
 */

/** Read by the dns01 command (packages/cli/src/runtime.ts). */
export const statusLineSetting = setting({
  names: ['DNS01_STATUS_LINE'],
  schema: flag,
  default: true,
  description: '0: no live status line while dns01 waits in a terminal (docs/cli.md, "Waiting in a terminal"); the acme.sh hooks set it',
});

/** Read by the acme.sh hooks (packages/acmesh-hook/template.sh), not by this package. */
export const acmeshCliSetting = setting<string | undefined>({
  names: ['DNS01_CLI'],
  schema: z.string(),
  default: undefined,
  description: 'the dns01 executable the acme.sh hooks run (kept in account.conf for renewals)',
  docs: { default: '`dns01` on `PATH`' },
});

/** The tables of docs/configuration.md: marker name -> settings, in the order shown. */
export const CORE_SETTING_TABLES: Record<string, readonly VarSpec<unknown>[]> = {
  'DNS settings': [...Object.values(dnsSettingSpecs), hookWaitSetting],
  'logging settings': [...Object.values(logSettingSpecs), statusLineSetting],
  'state settings': [configFileSetting, stateDirSetting, runCacheSetting, acmeshCliSetting],
};
