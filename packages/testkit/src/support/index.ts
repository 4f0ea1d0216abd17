// @dns01/testkit/support: what the suite's test files share beside the rig.
// Kept out of the main entry because it imports vitest (the demo loads the main entry).
export * from './failure.js';
export * from './hook-process.js';
export * from './dns-world.js';
export * from './until.js';
