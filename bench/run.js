#!/usr/bin/env node
/**
 * `npm run bench` — Gatehouse's throughput against the physical limits of the same machine,
 * measured in the same run. See docs/benchmarks.md for what is measured and why.
 *
 *   npm run bench                   full run: PGlite and PostgreSQL, 3 repetitions, 1,000 and 100,000 users,
 *                                   sign-in at OWASP and at stronger argon2id parameters
 *   npm run bench -- --quick        PGlite, 1,000 users, one short repetition (< 60 s), for development
 *   options: --db=pglite|postgres|both  --repetitions=N  --duration=S  --warmup=S
 *            --only=id,id (targets: jwt-baseline, me, accesspass-check, write-baseline, refresh,
 *            hash-limit, sign-in, register)
 *            --profile: CPU-profile Gatehouse during its first measured round of each target and
 *            summarise where the time went (profiles in bench/results/profiles/)
 *            --memory-saver=off: run Gatehouse with V8's defaults instead of GATEHOUSE_MEMORY_SAVER's
 *            memory saver mode and Liftoff-only WebAssembly (docs/benchmarks.md, Memory)
 *
 * Every process is separate: Gatehouse (the built CLI), each baseline, and the load generator
 * (autocannon, 50 keep-alive connections). PostgreSQL runs use a fresh database on
 * BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres), dropped at the end.
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { memoryOf, runNodeForJson, sampleMemory, startNode, stopProcess, waitForHttp, waitForIdle } from "./child-processes.js";
import { gatehouseEnv, SEED, startGatehouse, stopGatehouse } from "./gatehouse-process.js";
import { connectProfiler } from "./inspector-profiler.js";
import { describeMachine } from "./machine.js";
import { createBenchDatabase, dropBenchDatabase } from "./postgres-database.js";
import { summarizeProfile } from "./profile-summary.js";
import { judge, markdownTable, memoryMarkdownTable, memoryTextTable, summarizeRuns, textTable } from "./report.js";

const here = (path) => new URL(path, import.meta.url).pathname;
const HASH_LIMIT = here("./baselines/hash-limit.js");
const JWT_SERVER = here("./baselines/jwt-server.js");
const WRITE_SERVER = here("./baselines/write-server.js");
const LOAD_GENERATOR = here("./load-generator.js");
const RESULTS_DIR = here("./results/");

const OWASP = { name: "owasp", label: "OWASP m=19456 KiB t=2 p=1", memoryKib: 19456, iterations: 2, parallelism: 1 };
const STRONG = { name: "strong", label: "strong m=65536 KiB t=3 p=1", memoryKib: 65536, iterations: 3, parallelism: 1 };
const CONNECTIONS = 50;
const TIMEOUT_SECONDS = 30;

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    db: { type: "string" },
    repetitions: { type: "string" },
    duration: { type: "string" },
    warmup: { type: "string" },
    only: { type: "string" },
    profile: { type: "boolean", default: false },
    "memory-saver": { type: "string", default: "on" },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  // The usage is this file's header comment.
  const header = readFileSync(new URL(import.meta.url), "utf8").split("*/")[0];
  process.stdout.write(
    `${header
      .split("\n")
      .slice(2)
      .map((l) => l.replace(/^ \* ?/, ""))
      .join("\n")
      .trim()}\n`,
  );
  process.exit(0);
}

const plan = flags.quick
  ? {
      mode: "quick",
      databases: ["pglite"],
      repetitions: 1,
      durationSeconds: 1.5,
      warmupSeconds: 1,
      rampSeconds: 0.5,
      smallUsers: 1000,
      largeUsers: null,
      strong: false,
      tokenSessions: 100,
      refreshSessionsPerRun: 100,
    }
  : {
      mode: "full",
      databases: ["pglite", "postgres"],
      repetitions: 3,
      durationSeconds: 4,
      warmupSeconds: 2,
      rampSeconds: 1,
      smallUsers: 1000,
      largeUsers: 100_000,
      strong: true,
      tokenSessions: 1000,
      refreshSessionsPerRun: 300,
    };
