// @dns01/testkit/e2e: the real programs around the emulators, for the e2e
// tests, the demo, the sandbox and the benchmarks: Pebble, NSD, the ACME clients and how
// each is run, an HTTPS interception proxy, processes bounded in time.
export * from './certs.js';
export * from './clients.js';
export * from './debian.js';
export * from './gateway.js';
export * from './intercept.js';
export * from './nsd.js';
export * from './pebble.js';
export * from './process.js';
export * from './root.js';
export * from './sandbox.js';
export * from './suites.js';
export * from './tls.js';
export * from './world.js';
