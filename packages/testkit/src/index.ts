export * from './zone-store.js';
export * from './http-server.js';
