import { mkdirSync } from "node:fs";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type pg from "pg";
import { CHANGES_CHANNEL, createChangeFeedSource, type ChangeFeed, type ChangeFeedSource } from "./change-feed.js";
import { lockDataDir, type DataDirLock } from "./data-dir-lock.js";
import { createPgliteDatabaseIfAbsent } from "./pglite-first-start.js";

/** Both drivers expose the same PostgreSQL query builder; services see only this type. */
export type Database = PgDatabase<PgQueryResultHKT>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** A store function runs on whatever it is handed: the pool, or the caller's transaction. */
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** Committed changes to cached rows, from this process and every other one on the database. */
  changes: ChangeFeed;
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
  /** PGlite's buffer pool (`shared_buffers`), in MB; default 16. */
  sharedBuffersMb?: number;
}

export const DEFAULT_PGLITE_SHARED_BUFFERS_MB = 16;

/** Each driver is loaded only when chosen: a PostgreSQL node carries no PGlite, and the reverse. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 10) : openPglite(options.dataDir, options.sharedBuffersMb ?? DEFAULT_PGLITE_SHARED_BUFFERS_MB);
}

async function openPglite(dataDir: string, sharedBuffersMb: number): Promise<DatabaseHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle: drizzlePglite } = await import("drizzle-orm/pglite");
  // Memory (docs/benchmarks.md, "Memory"): PostgreSQL's default buffer pool is 128 MB, and PGlite,
  // one process with one connection, touches all of it at start. Pages beyond the pool are read
  // from the OS page cache. The other memory settings are allocated per operation, not held.
  const options = { startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${sharedBuffersMb}MB`] };
  let client: PGlite;
  let lock: DataDirLock | null = null;
  if (dataDir === "memory://") {
    client = new PGlite(options);
  } else {
    mkdirSync(dataDir, { recursive: true });
    // Before PGlite touches the files: a second process on them would corrupt them (data-dir-lock.ts).
    lock = lockDataDir(dataDir);
    // Durability, checked by test/flows/delivery-crash.test.ts (SIGKILL mid-delivery): on a directory,
    // PGlite writes through Emscripten's NODEFS straight to the files and commits with
    // synchronous_commit=on, so a transaction it has acknowledged survives the process being killed;
    // relaxedDurability (default false) only concerns the browser file systems. PGlite runs with
    // fsync=off, though, so an OS crash or power cut can lose recent commits: production data belongs
    // on PostgreSQL.
    const pgliteDir = `${dataDir.replace(/\/+$/, "")}/pglite`;
    try {
      await createPgliteDatabaseIfAbsent(pgliteDir, options.startParams);
    } catch (error) {
      lock.release();
      throw error;
    }
    client = new PGlite(pgliteDir, options);
  }
  // One connection, one process: every change is made here and delivered here, synchronously.
  const changes = createChangeFeedSource(true);
  try {
    await client.waitReady;
    await client.listen(CHANGES_CHANNEL, (payload) => changes.deliver(payload));
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite(client) as unknown as Database;
  return {
    db,
    kind: "pglite",
    changes,
    withDedicatedConnection: (work) => work(db),
    ping: async () => void (await db.execute(sql`select 1`)),
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const { default: pg } = await import("pg");
  const { drizzle: drizzlePg } = await import("drizzle-orm/node-postgres");
  const changes = createChangeFeedSource(false);
  const ListeningClient = listeningClient(pg.Client, changes);
  const pool = new pg.Pool({ connectionString: url, max: poolSize, Client: ListeningClient });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const listener = listenForChanges(() => new ListeningClient({ connectionString: url }), changes);
  const db = drizzlePg(pool) as unknown as Database;
  return {
    db,
    kind: "postgres",
    changes,
    async withDedicatedConnection(work) {
      const client = await pool.connect();
      try {
        return await work(drizzlePg(client) as unknown as Database);
      } finally {
        client.release();
      }
    },
    ping: async () => void (await db.execute(sql`select 1`)),
    async close() {
      await listener.stop();
      await pool.end();
    },
  };
}

/**
 * Pooled connections LISTEN before their first query, so this node's own commits are delivered
 * before COMMIT returns (read-your-writes); the dedicated listener covers the other nodes' commits.
 */
function listeningClient(Client: typeof pg.Client, changes: ChangeFeedSource): typeof pg.Client {
  return class ListeningClient extends Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: (error: Error | null, client: pg.Client) => void): void;
    override connect(callback?: (error: Error | null, client: pg.Client) => void): Promise<pg.Client> | void {
      this.on("notification", (message) => changes.deliver(message.payload ?? ""));
      const ready = super.connect().then(async () => {
        await this.query(`LISTEN ${CHANGES_CHANNEL}`);
        return this as pg.Client;
      });
      if (!callback) return ready;
      ready.then((client) => callback(null, client), (error: Error) => callback(error, this));
    }
  };
}

const LISTENER_RETRY_MS = { first: 250, max: 10_000 };

/**
 * Holds one connection that LISTENs for other nodes' changes. The feed is live only while it is
 * connected; each loss and each reconnect resets the feed, so caches drop what they may have missed.
 */
function listenForChanges(newClient: () => pg.Client, changes: ChangeFeedSource): { stop(): Promise<void> } {
  let stopped = false;
  let current: pg.Client | null = null;
  let retryMs = LISTENER_RETRY_MS.first;
  let timer: NodeJS.Timeout | null = null;

  const lost = (client: pg.Client) => {
    if (current !== client) return;
    current = null;
    changes.setLive(false);
    client.end().catch(() => {});
    if (!stopped) timer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, LISTENER_RETRY_MS.max);
  };

  async function connect() {
    timer = null;
    const client = newClient();
    current = client;
    client.on("error", () => lost(client));
    client.on("end", () => lost(client));
    try {
      await client.connect(); // a listening client: it LISTENs before connect() resolves
      if (stopped || current !== client) return void client.end().catch(() => {});
      retryMs = LISTENER_RETRY_MS.first;
      changes.setLive(true);
    } catch {
      lost(client);
    }
  }

  void connect();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const client = current;
      current = null;
      changes.setLive(false);
      await client?.end().catch(() => {});
    },
  };
}
