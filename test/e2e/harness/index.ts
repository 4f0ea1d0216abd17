// The e2e harness as one module, for the scripts that reuse it (demo, benchmark).
export * from './certs.js';
export * from './clients.js';
export * from './debian.js';
export * from './intercept.js';
export * from './nsd.js';
export * from './pebble.js';
export * from './process.js';
export * from './root.js';
export * from './suites.js';
export * from './tls.js';
export * from './world.js';