if (flags.db) plan.databases = flags.db === "both" ? ["pglite", "postgres"] : flags.db.split(",");
if (flags.repetitions) plan.repetitions = Number(flags.repetitions);
if (flags.duration) plan.durationSeconds = Number(flags.duration);
if (flags.warmup) plan.warmupSeconds = Number(flags.warmup);
const only = flags.only ? new Set(flags.only.split(",")) : null;
if (!["on", "off"].includes(flags["memory-saver"])) throw new Error("--memory-saver must be on or off");
plan.memorySaver = flags["memory-saver"] === "on";

const startedAt = new Date();
const loadAverageAtStart = loadavg();
const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
const runDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
const profileRoot = flags.profile ? join(RESULTS_DIR, "profiles", stamp) : null;
const live = new Set(); // processes to stop if the run is interrupted
const profiles = [];
/** Gatehouse's resident memory per server start: at rest after start-up, and at rest after its last load. */
const memory = [];
const cleanups = [];
const log = (line) => process.stdout.write(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

// ---------------------------------------------------------------------------------------------
// The load generator: one long-lived child, driven over IPC.

function startLoadGenerator() {
  const child = fork(LOAD_GENERATOR, [], { silent: true });
  let nextId = 0;
  const pending = new Map();
  let ready;
  const readyPromise = new Promise((resolve) => (ready = resolve));
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  child.on("message", (message) => {
    if (message.ready) return ready();
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter?.reject(new Error(`load generator: ${message.error}`));
    else waiter?.resolve(message.result);
  });
  child.on("exit", (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load generator exited with ${code}\n${stderr}`));
  });
  return {
    ready: readyPromise,
    run: (request) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, ...request });
      }),
    stop: () => child.send("exit"),
    child,
  };
}

const loadGenerator = startLoadGenerator();

// ---------------------------------------------------------------------------------------------
// Targets: what one measurement runs. `run(seconds, runIndex)` returns a result with rps, latency,
// ok and errors. Run index 0 is the warm-up; refresh uses it to pick a fresh slice of sessions.

/** `serverPid()` names the process to wait for: work left in flight must not leak into the next run. */
const httpTarget = (id, url, scenario, serverPid, { hashBound = false } = {}) => ({
  id,
  hashBound,
  pid: serverPid,
  run: (seconds, runIndex, rampSeconds = 0) =>
    loadGenerator.run({
      url,
      scenario: typeof scenario === "function" ? scenario(runIndex) : scenario,
      connections: CONNECTIONS,
      rampSeconds,
      durationSeconds: seconds,
      timeoutSeconds: TIMEOUT_SECONDS,
    }),
  settle: () => waitForIdle(serverPid()),
});

const hashLimitTarget = (argon2, logDir) => ({
  id: "hash-limit",
  hashBound: false, // no HTTP, no second queue: it is at its rate from the first operation
  run: (seconds) =>
    runNodeForJson(
      "hash-limit",
      [HASH_LIMIT, JSON.stringify({ ...argon2, concurrency: CONNECTIONS, durationSeconds: seconds, warmupSeconds: plan.mode === "quick" ? 0.5 : 1 })],
      { logDir },
    ),
});

/**
 * Warms every target up once, then runs `repetitions` rounds, alternating baselines and Gatehouse.
 * `minSeconds` lengthens the rounds of slow targets (strong hashing: ~10 req/s) so each round
 * still holds enough responses.
 */
async function runGroup(title, targets, { minSeconds = 0 } = {}) {
  const seconds = Math.max(plan.durationSeconds, plan.mode === "full" ? minSeconds : 0);
  targets = targets.filter((t) => !only || only.has(t.id));
  const runs = Object.fromEntries(targets.map((t) => [t.id, []]));
  if (targets.length === 0) return runs;
  // Discarded start of every measured run: plan.rampSeconds (1 s; quick 0.5 s), or for hash-bound
  // targets 1.5 × the time the opening burst of 50 hashes takes at the hash limit last measured
  // (or at the warm-up's rate).
  let hashRate = null;
  const rampOf = (target) => (target.hashBound ? Math.min(6, Math.max(1, (1.5 * CONNECTIONS) / (hashRate ?? 25))) : plan.rampSeconds);
  if (plan.warmupSeconds > 0) {
    log(`${title}: warm-up`);
    for (const target of targets) {
      if (target.id === "hash-limit") continue; // warms up inside its own process
      // Quick mode warms up only Gatehouse's light routes; a discarded ramp is the rest's warm-up.
      if (plan.mode === "quick" && (target.hashBound || !target.gatehouse)) continue;
      const warm = await target.run(plan.warmupSeconds, 0, 0);
      if (target.hashBound && warm.rps > 0) hashRate ??= warm.rps;
      await target.settle?.();
    }
  }
  for (let rep = 0; rep < plan.repetitions; rep++) {
    // Odd rounds run in reverse order so that no target always follows the same neighbour.
    for (const target of rep % 2 === 0 ? targets : [...targets].reverse()) {
      const profiling = rep === 0 && target.profiler ? await target.profiler() : null;
      if (profiling) await profiling.start();
      // Gatehouse's RSS is sampled through every measured run (ramp included): memory under that load.
      const sampler = target.gatehouse ? sampleMemory(target.pid()) : null;
      const result = await target.run(seconds, rep + 1, rampOf(target));
      if (sampler) result.gatehouseMemory = sampler.stop();
      if (target.id === "hash-limit") hashRate = result.rps;
      if (profiling) profiles.push(await profiling.stopTo(join(profileRoot, `${title.replace(/[^a-z0-9]+/gi, "-")}-${target.id}.cpuprofile`)));
      await target.settle?.();
      result.loadAverage1m = loadavg()[0]; // other work on the machine shows here
      runs[target.id].push(result);
      const errors = result.errors ? `  ERRORS ${result.errors} ${JSON.stringify(result.unexpected ?? {})}` : "";
      const rss = result.gatehouseMemory ? `  RSS ${result.gatehouseMemory.meanMb.toFixed(0)}/${result.gatehouseMemory.maxMb.toFixed(0)} MB` : "";
      log(
        `${title}: ${target.id.padEnd(16)} round ${rep + 1}: ${result.rps.toFixed(1).padStart(8)} req/s  p99 ${(result.latency.p99 ?? NaN).toFixed(1)} ms${rss}${errors}`,
      );
    }
  }
  return runs;
}

function figure({ database, label, users, argon2 = null, gatehouse, baseline, baselineLabel, goal }) {
  if (!gatehouse?.length || !baseline?.length) return null;
  const f = {
    database,
    label,
    users,
    argon2: argon2?.label ?? null,
    baselineLabel,
    goal,
    gatehouse: summarizeRuns(gatehouse),
    baseline: summarizeRuns(baseline),
    runs: { gatehouse, baseline },
  };
  f.verdict = judge(f);
  return f;
}

// ---------------------------------------------------------------------------------------------

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function seed(env, spec, logDir) {
  const started = performance.now();
  const report = await runNodeForJson("seed", [SEED, JSON.stringify(spec)], { env, logDir });
  log(`seeded ${report.users} users and ${report.sessions} sessions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return report;
}

async function startTracked(start) {
  const handle = await start();
  live.add(handle);
  return handle;
}

async function stopTracked(handle, stop = stopProcess) {
  live.delete(handle);
  await stop(handle);
}

/** Does this Gatehouse build serve the AccessPass check route? Asked with a real token. */
async function probeAccesspass(port, token) {
  const response = await fetch(`http://127.0.0.1:${port}/accesspass/check`, { headers: { "access-token": token } });
  const body = await response.text();
  return { available: response.status === 200, status: response.status, body: body.slice(0, 200) };
}

async function benchDatabase(kind) {
  const dir = join(runDir, kind);
  const logDir = join(dir, "logs");
  mkdirSync(logDir, { recursive: true });
  const started = performance.now();
  let database;
  let postgres = null;
  if (kind === "postgres") {
    postgres = await createBenchDatabase();
    cleanups.push(() => dropBenchDatabase(postgres.name));
    database = { kind, url: postgres.url, dataDir: join(dir, "gatehouse") };
    log(`postgres: fresh database ${postgres.name} (${postgres.version})`);
  } else {
    database = { kind, dataDir: join(dir, "gatehouse") };
  }
  const databaseLabel = kind === "postgres" ? "PostgreSQL" : "PGlite";
  const masterKey = randomBytes(32).toString("base64");
  const [port, jwtPort, writePort] = [await freePort(), await freePort(), await freePort()];
  const envFor = (argon2) => gatehouseEnv({ port, database, argon2, masterKey, memorySaver: plan.memorySaver });
  const gatehouseUrl = `http://127.0.0.1:${port}`;
  const inspectPort = profileRoot ? await freePort() : null;
  let profiler = null; // connected to the Gatehouse process currently running
  /** `phase` names the server start in the memory table. */
  const startServer = async (argon2, phase) => {
    const handle = await startTracked(() => startGatehouse({ env: envFor(argon2), logDir, inspectPort }));
    serverPid = handle.child.pid;
    profiler = inspectPort ? await connectProfiler(inspectPort) : null;
    await waitForIdle(serverPid);
    const atRest = memoryOf(serverPid);
    handle.memory = { database: databaseLabel, phase, atRestMb: atRest?.rssMb ?? null, startPeakMb: atRest?.peakMb ?? null, afterLoadMb: null };
    memory.push(handle.memory);
    log(
      `${kind} ${phase}: Gatehouse at rest after start-up: RSS ${atRest ? `${atRest.rssMb.toFixed(0)} MB (start-up peak ${atRest.peakMb.toFixed(0)} MB)` : "unknown (no /proc)"}`,
    );
    return handle;
  };
  /**
   * Between phases Gatehouse stops gracefully (SIGTERM): the next seed opens the same PGlite
   * directory. After the last phase its data is thrown away, so it is killed instead of waiting
   * out its shutdown drain's quiet interval.
   */
  const stopServer = async (handle, { discard = false } = {}) => {
    // Every run has settled (waitForIdle): this is the memory the server keeps after its loads.
    handle.memory.afterLoadMb = memoryOf(handle.child.pid)?.rssMb ?? null;
    profiler?.close();
    profiler = null;
    if (!discard) return stopTracked(handle, stopGatehouse);
    live.delete(handle);
    handle.child.kill("SIGKILL");
    await handle.exited;
  };
  let serverPid = null; // of the Gatehouse process currently running
  const gatehouseTarget = (id, scenario, options) => ({
    ...httpTarget(id, gatehouseUrl, scenario, () => serverPid, options),
    gatehouse: true,
    profiler: profileRoot ? async () => profiler : null,
  });
  const files = {
    jwtTokens: join(dir, "jwt-tokens.json"),
    writeSessions: join(dir, "write-sessions.json"),
    tokens: join(dir, "tokens-small.json"),
    tokensLarge: join(dir, "tokens-large.json"),
    refresh: join(dir, "refresh-sessions.json"),
  };
  const figures = [];
  const notes = [];

  // Baseline servers live for the whole section; idle while others are measured.
  // They start while the first seed runs, and must be up before the first measurement.
  const jwt = startNode(`jwt-baseline`, [JWT_SERVER, JSON.stringify({ port: jwtPort, tokensFile: files.jwtTokens, tokenCount: plan.tokenSessions })], {
    logDir,
  });
  live.add(jwt);
  const writeSpec = {
    port: writePort,
    database: kind,
    dataDir: join(dir, "baseline"),
    url: database.url,
    sessionsFile: files.writeSessions,
    sessionCount: 10_000,
  };
  const write = startNode(`write-baseline`, [WRITE_SERVER, JSON.stringify(writeSpec)], { logDir });
  live.add(write);
  const baselinesReady = Promise.all([waitForHttp(jwt, `http://127.0.0.1:${jwtPort}/healthz`), waitForHttp(write, `http://127.0.0.1:${writePort}/healthz`)]);
  baselinesReady.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
  const jwtBaseline = httpTarget(
    "jwt-baseline",
    `http://127.0.0.1:${jwtPort}`,
    { kind: "token-check", path: "/check", tokensFile: files.jwtTokens, bodyIncludes: '"sub"' },
    () => jwt.child.pid,
  );
  const writeBaseline = httpTarget(
    "write-baseline",
    `http://127.0.0.1:${writePort}`,
    { kind: "write-baseline", sessionsFile: files.writeSessions },
    () => write.child.pid,
  );
  const tokenCheckTargets = (tokensFile, accesspass) => [
    jwtBaseline,
    gatehouseTarget("me", { kind: "token-check", path: "/v1/me", tokensFile, bodyIncludes: '"user"' }),
    ...(accesspass
      ? [gatehouseTarget("accesspass-check", { kind: "token-check", path: "/accesspass/check", header: "access-token", tokensFile, bodyIncludes: "{" })]
      : []),
  ];
  const tokenCheckFigures = (runs, users) => [
    figure({
      database: databaseLabel,
      label: "token check GET /v1/me",
      users,
      gatehouse: runs.me,
      baseline: runs["jwt-baseline"],
      baselineLabel: "JWT verify, bare Fastify",
      goal: { ratio: 0.8, p99Ms: 10 },
    }),
    figure({
      database: databaseLabel,
      label: "token check GET /accesspass/check",
      users,
      gatehouse: runs["accesspass-check"],
      baseline: runs["jwt-baseline"],
      baselineLabel: "JWT verify, bare Fastify",
      goal: { ratio: 0.8, p99Ms: 10 },
    }),
  ];
  const signInTarget = (prefix, userCount) => gatehouseTarget("sign-in", { kind: "sign-in", prefix, userCount }, { hashBound: true });
  const signInFigure = (runs, users, argon2) =>
    figure({
      database: databaseLabel,
      label: `sign-in POST /v1/sessions (${argon2.name})`,
      users,
      argon2,
      gatehouse: runs["sign-in"],
      baseline: runs["hash-limit"],
      baselineLabel: `argon2id verify (${argon2.name})`,
      goal: { ratio: 0.9 },
    });

  try {
    // Phase 1: 1,000 users, OWASP parameters — token check, refresh, sign-in, register.
    const small = plan.smallUsers;
    const refreshNeeded = plan.refreshSessionsPerRun * (plan.repetitions + 1);
    await seed(
      envFor(OWASP),
      {
        users: [{ prefix: "user", from: 0, to: small }],
        sessions: [
          { file: files.tokens, count: plan.tokenSessions, prefix: "user" },
          { file: files.refresh, count: refreshNeeded, prefix: "user" },
        ],
      },
      logDir,
    );
    await baselinesReady;
    let server = await startServer(OWASP, `${small.toLocaleString("en-US")} users`);
    const firstToken = JSON.parse(readFileSync(files.tokens, "utf8"))[0].accessToken;
    const accesspass = await probeAccesspass(port, firstToken);
    if (!accesspass.available) notes.push(`GET /accesspass/check answered ${accesspass.status} in this build: not measured.`);
    log(`accesspass check route: ${accesspass.available ? "present, measured" : `answered ${accesspass.status}, not measured`}`);

    const tokenRuns = await runGroup(`${kind} token check (${small} users)`, tokenCheckTargets(files.tokens, accesspass.available));
    figures.push(...tokenCheckFigures(tokenRuns, small));

    const refreshRuns = await runGroup(`${kind} refresh`, [
      writeBaseline,
      gatehouseTarget("refresh", (runIndex) => ({
        kind: "refresh",
        sessionsFile: files.refresh,
        from: runIndex * plan.refreshSessionsPerRun,
        to: (runIndex + 1) * plan.refreshSessionsPerRun,
      })),
    ]);
    figures.push(
      figure({
        database: databaseLabel,
        label: "refresh POST /v1/sessions/refresh",
        users: small,
        gatehouse: refreshRuns.refresh,
        baseline: refreshRuns["write-baseline"],
        baselineLabel: "1 JWT sign + 1 tx (update + insert), bare Fastify",
        goal: { ratio: 0.7 },
      }),
    );

    const passwordRuns = await runGroup(`${kind} passwords (${small} users, ${OWASP.name})`, [
      hashLimitTarget(OWASP, logDir),
      signInTarget("user", small),
      gatehouseTarget("register", { kind: "register", tag: kind }, { hashBound: true }),
    ]);
    figures.push(signInFigure(passwordRuns, small, OWASP));
    figures.push(
      figure({
        database: databaseLabel,
        label: `register POST /v1/users (${OWASP.name})`,
        users: small,
        argon2: OWASP,
        gatehouse: passwordRuns.register,
        baseline: passwordRuns["hash-limit"],
        baselineLabel: `argon2id verify (${OWASP.name})`,
        goal: { ratio: 0.8 },
      }),
    );
    await stopServer(server, { discard: !plan.largeUsers && !plan.strong });

    // Phase 2: 100,000 users — the same token check and sign-in must hold.
    if (plan.largeUsers) {
      const large = plan.largeUsers;
      await seed(
        envFor(OWASP),
        { users: [{ prefix: "user", from: small, to: large }], sessions: [{ file: files.tokensLarge, count: plan.tokenSessions, prefix: "user" }] },
        logDir,
      );
      server = await startServer(OWASP, `${large.toLocaleString("en-US")} users`);
      const largeRuns = await runGroup(`${kind} ${large} users`, [
        ...tokenCheckTargets(files.tokensLarge, accesspass.available),
        hashLimitTarget(OWASP, logDir),
        signInTarget("user", large),
      ]);
      figures.push(...tokenCheckFigures(largeRuns, large), signInFigure(largeRuns, large, OWASP));
      await stopServer(server, { discard: !plan.strong });
    }

    // Phase 3: stronger argon2id parameters, users hashed at them (else sign-in would rehash).
    if (plan.strong) {
      await seed(envFor(STRONG), { users: [{ prefix: "strong", from: 0, to: small }] }, logDir);
      server = await startServer(STRONG, `${small.toLocaleString("en-US")} users, ${STRONG.name} argon2id`);
      const strongRuns = await runGroup(`${kind} passwords (${STRONG.name})`, [hashLimitTarget(STRONG, logDir), signInTarget("strong", small)], {
        minSeconds: 6,
      });
      figures.push(signInFigure(strongRuns, small, STRONG));
      await stopServer(server, { discard: true });
    }
  } finally {
    for (const handle of [jwt, write]) await stopTracked(handle);
  }
  return {
    database: {
      kind,
      label: databaseLabel,
      version:
        kind === "postgres"
          ? postgres.version
          : `PGlite ${describeMachine().packages["@electric-sql/pglite"]} (PostgreSQL in WebAssembly, in-process, on disk)`,
    },
    figures: figures.filter(Boolean),
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The same figure at 1,000 and at 100,000 users: cost should follow the work, not the data. */
function scalingOf(figures) {
  const out = [];
  for (const big of figures.filter((f) => f.users > plan.smallUsers)) {
    const small = figures.find((f) => f.database === big.database && f.label === big.label && f.users === plan.smallUsers);
    if (!small?.gatehouse.rps || !big.gatehouse.rps) continue;
    out.push({
      database: big.database,
      label: big.label,
      usersFrom: small.users,
      usersTo: big.users,
      rpsRatio: big.gatehouse.rps / small.gatehouse.rps,
      baselineRatioFrom: small.verdict.ratio,
      baselineRatioTo: big.verdict.ratio,
      p99MsFrom: small.gatehouse.p99Ms,
      p99MsTo: big.gatehouse.p99Ms,
    });
  }
  return out;
}

async function main() {
  await loadGenerator.ready;
  if (profileRoot) mkdirSync(profileRoot, { recursive: true });
  const machine = describeMachine();
  log(
    `${plan.mode} run: ${plan.databases.join(", ")}; ${plan.repetitions} × ${plan.durationSeconds} s per target after a ${plan.warmupSeconds} s warm-up; ${CONNECTIONS} connections; Gatehouse memory saver ${plan.memorySaver ? "on" : "off"}`,
  );
  log(`machine: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}, load average ${loadAverageAtStart.map((l) => l.toFixed(1)).join(" ")}`);
  const sections = [];
  for (const kind of plan.databases) {
    if (kind === "postgres") {
      // Reachability first: a fresh clone without PostgreSQL still gets its PGlite figures.
      try {
        const probe = await createBenchDatabase();
        await dropBenchDatabase(probe.name);
      } catch (error) {
        log(`postgres: skipped (${error.message})`);
        sections.push({ database: { kind, label: "PostgreSQL", version: null }, skipped: error.message, figures: [], notes: [] });
        continue;
      }
    }
    sections.push(await benchDatabase(kind));
  }
  const figures = sections.flatMap((s) => s.figures);
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  const scaling = scalingOf(figures);

  process.stdout.write(`\n${textTable(figures)}\n`);
  if (memory.length) process.stdout.write(`\nGatehouse resident memory (RSS), MB:\n${memoryTextTable(memory)}\n`);
  for (const s of scaling) {
    process.stdout.write(
      `scaling (${s.database}) ${s.label}: ${s.usersFrom.toLocaleString("en-US")} → ${s.usersTo.toLocaleString("en-US")} users: ${s.rpsRatio.toFixed(2)}× the req/s, ratio to baseline ${s.baselineRatioFrom.toFixed(2)}× → ${s.baselineRatioTo.toFixed(2)}×\n`,
    );
  }
  for (const s of sections)
    for (const note of [...s.notes, ...(s.skipped ? [`skipped: ${s.skipped}`] : [])]) process.stdout.write(`note (${s.database.label}): ${note}\n`);
  const missed = figures.filter((f) => !f.verdict.met);
  process.stdout.write(`\n${figures.length - missed.length} of ${figures.length} figures meet their goal. Total time ${Math.round(seconds)} s.\n`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const output = {
    startedAt: startedAt.toISOString(),
    seconds,
    plan: { ...plan, connections: CONNECTIONS, timeoutSeconds: TIMEOUT_SECONDS, only: only ? [...only] : null, argon2: { owasp: OWASP, strong: STRONG } },
    machine: { ...machine, loadAverageAtStart: loadAverageAtStart, loadAverageAtEnd: loadavg() },
    databases: sections.map(({ figures: _, ...section }) => section),
    figures,
    scaling,
    memory,
    markdown: markdownTable(figures),
    memoryMarkdown: memoryMarkdownTable(memory),
  };
  const path = join(RESULTS_DIR, `bench-${plan.mode}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(output, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, `latest-${plan.mode}.json`), `${JSON.stringify(output, null, 2)}\n`);
  process.stdout.write(`Results: ${path}\n`);

  for (const path of profiles) process.stdout.write(`\nCPU profile of Gatehouse: ${path}\n${summarizeProfile(path)}\n`);
}

async function cleanUp({ keepLogs = false } = {}) {
  for (const handle of live) await stopProcess(handle, 5000).catch(() => {});
  live.clear();
  loadGenerator.stop();
  for (const cleanup of cleanups.splice(0)) await cleanup().catch((error) => log(`cleanup failed: ${error.message}`));
  if (keepLogs) process.stderr.write(`Logs kept in ${runDir}\n`);
  else rmSync(runDir, { recursive: true, force: true });
}

process.on("SIGINT", () => {
  log("interrupted: stopping processes");
  cleanUp().finally(() => process.exit(130));
});

try {
  await main();
  await cleanUp();
} catch (error) {
  process.stderr.write(`\nbench failed: ${error.stack ?? error}\n`);
  await cleanUp({ keepLogs: true });
  process.exitCode = 1;
}
