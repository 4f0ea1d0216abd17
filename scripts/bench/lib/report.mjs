// Writes one benchmark's section of docs/benchmarks.md, between the markers
// <!-- bench:NAME --> and <!-- /bench:NAME -->, leaving other sections alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';

const file = resolve(import.meta.dirname, '../../../docs/benchmarks.md');
const HEADER = `# Benchmarks

Each section is written by the benchmark it names; run it again to refresh the
figures. Machine: whatever ran the command last (see the section's own line).
`;

/** Replaces (or appends) the section `name` with `markdown`. */
export function writeBenchSection(name, markdown) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const re = new RegExp(`${start}[\\s\\S]*?${end}`);
  const next = re.test(text) ? text.replace(re, () => block) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
}

/** Writes the section unless the run said --no-write; prints it either way. */
export function publish({ write }, name, markdown) {
  console.log(markdown);
  if (write) writeBenchSection(name, markdown);
}

const started = loadavg()[0];

/**
 * One line naming the machine a figure was measured on. A machine whose
 * one-minute load average reached its number of cores, at the start or the
 * end of the run, says so: such figures are preliminary.
 */
export function machineLine() {
  const cores = cpus().length;
  const load = Math.max(started, loadavg()[0]);
  const busy = load >= cores ? ` Measured under load (preliminary): load average ${load.toFixed(1)} on ${cores} cores.` : '';
  return `Measured ${new Date().toISOString().slice(0, 10)} on ${cores} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.${busy}`;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
