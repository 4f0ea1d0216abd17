export * from './runtime.js';
export * from './status-line.js';
