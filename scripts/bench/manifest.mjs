// The benchmarks: one entry each. `pnpm bench` (scripts/bench/run.mjs) runs
// them in this order and skips, naming what is missing, those whose needs
// this machine lacks.
//   name     the benchmark: scripts/bench/<name>.mjs, and `pnpm bench <name>`
//   section  its section of docs/benchmarks.md (<!-- bench:<section> -->)
//   needs    programs on PATH, `root`, and `sid-clients` (Debian sid's
//            acme.sh, lego and pebble, set up by `node scripts/setup.mjs` as root)
//   about    one line: what it measures
export const BENCHMARKS = [
  {
    name: 'api-calls',
    section: 'api-calls',
    needs: ['sh'],
    about: 'API calls per issuance: every provider by every way a client calls our executables, with and without the run cache',
  },
  {
    name: 'propagation',
    section: 'propagation-overshoot',
    needs: [],
    about: "the propagation check's overshoot past the moment the last nameserver serves the value (test DNS server)",
  },
  {
    name: 'nsd',
    section: 'propagation-nsd',
    needs: ['nsd', 'nsd-control'],
    about: 'how soon `dns01 wait` returns against two real NSD instances (TCP fallback)',
  },
  {
    name: 'exec',
    section: 'exec-overhead',
    needs: [],
    about: 'wall time of one hook call per executable, against node itself',
  },
  {
    name: 'startup',
    section: 'startup',
    needs: ['root', 'sid-clients', 'unshare'],
    about: "start-up of the executables on Node 20 and Node 24, with and without node's compile cache, and what other means would buy",
  },
  {
    name: 'issuance',
    section: 'issuance',
    needs: ['certbot', 'pebble', 'openssl'],
    about: 'certbot and acme-client issuing 1 to 50 names: our time over the propagation lag',
  },
  {
    name: 'gateway',
    section: 'gateway',
    needs: [],
    about: 'dns01 serve under load: 1, 10 and 100 clients against the netcup emulator at 40 ms API latency, with and without the request budget',
  },
  {
    name: 'peers',
    section: 'peers',
    needs: ['root', 'sid-clients', 'pebble', 'openssl', 'curl', 'unshare'],
    about: "acme.sh and lego with their own netcup clients against our hooks, and lego's httpreq through dns01 serve, at loopback and 40 ms API latency",
  },
];
