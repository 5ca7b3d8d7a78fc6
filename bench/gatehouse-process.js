/**
 * Gatehouse as the benchmark runs it: the built CLI (`node dist/main.js serve`) in its own process,
 * configured only through environment variables, as an operator would.
 */
import { join } from "node:path";
import { startNode, stopProcess, waitForHttp } from "./child-processes.js";

const MAIN = new URL("../dist/main.js", import.meta.url).pathname;
const SEED = new URL("./seed.js", import.meta.url).pathname;
// Throttling is on in every run but set far above what one load generator can send from one IP,
// so the benchmark measures the work and the counters, not 429s.
const UNTHROTTLED = "10000000";

/**
 * The environment of one Gatehouse configuration. `database` is { kind: "pglite", dataDir } or
 * { kind: "postgres", url, dataDir }; `argon2` is { memoryKib, iterations, parallelism }.
 */
export function gatehouseEnv({ port, database, argon2, masterKey, memorySaver = true }) {
  return {
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    GATEHOUSE_BASE_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: "warn",
    GATEHOUSE_DATA_DIR: database.dataDir,
    DATABASE_URL: database.kind === "postgres" ? database.url : "",
    GATEHOUSE_MASTER_KEY: masterKey,
    GATEHOUSE_ARGON2_MEMORY_KIB: String(argon2.memoryKib),
    GATEHOUSE_ARGON2_ITERATIONS: String(argon2.iterations),
    GATEHOUSE_ARGON2_PARALLELISM: String(argon2.parallelism),
    GATEHOUSE_SIGN_IN_LIMIT_PER_IP: UNTHROTTLED,
    GATEHOUSE_SIGN_IN_LIMIT_PER_ACCOUNT: "1000000",
    GATEHOUSE_REGISTER_LIMIT_PER_IP: UNTHROTTLED,
    GATEHOUSE_MAIL_LIMIT_PER_IP: UNTHROTTLED,
    GATEHOUSE_MAIL_LIMIT_PER_TARGET: "1000000",
    // Tokens seeded before a phase must still be valid at its end (default: 300 s).
    GATEHOUSE_ACCESS_TOKEN_TTL_SECONDS: "7200",
    // Defaults, whatever the harness's own environment says: counters in the database, AccessPass
    // routes at /accesspass, no SMTP server. In production a message with no transport fails
    // visibly; one attempt keeps that to a single outbox update per message, as delivery would cost.
    REDIS_URL: "",
    SMTP_URL: "",
    GATEHOUSE_OUTBOX_MAX_ATTEMPTS: "1",
    GATEHOUSE_ACCESSPASS_PREFIX: "",
    // Gatehouse's default (memory saver mode, Liftoff-only WebAssembly), or V8's defaults: --memory-saver=off.
    GATEHOUSE_MEMORY_SAVER: String(memorySaver),
  };
}

/** With `inspectPort`, the DevTools protocol listens there (127.0.0.1 only) for the profiler. */
export async function startGatehouse({ env, logDir, name = "gatehouse", inspectPort = null }) {
  const execArgv = inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [];
  const handle = startNode(name, [MAIN, "serve"], { env, logDir, execArgv });
  await waitForHttp(handle, `http://127.0.0.1:${env.PORT}/healthz`);
  return handle;
}

export async function stopGatehouse(handle) {
  const { code, signal } = await stopProcess(handle);
  if (code !== 0 && signal !== "SIGTERM") throw new Error(`gatehouse exited with ${code ?? signal}\n${handle.logTail()}`);
}

export { SEED };
