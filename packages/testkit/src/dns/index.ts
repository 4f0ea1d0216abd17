/**
 * The test kit's DNS server: authoritative nameservers on 127.0.0.x (each with
 * its own propagation lag and faults) and a recursive resolver, UDP and TCP on
 * one port, answering from a ZoneStore. See `startDnsServer`.
 */
export { startDnsServer } from './server.js';
export type { DnsFault, DnsServer, DnsServerOptions, LoggedQuery, NameserverControl, NameserverOptions } from './server.js';
