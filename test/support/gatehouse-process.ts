import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import pg from "pg";

/** The built CLI; flow tests that run it need `npm run build` first. */
export const MAIN = join(import.meta.dirname, "../../dist/main.js");

export function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error("dist/main.js is missing: run npm run build first");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface GatehouseProcess {
  child: ChildProcess;
  /** The signal that ended it, or its exit code. */
  exited: Promise<NodeJS.Signals | number | null>;
  output(): string;
}

/** Runs `gatehouse serve` with exactly `env` (plus PATH) and resolves once it says it is running. */
export async function startGatehouseProcess(env: Record<string, string>): Promise<GatehouseProcess> {
  const child = spawn(process.execPath, [MAIN, "serve"], { env: { PATH: process.env.PATH!, ...env } });
  let output = "";
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
    const check = setInterval(() => {
      if (output.includes("Gatehouse is running")) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 20);
    child.on("exit", () => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`server exited: ${output}`));
    });
  });
  return { child, exited, output: () => output };
}

/** Where a spawned Gatehouse keeps its data: PGlite in its data directory, or a fresh PostgreSQL database. */
export interface ProcessDatabaseTarget {
  name: "pglite" | "postgres";
  /** DATABASE_URL for the server ("" selects PGlite in the data directory) and how to clean up. */
  create(): Promise<{ databaseUrl: string; dispose(): Promise<void> }>;
}

export function processDatabaseTargets(): ProcessDatabaseTarget[] {
  const targets: ProcessDatabaseTarget[] = [{ name: "pglite", create: async () => ({ databaseUrl: "", dispose: async () => {} }) }];
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    targets.push({
      name: "postgres",
      async create() {
        const name = `gatehouse_process_${randomBytes(6).toString("hex")}`;
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        await admin.query(`create database ${name}`).finally(() => admin.end());
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        return {
          databaseUrl: url.toString(),
          async dispose() {
            const dropper = new pg.Client({ connectionString: adminUrl });
            await dropper.connect();
            await dropper.query(`drop database if exists ${name} with (force)`).finally(() => dropper.end());
          },
        };
      },
    });
  }
  return targets;
}
