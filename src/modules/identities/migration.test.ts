import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, packageRoot } from "../../kernel/db/migrate.js";
import { databaseTargets } from "../../../test/support/test-database.js";

/** The migrations folder as it was before identities: only 0000_core. */
function coreOnlyMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-migrations-"));
  cpSync(join(packageRoot(), "migrations"), dir, { recursive: true });
  const journalPath = join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: Array<{ tag: string }> };
  journal.entries = journal.entries.filter((e) => e.tag === "0000_core");
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

describe.each(databaseTargets())("migration 0001 (identities) on $name", (target) => {
  let database: Awaited<ReturnType<typeof target.create>>;
  let folder: string;
  beforeAll(async () => {
    database = await target.create();
    folder = coreOnlyMigrations();
  });
  afterAll(async () => {
    await database.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it("turns every existing user's address into an email identity, verified when it was confirmed", async () => {
    const { handle } = database;
    const migrate = handle.kind === "pglite" ? migratePglite : migratePg;
    await migrate(handle.db as never, { migrationsFolder: folder });
    await handle.db.execute(sql`
      insert into users (id, email, email_confirmed_at, created_at, updated_at) values
        ('00000000-0000-7000-8000-000000000001', 'Confirmed@Example.com', '2026-01-01T00:00:00Z', now(), now()),
        ('00000000-0000-7000-8000-000000000002', 'pending@example.com', null, now(), now())`);

    await applyMigrations(handle);

    const result = await handle.db.execute(sql`select user_id, type, value, verified_at from identities order by user_id`);
    const rows = (result as unknown as { rows: Array<Record<string, unknown>> }).rows;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ user_id: "00000000-0000-7000-8000-000000000001", type: "email", value: "confirmed@example.com" });
    expect(rows[0]!.verified_at).not.toBeNull();
    expect(rows[1]).toMatchObject({ user_id: "00000000-0000-7000-8000-000000000002", value: "pending@example.com", verified_at: null });
    // Phone-only users can exist now.
    await handle.db.execute(sql`insert into users (id, email, created_at, updated_at) values ('00000000-0000-7000-8000-000000000003', null, now(), now())`);
  });
});
