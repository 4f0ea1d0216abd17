/**
 * Authoritative propagation checking: direct DNS queries (dns-packet over
 * UDP and TCP) to every nameserver of a zone, not through a cache.
 */
export * from './types.js';
export { waitForPropagation } from './wait.js';
export { findZoneApex, resolveCnameTarget } from './lookup.js';
export { bestState, formatProgress } from './format.js';
export { systemResolvers } from './resolvers.js';
