import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { DatabaseHandle } from "./database.js";

/** The package root, found from this file whether it runs from src/ (tests) or dist/ (build). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("package.json not found above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

// Any constant works; it only has to be the same for every Gatehouse node.
const MIGRATION_LOCK_ID = 7_041_998_311;

/**
 * Applies pending migrations. On PostgreSQL a session-level advisory lock makes nodes that start
 * together apply them once, one after the other.
 */
export async function applyMigrations(handle: DatabaseHandle): Promise<void> {
  const migrationsFolder = join(packageRoot(), "migrations");
  await handle.withDedicatedConnection(async (db) => {
    if (handle.kind === "pglite") {
      // Both drivers accept the same call; the types differ only in the driver's HKT.
      await migratePglite(db as never, { migrationsFolder });
      return;
    }
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`);
    try {
      await migratePg(db as never, { migrationsFolder });
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`);
    }
  });
}
