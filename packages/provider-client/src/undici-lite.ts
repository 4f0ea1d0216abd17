// Loads only what the HTTP client uses from undici: the dispatcher API
// (request, connect — the proxy agent needs the latter) and the proxy-aware
// agent. Importing undici's index also evaluates fetch, the cache and the mocks,
// which roughly doubled the start-up time of every hook (docs/benchmarks.md).
// This does what undici's index does for these parts, and nothing more.
import api from 'undici/lib/api/index.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';

Object.assign(Dispatcher.prototype, api);

export { EnvHttpProxyAgent };
