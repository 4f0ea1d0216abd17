export * from './lego.js';
