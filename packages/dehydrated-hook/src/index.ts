export * from './dehydrated.js';
