export * from './uacme.js';
