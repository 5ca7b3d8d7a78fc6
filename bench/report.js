/** Figures from repetitions: medians, ratios against their baselines, goals, and the printed tables. */

export const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Medians of a target's measured runs (warm-ups excluded); errors are summed, never hidden. */
export function summarizeRuns(runs) {
  const unexpected = {};
  for (const run of runs) for (const [status, n] of Object.entries(run.unexpected ?? {})) unexpected[status] = (unexpected[status] ?? 0) + n;
  return {
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.latency.p50)),
    p99Ms: median(runs.map((r) => r.latency.p99)),
    ok: runs.reduce((a, r) => a + r.ok, 0),
    errors: runs.reduce((a, r) => a + (r.errors ?? 0), 0),
    timeouts: runs.reduce((a, r) => a + (r.timeouts ?? 0), 0),
    unexpected,
    repetitions: runs.length,
    // Gatehouse runs only: its RSS sampled through each run, the median over rounds (MB).
    rssMeanMb: median(runs.map((r) => r.gatehouseMemory?.meanMb)),
    rssMaxMb: median(runs.map((r) => r.gatehouseMemory?.maxMb)),
  };
}

/** `figure` = { goal: { ratio, p99Ms? }, gatehouse: summary, baseline: summary }. */
export function judge(figure) {
  const ratio = figure.gatehouse.rps !== null && figure.baseline.rps ? figure.gatehouse.rps / figure.baseline.rps : null;
  const ratioMet = ratio !== null && ratio >= figure.goal.ratio;
  const p99Met = figure.goal.p99Ms === undefined || (figure.gatehouse.p99Ms !== null && figure.gatehouse.p99Ms <= figure.goal.p99Ms);
  const clean = figure.gatehouse.errors === 0 && figure.baseline.errors === 0;
  // Each round's Gatehouse run over the baseline run of the same round: less sensitive to drift
  // in what else the machine is doing than the ratio of the medians.
  const rounds = Math.min(figure.runs.gatehouse.length, figure.runs.baseline.length);
  const pairedRatio = median(Array.from({ length: rounds }, (_, i) => figure.runs.gatehouse[i].rps / figure.runs.baseline[i].rps));
  return { ratio, pairedRatio, met: ratioMet && p99Met && clean, ratioMet, p99Met, clean };
}

const fmt = (v, digits = 0) =>
  v === null || v === undefined ? "–" : v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const goalText = (goal) => `≥ ${goal.ratio.toFixed(1)}×${goal.p99Ms !== undefined ? `, p99 ≤ ${goal.p99Ms} ms` : ""}`;

export function tableRows(figures) {
  return figures.map((f) => ({
    database: f.database,
    figure: f.label,
    users: fmt(f.users),
    gatehouse: fmt(f.gatehouse.rps, f.gatehouse.rps < 100 ? 1 : 0),
    p99: fmt(f.gatehouse.p99Ms, f.gatehouse.p99Ms < 100 ? 1 : 0),
    baseline: f.baselineLabel,
    baselineRps: fmt(f.baseline.rps, f.baseline.rps < 100 ? 1 : 0),
    ratio: f.verdict.ratio === null ? "–" : `${f.verdict.ratio.toFixed(2)}×`,
    goal: goalText(f.goal),
    errors: `${f.gatehouse.errors}/${f.baseline.errors}`,
    met: f.verdict.met ? "yes" : "no",
    rss: f.gatehouse.rssMeanMb === null || f.gatehouse.rssMeanMb === undefined ? "–" : `${fmt(f.gatehouse.rssMeanMb)} / ${fmt(f.gatehouse.rssMaxMb)}`,
  }));
}

const COLUMNS = [
  ["database", "database"],
  ["figure", "figure"],
  ["users", "users"],
  ["gatehouse", "Gatehouse req/s"],
  ["p99", "p99 ms"],
  ["baseline", "baseline"],
  ["baselineRps", "baseline req/s"],
  ["ratio", "ratio"],
  ["goal", "goal"],
  ["errors", "errors G/B"],
  ["met", "met"],
  ["rss", "RSS MB mean / max"],
];

export function textTable(figures) {
  const rows = tableRows(figures);
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((r) => String(r[key]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  return [line(COLUMNS.map(([, t]) => t)), line(widths.map((w) => "-".repeat(w))), ...rows.map((r) => line(COLUMNS.map(([k]) => r[k])))].join("\n");
}

export function markdownTable(figures) {
  const rows = tableRows(figures);
  const right = new Set(["users", "gatehouse", "p99", "baselineRps", "ratio", "rss"]);
  return [
    `| ${COLUMNS.map(([, t]) => t).join(" | ")} |`,
    `| ${COLUMNS.map(([k]) => (right.has(k) ? "---:" : "---")).join(" | ")} |`,
    ...rows.map((r) => `| ${COLUMNS.map(([k]) => r[k]).join(" | ")} |`),
  ].join("\n");
}

const MEMORY_COLUMNS = [
  ["database", "database"],
  ["phase", "server start"],
  ["atRest", "at rest after start-up"],
  ["startPeak", "start-up peak"],
  ["afterLoad", "at rest after its loads"],
];

function memoryRows(memory) {
  return memory.map((m) => ({ database: m.database, phase: m.phase, atRest: fmt(m.atRestMb), startPeak: fmt(m.startPeakMb), afterLoad: fmt(m.afterLoadMb) }));
}

/** Gatehouse's RSS per server start (MB); the RSS under each load is in the figures table. */
export function memoryTextTable(memory) {
  const rows = memoryRows(memory);
  const widths = MEMORY_COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((r) => String(r[key]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  return [line(MEMORY_COLUMNS.map(([, t]) => t)), line(widths.map((w) => "-".repeat(w))), ...rows.map((r) => line(MEMORY_COLUMNS.map(([k]) => r[k])))].join(
    "\n",
  );
}

export function memoryMarkdownTable(memory) {
  const rows = memoryRows(memory);
  return [
    `| ${MEMORY_COLUMNS.map(([, t]) => t).join(" | ")} |`,
    `| ${MEMORY_COLUMNS.map(([k]) => (k === "database" || k === "phase" ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${MEMORY_COLUMNS.map(([k]) => r[k]).join(" | ")} |`),
  ].join("\n");
}
