/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`) and says where the busy time went: by origin
 * (Gatehouse's own code, each package, Node internals, PGlite's WebAssembly, GC) and by function,
 * self and inclusive. Used by `npm run bench -- --profile`, or alone:
 *
 *   node bench/profile-summary.js path/to/file.cpuprofile [top]
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** node_modules/<pkg>/…, dist/… (Gatehouse), node:…, or the URL as it is. */
function shortFile(url) {
  if (!url) return "";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) return url.slice(modules + 1);
  const dist = url.lastIndexOf("/dist/");
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, "");
}

function originOf(url, functionName) {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("wasm://")) return "webassembly (PGlite)";
  if (url.startsWith("node:")) return "node internals";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] === "@electric-sql/pglite" ? "@electric-sql/pglite (js)" : pkg[1];
  if (shortFile(url).startsWith("dist/")) return "gatehouse";
  return "other";
}

export function analyzeProfile(path) {
  const profile = JSON.parse(readFileSync(path, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totalSamples = profile.samples.length;
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, totalSamples);
  const selfHits = new Map();
  for (const id of profile.samples) selfHits.set(id, (selfHits.get(id) ?? 0) + 1);

  const keyOf = (n) => {
    const { functionName, url, lineNumber } = n.callFrame;
    return `${functionName || "(anonymous)"} ${shortFile(url)}${url ? `:${lineNumber + 1}` : ""}`;
  };
  const parentOf = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
  const self = new Map();
  const origins = new Map();
  const inclusive = new Map();
  let idle = 0;

  // Inclusive time by key, counting a key once per stack (recursion is not double-counted).
  const walk = (node, onStack) => {
    const hits = selfHits.get(node.id) ?? 0;
    const key = keyOf(node);
    const name = node.callFrame.functionName;
    if (name === "(idle)") idle += hits;
    self.set(key, (self.get(key) ?? 0) + hits);
    const origin = originOf(node.callFrame.url, name);
    origins.set(origin, (origins.get(origin) ?? 0) + hits);
    const fresh = !onStack.has(key);
    if (fresh) onStack.add(key);
    let total = hits;
    for (const childId of node.children ?? []) total += walk(byId.get(childId), onStack);
    if (fresh) {
      onStack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + total);
    }
    return total;
  };
  walk(profile.nodes[0], new Set());

  // For each self-time key, the nearest caller frame outside its own file: who asks for this work.
  const callers = new Map();
  for (const [id, hits] of selfHits) {
    const node = byId.get(id);
    const key = keyOf(node);
    let parent = parentOf.get(id);
    while (parent && parent.callFrame.url === node.callFrame.url && parent.callFrame.url) parent = parentOf.get(parent.id);
    const caller = parent ? keyOf(parent) : "(none)";
    const m = callers.get(key) ?? new Map();
    m.set(caller, (m.get(caller) ?? 0) + hits);
    callers.set(key, m);
  }

  const busy = totalSamples - idle;
  const rank = (map) =>
    [...map.entries()]
      .filter(([k]) => !k.startsWith("(idle)") && !k.startsWith("(root)"))
      .sort((a, b) => b[1] - a[1])
      .map(([key, hits]) => ({ key, ms: hits * msPerSample, share: hits / Math.max(1, busy) }));
  return {
    seconds: (profile.endTime - profile.startTime) / 1e6,
    busySeconds: (busy * msPerSample) / 1000,
    origins: rank(origins),
    self: rank(self),
    inclusive: rank(inclusive).filter((r) => / dist\//.test(r.key)),
    callersOf: (key) => rank(callers.get(key) ?? new Map()),
  };
}

export function summarizeProfile(path, top = 15) {
  const a = analyzeProfile(path);
  const pct = (r) => `${(r.share * 100).toFixed(1).padStart(5)} %`;
  return [
    `profiled ${a.seconds.toFixed(1)} s, busy ${a.busySeconds.toFixed(1)} s (shares below are of busy time)`,
    "by origin:",
    ...a.origins.slice(0, 12).map((r) => `  ${pct(r)}  ${r.key}`),
    "self time, top functions:",
    ...a.self.slice(0, top).flatMap((r) => [
      `  ${pct(r)}  ${r.key}`,
      ...a
        .callersOf(r.key)
        .slice(0, 2)
        .map((c) => `             ← ${c.key}`),
    ]),
    "inclusive time, Gatehouse functions:",
    ...a.inclusive.slice(0, top).map((r) => `  ${pct(r)}  ${r.key}`),
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${summarizeProfile(process.argv[2], Number(process.argv[3] ?? 25))}\n`);
}
