import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { firstPrivateDir } from './state-dir.js';
import { stateDirCandidates } from './state-paths.js';

/**
 * How an executable starts (scripts/build.mjs makes each one file: a small
 * loader, then the bundle in a comment): on Node >= 22.1 the loader turns
 * node's compile cache on, then compiles the bundle, which node would
 * otherwise have compiled before any line of it could turn the cache on. The
 * cache holds compiled code: it lives only in the private state directory
 * (docs/architecture.md, "Start-up").
 */

/** The line before the bundle in an executable; the bundle's comment ends with the file. */
export const BUNDLE_MARK = '\n/*dns01-bundle\n';
/** What stands for each comment end inside the bundle's comment. */
export const COMMENT_END = '*/';
export const COMMENT_END_ESCAPED = '*<dns01:comment-end>/';

type CompileCache = (directory: string) => { status: number };

/**
 * Turns node's compile cache on in `compile-cache/` of the private state
 * directory, when node has one (>= 22.1) and the state directory exists
 * already and is safe (it is never made here); otherwise, or when anything
 * fails, the call compiles as it always did. DNS01_STATE_DIR is read from
 * the environment only, before the suite (and its settings) loads: given as
 * DNS01_STATE_DIR_FILE, no cache rather than another directory.
 */
export function enableCompileCache(env: NodeJS.ProcessEnv): void {
  const enable = (Module as unknown as { enableCompileCache?: CompileCache }).enableCompileCache;
  if (typeof enable !== 'function' || env.DNS01_STATE_DIR_FILE) return;
  try {
    enable(firstPrivateDir(stateDirCandidates(env.DNS01_STATE_DIR || undefined, env), ['compile-cache'], { make: false }));
  } catch {
    // without the cache
  }
}

/** Runs the bundle kept in the comment of the executable `file` as the module `parent`'s sibling, with the compile cache on. */
export function runEmbeddedBundle(file: string, parent: NodeJS.Module): void {
  enableCompileCache(process.env);
  const text = readFileSync(file, 'utf8');
  const start = text.lastIndexOf(BUNDLE_MARK);
  const end = text.lastIndexOf(COMMENT_END);
  if (start < 0 || end < start) throw new Error(`${file} holds no bundle: reinstall it`);
  const bundle = new Module(file, parent as Module);
  bundle.filename = file;
  bundle.paths = parent.paths;
  // Blank lines for the loader's, so that a stack trace's line numbers are the file's.
  const before = '\n'.repeat(text.slice(0, start + BUNDLE_MARK.length).split('\n').length - 1);
  const code = text.slice(start + BUNDLE_MARK.length, end).replaceAll(COMMENT_END_ESCAPED, COMMENT_END);
  (bundle as unknown as { _compile(code: string, filename: string): void })._compile(before + code, file);
}
