/**
 * The whole core, for the suite's own packages (the CLI, the hooks, the
 * acme-client plugin, testkit) and tests: the public API (index.ts) and
 * every internal besides. Nothing here is supported for other programs.
 */
export * from './errors.js';
export * from './redact.js';
export * from './names.js';
export * from './config.js';
export * from './docs.js';
export * from './shell.js';
export * from './core-settings.js';
export * from './log.js';
export * from './http.js';
export * from './contract.js';
export * from './readings.js';
export * from './zone.js';
export * from './propagation/index.js';
export * from './providers/registry.js';
export * from './session.js';
export * from './flow.js';
export * from './selftest.js';
export * from './acme.js';
export * from './state.js';
export * from './persist/index.js';
export * from './run-cache.js';
export * from './zone-cache.js';
export { unquoteTxt } from './txt.js';

/** The zod instance the suite validates with, for packages that define their own schemas. */
export { z } from 'zod';
