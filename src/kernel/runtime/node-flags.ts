/**
 * V8 settings of the server process, chosen by measurement (docs/benchmarks.md, "Memory").
 * V8 reads them when the process starts, and Node accepts only some of them in NODE_OPTIONS, so
 * `gatehouse serve` re-executes itself with them (process.execve: same pid, same stdio, nothing
 * loaded yet) when they are missing. A value the operator gave (on the command line or in
 * NODE_OPTIONS, `--no-…` included) wins over ours.
 */

/**
 * V8 sizes its heap for throughput: Node 24 lets the young generation grow to 2 × 64 MB, and
 * garbage promoted while the modules load stays resident until a full collection that an idle
 * server never needs. Memory saver mode collects sooner and returns pages: about 140 MB less at
 * rest on PostgreSQL. It also keeps the young generation at its minimum, 1 MB, where a token
 * check costs five times the collection work of V8's default; 4 MB halves that for no memory at
 * rest (docs/benchmarks.md, Memory).
 */
const MEMORY_SAVER = ["--memory-saver-mode", "--min-semi-space-size=4"];
/**
 * PGlite is 9 MB of WebAssembly. Besides its baseline compiler (Liftoff), V8 compiles the hot
 * functions again with its optimizing compiler (TurboFan): about 60 MB more idle memory, and a
 * start-up peak above 700 MB while those compilations run, for queries up to twice as fast.
 */
const BASELINE_WASM_ONLY = "--liftoff-only";

/** With `memorySaver` off, V8's own defaults. */
export function serverNodeFlags(options: { memorySaver: boolean; embeddedDatabase: boolean }): string[] {
  if (!options.memorySaver) return [];
  return [...MEMORY_SAVER, ...(options.embeddedDatabase ? [BASELINE_WASM_ONLY] : [])];
}
/** `--max_semi_space_size=…` and `--no-liftoff-only` both name the setting `max-semi-space-size` / `liftoff-only`. */
function settingOf(flag: string): string {
  return flag
    .replace(/^--(no-)?/, "")
    .split("=")[0]!
    .replace(/_/g, "-");
}

/** The flags of `wanted` whose setting the process was not started with. */
export function missingNodeFlags(wanted: string[], execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? "").split(/\s+/)].filter((a) => a.startsWith("--")).map(settingOf));
  return wanted.filter((flag) => !given.has(settingOf(flag)));
}

/**
 * Replaces this process with the same command run with the missing `flags`; returns when none is
 * missing, or when this platform cannot replace a process (Windows), which then runs as it is.
 */
export function reexecWithNodeFlags(flags: string[]): void {
  const missing = missingNodeFlags(flags, process.execArgv, process.env.NODE_OPTIONS);
  if (missing.length === 0 || typeof process.execve !== "function") return;
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
