export * from './runtime.js';
export * from './status-line.js';
export { runExecutable } from './warm/server.js';
