// An esbuild plugin: undici loads node:http2 at start for its HTTP/2 client,
// which only `allowH2: true` turns on and the suite never does. node:http2
// pulls in much of node's networking code at every start (about 5-8 ms a
// hook call: docs/benchmarks.md, "Start-up"); undici already falls back to
// `{ constants: {} }` where node:http2 cannot be loaded, so the bundles get a
// module that cannot be loaded.
export const undiciWithoutHttp2 = {
  name: 'undici-without-http2',
  setup(build) {
    build.onResolve({ filter: /^node:http2$/ }, (args) =>
      /[\\/]undici[\\/]/.test(args.importer) ? { path: 'node:http2', namespace: 'undici-without-http2' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'undici-without-http2' }, () => ({
      contents: "throw new Error('node:http2 is left out of the dns01 bundles: undici runs without HTTP/2 (allowH2 is never set)');",
      loader: 'js',
    }));
  },
};
