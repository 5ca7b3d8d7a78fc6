#!/usr/bin/env node
import { ConfigError, loadConfig, type Config } from "./kernel/config/load-config.js";
import { listenForControl, sendControlCommand, type ControlAnswer } from "./kernel/control/control-socket.js";
import { DataDirInUseError } from "./kernel/db/data-dir-lock.js";
import { DatabaseUnreachableError } from "./kernel/db/errors.js";
import { reexecWithNodeFlags, serverNodeFlags } from "./kernel/runtime/node-flags.js";

// The application itself is imported by the commands that need it (`await import`): a command
// answered by the running server loads no database and no HTTP stack, and `serve` can restart
// itself with its V8 settings before it has loaded anything.

const USAGE = `Usage: gatehouse <command>

Commands:
  serve              Start the HTTP server (default)
  migrate            Apply database migrations and exit
  keys rotate        Publish a new access-token signing key; it starts signing once relying
                     parties' cached key sets have expired (GATEHOUSE_JWKS_MAX_AGE_SECONDS + 60 s)
  keys rotate --now  For a compromised key: sign with a new key at once and withdraw all others
  keys rotate-master Re-seal everything sealed under GATEHOUSE_RETIRED_MASTER_KEYS with
                     GATEHOUSE_MASTER_KEY; afterwards the retired keys can be removed
  help               Show this help

On the embedded database, migrate and the keys commands go through the running server if there is one.
Configuration comes from environment variables: see docs/configuration.md.`;

async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  // Before anything is loaded: V8 takes its memory settings at process start (node-flags.ts).
  reexecWithNodeFlags(serverNodeFlags({ memorySaver: config.runtime.memorySaver, embeddedDatabase: !config.database.url }));
  const { createGatehouse } = await import("./gatehouse.js");
  const { buildMetricsServer, buildServer } = await import("./server.js");
  const { controlCommands } = await import("./control-commands.js");
  const gatehouse = await createGatehouse(config);
  const app = await buildServer(gatehouse);
  const metricsApp = config.metrics.port === null ? null : await buildMetricsServer(gatehouse);
  await metricsApp?.listen({ port: config.metrics.port!, host: config.metrics.host });
  await app.listen({ port: config.http.port, host: config.http.host });
  // The server holds the embedded database; the command line asks it over this socket instead.
  const embedded = gatehouse.database.kind === "pglite" && config.database.dataDir !== "memory://";
  const control = embedded
    ? await listenForControl(config.database.dataDir, controlCommands(gatehouse), (error, command) =>
        gatehouse.logger.error({ err: error, command }, "control command failed"),
      )
    : null;
  if (embedded && !control)
    gatehouse.logger.warn(
      { dataDir: config.database.dataDir },
      "data directory path too long for a control socket: stop the server to run keys rotate or migrate",
    );
  const base = config.http.baseUrl;
  const metricsAt =
    config.metrics.port !== null
      ? `http://${config.metrics.host}:${config.metrics.port}/metrics${config.metrics.token ? " (bearer token)" : ""}`
      : config.metrics.token
        ? `${base}/metrics (bearer token)`
        : "off (set GATEHOUSE_METRICS_PORT or GATEHOUSE_METRICS_TOKEN)";
  const lines = [
    `Gatehouse is running on ${base} (${gatehouse.database.kind === "pglite" ? `embedded database in ${config.database.dataDir}` : "PostgreSQL"})`,
    `  API docs:            ${base}/docs`,
    `  OpenAPI document:    ${base}/openapi.json`,
    // Where the mailbox is, or why there is none: reset links must not be readable by strangers.
    config.mail.devMailbox
      ? `  Development mailbox: ${base}/dev/mailbox (${config.mail.devMailboxReason})`
      : `  Development mailbox: none (${config.mail.devMailboxReason})`,
    `  Metrics:             ${metricsAt}`,
    `  Getting started:     docs/getting-started.md`,
  ];
  process.stdout.write(`\n${lines.join("\n")}\n\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    gatehouse.logger.info({ signal }, "shutting down: finishing requests in flight");
    await control?.close();
    await app.drainAndClose({ quietMs: 250, maxMs: 10_000 });
    await metricsApp?.close();
    await gatehouse.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/**
 * On the embedded database, the answer of the server that holds it, or null when none runs
 * (then the command opens the database itself, under the directory's lock).
 */
async function askRunningServer(config: Readonly<Config>, command: string, args: Record<string, unknown> = {}): Promise<(ControlAnswer & { ok: true }) | null> {
  if (config.database.url || config.database.dataDir === "memory://") return null;
  const answer = await sendControlCommand(config.database.dataDir, command, args);
  if (answer && !answer.ok) throw new Error(`the running server (process ${answer.pid}) refused: ${answer.error.message}`);
  return answer;
}

async function migrate(): Promise<void> {
  const config = loadConfig(process.env);
  const { applyMigrations, newestMigrationMillis } = await import("./kernel/db/migrate.js");
  const running = await askRunningServer(config, "migrations.status");
  if (running) {
    // A server applies the migrations of its own installation when it starts; this one may be newer.
    if (Number(running.result.newestApplied) >= newestMigrationMillis()) {
      return void process.stdout.write(`Migrations already applied by the running server (process ${running.pid}).\n`);
    }
    process.stderr.write(
      `gatehouse: the running server (process ${running.pid}) has not applied this installation's newest migrations: restart it with this version, which applies them at start-up.\n`,
    );
    process.exitCode = 1;
    return;
  }
  const { openDatabase } = await import("./kernel/db/database.js");
  const database = await openDatabase(config.database);
  try {
    await applyMigrations(database);
    process.stdout.write("Migrations applied.\n");
  } finally {
    await database.close();
  }
}

