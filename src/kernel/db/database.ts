import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import pg from "pg";

/** Both drivers expose the same PostgreSQL query builder; services see only this type. */
export type Database = PgDatabase<PgQueryResultHKT>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** A store function runs on whatever it is handed: the pool, or the caller's transaction. */
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** Open a dedicated connection (for session-level advisory locks); PGlite has only one. */
  withDedicatedConnection<T>(work: (db: Database) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; null selects embedded PGlite. */
  url: string | null;
  /** PGlite storage directory; "memory://" keeps the database in memory (tests). */
  dataDir: string;
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 10) : openPglite(options.dataDir);
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  let client: PGlite;
  if (dataDir === "memory://") {
    client = new PGlite();
  } else {
    mkdirSync(dataDir, { recursive: true });
    // Durability, checked by test/flows/delivery-crash.test.ts (SIGKILL mid-delivery): on a directory,
    // PGlite writes through Emscripten's NODEFS straight to the files and commits with
    // synchronous_commit=on, so a transaction it has acknowledged survives the process being killed;
    // relaxedDurability (default false) only concerns the browser file systems. PGlite runs with
    // fsync=off, though, so an OS crash or power cut can lose recent commits: production data belongs
    // on PostgreSQL.
    client = new PGlite(`${dataDir.replace(/\/+$/, "")}/pglite`);
  }
  await client.waitReady;
  const db = drizzlePglite(client) as unknown as Database;
  return {
    db,
    kind: "pglite",
    withDedicatedConnection: (work) => work(db),
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => client.close(),
  };
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const db = drizzlePg(pool) as unknown as Database;
  return {
    db,
    kind: "postgres",
    async withDedicatedConnection(work) {
      const client = await pool.connect();
      try {
        return await work(drizzlePg(client) as unknown as Database);
      } finally {
        client.release();
      }
    },
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => pool.end(),
  };
}
