export * from './hook.js';
export * from './run-state.js';
