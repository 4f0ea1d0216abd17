export * from './zone-store.js';
export * from './http-server.js';
export * from './emulators/all.js';
export * from './emulators/wiring.js';
export * from './dns/index.js';
export * from './readings.js';
export * from './world.js';
export * from './run.js';
