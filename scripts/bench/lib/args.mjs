// The one way every benchmark reads its arguments. A benchmark declares its
// options with their defaults; the default's type is the option's type:
//   number       --runs 5
//   number[]     --sizes 1,10,50 (comma-separated)
//   string[]     --clients acme.sh,lego
//   string       --acmesh /path (default undefined: declare it as '')
//   boolean      --flag (default false)
// Every benchmark also takes --no-write (print the section, leave
// docs/benchmarks.md alone) and --help. Unknown options are an error (exit 2).
import { parseArgs } from 'node:util';

/**
 * Parses process.argv for benchmark `name` (its manifest name). Returns the
 * values (keys in camelCase: --latency-ms -> latencyMs), `write` (false with
 * --no-write) and `command`: how to run it again with these values, for the
 * docs section (`pnpm bench <name>` plus every option not at its default).
 */
export function benchArgs(name, options, { help = '', argv = process.argv.slice(2) } = {}) {
  const spec = { 'no-write': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } };
  for (const [flag, { default: value }] of Object.entries(options)) {
    spec[flag] = typeof value === 'boolean' ? { type: 'boolean', default: value } : { type: 'string' };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false }).values;
  } catch (error) {
    usageError(name, options, help, error.message);
  }
  if (parsed.help) {
    console.log(usage(name, options, help));
    process.exit(0);
  }
  const values = {};
  const changed = [];
  for (const [flag, { default: fallback }] of Object.entries(options)) {
    const raw = parsed[flag];
    const value = raw === undefined || typeof raw === 'boolean' ? (raw ?? fallback) : convert(name, options, help, flag, raw, fallback);
    values[camel(flag)] = value;
    if (raw !== undefined && String(value) !== String(fallback)) changed.push(typeof value === 'boolean' ? `--${flag}` : `--${flag} ${value}`);
  }
  return { values, write: !parsed['no-write'], command: ['pnpm bench', name, ...changed].join(' ') };
}

function convert(name, options, help, flag, raw, fallback) {
  const number = (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < 0) usageError(name, options, help, `--${flag} ${raw}: expected a number, 0 or more`);
    return n;
  };
  if (typeof fallback === 'number') return number(raw);
  if (Array.isArray(fallback)) {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === 0) usageError(name, options, help, `--${flag}: expected a comma-separated list`);
    return typeof fallback[0] === 'number' ? items.map(number) : items;
  }
  return raw;
}

const camel = (flag) => flag.replace(/-(\w)/g, (_, c) => c.toUpperCase());

function usage(name, options, help) {
  const lines = Object.entries(options).map(([flag, { default: value, help: text }]) => {
    const shown = typeof value === 'boolean' ? '' : ` ${Array.isArray(value) ? value.join(',') : value === '' ? '<value>' : value}`;
    return `  --${flag}${shown}`.padEnd(32) + (text ?? '');
  });
  return [
    `Usage: pnpm bench ${name} [options]   (or node scripts/bench/${name}.mjs after pnpm build)`,
    help,
    '',
    'Options (defaults shown):',
    ...lines,
    '  --no-write'.padEnd(32) + 'print the section, leave docs/benchmarks.md alone',
  ]
    .filter((l, i) => i !== 1 || l)
    .join('\n');
}

function usageError(name, options, help, message) {
  console.error(`bench ${name}: ${message}\n\n${usage(name, options, help)}`);
  process.exit(2);
}