function describeRotation(rotation: { kid: string; activatesAt: string; retiredKids: string[] }, immediate: boolean): string {
  const withdrawn = rotation.retiredKids.length ? `\nWithdrawn: ${rotation.retiredKids.join(", ")}; tokens they signed are refused from now on.` : "";
  return immediate
    ? `New signing key ${rotation.kid} signs from now on.${withdrawn}\n`
    : `New signing key ${rotation.kid} is published at /.well-known/jwks.json and signs from ${rotation.activatesAt}, once relying parties' cached key sets have expired; until then the current key signs.${withdrawn}\n`;
}

async function rotateKeys(flags: string[]): Promise<void> {
  const unknown = flags.filter((f) => f !== "--now");
  if (unknown.length) {
    process.stderr.write(`Unknown option for keys rotate: ${unknown.join(" ")}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const immediate = flags.includes("--now");
  const config = loadConfig(process.env);
  const running = await askRunningServer(config, "keys.rotate", { immediate });
  if (running) {
    const result = running.result as { kid: string; activatesAt: string; retiredKids: string[] };
    return void process.stdout.write(`${describeRotation(result, immediate)}(Rotated by the running server, process ${running.pid}.)\n`);
  }
  const { createGatehouse } = await import("./gatehouse.js");
  const gatehouse = await createGatehouse(config, { startJobs: false });
  try {
    const { systemContext } = await import("./kernel/http/request-context.js");
    const rotation = await gatehouse.signingKeys.rotate({ immediate, context: systemContext("cli") });
    process.stdout.write(describeRotation({ ...rotation, activatesAt: rotation.activatesAt.toISOString() }, immediate));
  } finally {
    await gatehouse.close();
  }
}

async function rotateMasterKey(): Promise<void> {
  const config = loadConfig(process.env);
  const describe = ({ signingKeys, outbox }: { signingKeys: number; outbox: number }, kid: string) =>
    `Re-sealed ${signingKeys} signing key(s) and ${outbox} queued message(s) under master key ${kid}. ` +
    "Once every node runs with this GATEHOUSE_MASTER_KEY, remove GATEHOUSE_RETIRED_MASTER_KEYS.\n";
  const running = await askRunningServer(config, "keys.rotate-master");
  if (running) {
    const result = running.result as { signingKeys: number; outbox: number; kid: string };
    return void process.stdout.write(`${describe(result, result.kid)}(Done by the running server, process ${running.pid}.)\n`);
  }
  const { createGatehouse } = await import("./gatehouse.js");
  const gatehouse = await createGatehouse(config, { startJobs: false });
  try {
    process.stdout.write(describe(await gatehouse.rewrapSealed(), gatehouse.keyring.currentKid));
  } finally {
    await gatehouse.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command = "serve", sub, ...rest] = argv;
  if (command === "serve") return serve();
  if (command === "migrate") return migrate();
  if (command === "keys" && sub === "rotate") return rotateKeys(rest);
  if (command === "keys" && sub === "rotate-master" && rest.length === 0) return rotateMasterKey();
  if (command === "help" || command === "--help" || command === "-h") return void process.stdout.write(`${USAGE}\n`);
  process.stderr.write(`Unknown command: ${argv.join(" ")}\n\n${USAGE}\n`);
  process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  if (error instanceof DatabaseUnreachableError) {
    process.stderr.write(`gatehouse: ${error.message}\n`);
    process.exit(69); // EX_UNAVAILABLE
  }
  if (error instanceof DataDirInUseError) {
    process.stderr.write(`gatehouse: ${error.message}\n`);
    process.exit(75); // EX_TEMPFAIL: it works once that process has stopped
  }
  process.stderr.write(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
