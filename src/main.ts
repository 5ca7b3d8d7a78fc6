#!/usr/bin/env node
import { ConfigError, loadConfig } from "./kernel/config/load-config.js";
import { openDatabase } from "./kernel/db/database.js";
import { DatabaseUnreachableError } from "./kernel/db/errors.js";
import { applyMigrations } from "./kernel/db/migrate.js";
import { createGatehouse } from "./gatehouse.js";
import { buildMetricsServer, buildServer } from "./server.js";

const USAGE = `Usage: gatehouse <command>

Commands:
  serve          Start the HTTP server (default)
  migrate        Apply database migrations and exit
  keys rotate    Make a new access-token signing key; the old one stays published
  help           Show this help

Configuration comes from environment variables: see docs/configuration.md.`;

async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const gatehouse = await createGatehouse(config);
  const app = await buildServer(gatehouse);
  const metricsApp = config.metrics.port === null ? null : await buildMetricsServer(gatehouse);
  await metricsApp?.listen({ port: config.metrics.port!, host: config.metrics.host });
  await app.listen({ port: config.http.port, host: config.http.host });
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
    await app.drainAndClose({ quietMs: 250, maxMs: 10_000 });
    await metricsApp?.close();
    await gatehouse.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

async function migrate(): Promise<void> {
  const config = loadConfig(process.env);
  const database = await openDatabase(config.database);
  try {
    await applyMigrations(database);
    process.stdout.write("Migrations applied.\n");
  } finally {
    await database.close();
  }
}

async function rotateKeys(): Promise<void> {
  const config = loadConfig(process.env);
  const gatehouse = await createGatehouse(config, { startJobs: false });
  try {
    const { kid } = await gatehouse.signingKeys.rotate();
    process.stdout.write(`New signing key ${kid} is current; the previous key stays published at /.well-known/jwks.json.\n`);
  } finally {
    await gatehouse.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command = "serve", sub] = argv;
  if (command === "serve") return serve();
  if (command === "migrate") return migrate();
  if (command === "keys" && sub === "rotate") return rotateKeys();
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
  process.stderr.write(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
