import { mkdirSync } from "node:fs";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type pg from "pg";
import { settings } from "../config/config-schema.js";
import { trackCommits } from "./after-commit.js";
import { CHANGES_CHANNEL, createChangeFeedSource, type ChangeFeed, type ChangeFeedSource } from "./change-feed.js";
import { listenForChanges, type HeartbeatOptions } from "./change-listener.js";
import { lockDataDir, type DataDirLock } from "./data-dir-lock.js";
import { DatabaseUnreachableError } from "./errors.js";
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
  /** PostgreSQL only; defaults are the settings' (src/kernel/config/config-schema.ts). */
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  heartbeat?: HeartbeatOptions;
  /** PGlite's buffer pool (`shared_buffers`), in MB; default 16. */
  pgliteSharedBuffersMb?: number;
}

export const DEFAULT_PGLITE_SHARED_BUFFERS_MB = 16;

/** Each driver is loaded only when chosen: a PostgreSQL node carries no PGlite, and the reverse. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options.url, options) : openPglite(options.dataDir, options.pgliteSharedBuffersMb ?? DEFAULT_PGLITE_SHARED_BUFFERS_MB);
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
  const db = trackCommits(drizzlePglite(client) as unknown as Database);
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

/** Idle time before the kernel probes a connection whose peer may have vanished without a word. */
const KEEPALIVE_IDLE_MS = 10_000;
/** The driver gives up this long after the server's own statement_timeout, when the server is silent. */
const QUERY_TIMEOUT_MARGIN_MS = 1000;

async function openPostgres(url: string, options: DatabaseOptions): Promise<DatabaseHandle> {
  const { default: pg } = await import("pg");
  const { drizzle: drizzlePg } = await import("drizzle-orm/node-postgres");
  const connectTimeoutMs = options.connectTimeoutMs ?? settings.databaseConnectTimeoutMs.default;
  const statementTimeoutMs = options.statementTimeoutMs ?? settings.databaseStatementTimeoutMs.default;
  const heartbeat = options.heartbeat ?? { intervalMs: settings.cacheHeartbeatIntervalMs.default, timeoutMs: settings.cacheHeartbeatTimeoutMs.default };
  // Every connection fails in bounded time: opening it, waiting for it, and each statement on it,
  // whether the server is slow (statement_timeout, SQLSTATE 57014) or gone (query_timeout).
  // Keepalive lets the kernel find a peer that vanished while the connection sat idle.
  const connection: pg.ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
  };
  const bounded: pg.ClientConfig = { ...connection, statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS };
  const changes = createChangeFeedSource(false);
  const ListeningClient = listeningClient(pg.Client, changes);
  const pool = new pg.Pool({ ...bounded, max: options.poolSize ?? 10, Client: ListeningClient });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  try {
    await pool.query("select 1");
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseUnreachableError(describeServer(url), connectTimeoutMs, error);
  }
  const listener = listenForChanges(() => new ListeningClient(bounded), changes, heartbeat);
  const db = trackCommits(drizzlePg(pool) as unknown as Database);
  return {
    db,
    kind: "postgres",
    changes,
    async withDedicatedConnection(work) {
      // Not from the pool and without statement limits: migrations and the lock that orders them
      // may rightly take longer than any request should.
      const client = new pg.Client(connection);
      client.on("error", () => {});
      await client.connect();
      try {
        return await work(drizzlePg(client) as unknown as Database);
      } finally {
        await client.end().catch(() => {});
      }
    },
    ping: async () => void (await db.execute(sql`select 1`)),
    async close() {
      await listener.stop();
      await pool.end();
    },
  };
}

/** Where a URL points, without its credentials, for messages that may end up in logs. */
function describeServer(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
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
      this.on("notification", (message) => {
        if (message.channel === CHANGES_CHANNEL) changes.deliver(message.payload ?? "");
      });
      closeAfterReadTimeout(this);
      const ready = super.connect().then(async () => {
        await this.query(`LISTEN ${CHANGES_CHANNEL}`);
        return this as pg.Client;
      });
      if (!callback) return ready;
      ready.then(
        (client) => callback(null, client),
        (error: Error) => callback(error, this),
      );
    }
  };
}

/** node-postgres's message when `query_timeout` passes without an answer. */
const QUERY_READ_TIMEOUT = "Query read timeout";

/**
 * A query that timed out waiting for the server leaves its connection out of step (the answer may
 * still come), and transactions hand connections back to the pool without an error. So such a
 * connection is closed at once, and the pool opens a fresh one when the server is back.
 */
function closeAfterReadTimeout(client: pg.Client): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const result = query(...args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) client.end().catch(() => {});
      });
    }
    return result;
  }) as pg.Client["query"];
}
