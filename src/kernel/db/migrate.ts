import { existsSync, readFileSync } from "node:fs";
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

/** The `when` stamp of the newest migration this installation ships (migrations/meta/_journal.json). */
export function newestMigrationMillis(): number {
  const journal = JSON.parse(readFileSync(join(packageRoot(), "migrations", "meta", "_journal.json"), "utf8")) as { entries: Array<{ when: number }> };
  return Math.max(0, ...journal.entries.map((e) => e.when));
}

/** The stamp of the newest migration applied to the database (drizzle's journal table), 0 for none. */
export async function newestAppliedMigrationMillis(handle: DatabaseHandle): Promise<number> {
  const result = await handle.db.execute(sql`select coalesce(max(created_at), 0) as newest from drizzle.__drizzle_migrations`);
  const rows = (result as unknown as { rows: Array<{ newest: string | number }> }).rows;
  return Number(rows[0]?.newest ?? 0);
}
