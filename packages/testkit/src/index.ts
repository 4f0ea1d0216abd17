export * from './zone-store.js';
export * from './http-server.js';
export * from './emulators/netcup.js';
export * from './emulators/xsserver.js';
export * from './emulators/mrdomain.js';
export * from './emulators/sourcedesk.js';
export * from './dns/index.js';
