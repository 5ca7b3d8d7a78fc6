#!/usr/bin/env node
import { ConfigError, loadConfig } from "./kernel/config/load-config.js";
import { DataDirInUseError } from "./kernel/db/data-dir-lock.js";
import { openDatabase } from "./kernel/db/database.js";
import { applyMigrations } from "./kernel/db/migrate.js";
import { createGatehouse } from "./gatehouse.js";
import { buildServer } from "./server.js";

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
  await app.listen({ port: config.http.port, host: config.http.host });
  const base = config.http.baseUrl;
  const lines = [
    `Gatehouse is running on ${base} (${gatehouse.database.kind === "pglite" ? `embedded database in ${config.database.dataDir}` : "PostgreSQL"})`,
    `  API docs:            ${base}/docs`,
    `  OpenAPI document:    ${base}/openapi.json`,
    ...(config.mail.devMailbox && !config.mail.smtpUrl ? [`  Development mailbox: ${base}/dev/mailbox`] : []),
    `  Getting started:     docs/getting-started.md`,
  ];
  process.stdout.write(`\n${lines.join("\n")}\n\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    gatehouse.logger.info({ signal }, "shutting down: finishing requests in flight");
    await app.drainAndClose({ quietMs: 250, maxMs: 10_000 });
    await gatehouse.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

async function migrate(): Promise<void> {
  const config = loadConfig(process.env);
  const database = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir });
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
    const rotation = await gatehouse.signingKeys.rotate();
    process.stdout.write(`New signing key ${rotation.kid} is published; it signs from ${rotation.activatesAt.toISOString()}.\n`);
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
  if (error instanceof DataDirInUseError) {
    process.stderr.write(`gatehouse: ${error.message}\n`);
    process.exit(75); // EX_TEMPFAIL: it works once that process has stopped
  }
  process.stderr.write(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
