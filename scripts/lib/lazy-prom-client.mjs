// An esbuild plugin: prom-client (with @opentelemetry/api, tdigest, bintrees:
// about 170 KB) is needed only by `dns01 serve`'s /metrics, yet every hook
// call would parse it at start. The executables' bundles require it from a
// bundle of its own beside them (dist/bin/prom-client.bundle.js, built by
// scripts/build.mjs), loaded the first time the gateway's metrics module is.
export const PROM_CLIENT_BUNDLE = 'prom-client.bundle.js';

export const lazyPromClient = {
  name: 'lazy-prom-client',
  setup(build) {
    build.onResolve({ filter: /^prom-client$/ }, () => ({ path: `./${PROM_CLIENT_BUNDLE}`, external: true }));
  },
};
