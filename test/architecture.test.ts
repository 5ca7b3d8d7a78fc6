import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/kernel/db/database.js";
import { applyMigrations } from "../src/kernel/db/migrate.js";
import { tokenCheckColumns } from "../src/modules/sessions/store.js";

const root = join(import.meta.dirname, "..");

/** The rules of docs/architecture.md, enforced: a new module follows them from its first commit. */
describe("architecture", () => {
  it("keeps the module rules (.dependency-cruiser.cjs): no cycles, kernel knows no module, modules meet at their index, routes hold no queries", async () => {
    const depcruise = join(root, "node_modules", ".bin", "depcruise");
    for (const config of [".dependency-cruiser.cjs", ".dependency-cruiser-cycles.cjs"]) {
      const run = promisify(execFile)(depcruise, ["src", "--config", config, "--output-type", "err"], { cwd: root });
      await expect(run, config).resolves.toBeDefined();
    }
  }, 60_000);

  it("documents every module in docs/architecture.md", () => {
    const doc = readFileSync(join(root, "docs", "architecture.md"), "utf8");
    for (const module of readdirSync(join(root, "src", "modules"))) expect(doc, module).toContain(`\`${module}\``);
  });

  it("announces a change to exactly the session columns a token check reads, and to any column of a user", async () => {
    const database = await openDatabase({ url: null, dataDir: "memory://" });
    try {
      await applyMigrations(database);
      const result = (await database.db.execute(sql`
        select tgname as name, pg_get_triggerdef(oid) as definition from pg_trigger
        where tgname in ('sessions_announce_change', 'users_announce_change')`)) as unknown as { rows: Array<{ name: string; definition: string }> };
      const definition = (name: string) => result.rows.find((r) => r.name === name)!.definition;
      const announced = /UPDATE OF ([\w", ]+?) ON /
        .exec(definition("sessions_announce_change"))![1]!
        .split(",")
        .map((c) => c.trim().replaceAll('"', ""));
      expect(announced.sort()).toEqual(
        Object.values(tokenCheckColumns)
          .map((column) => column.name)
          .sort(),
      );
      // The user cache holds the whole row (the User view), so every update must be announced.
      expect(definition("users_announce_change")).toMatch(/AFTER DELETE OR UPDATE ON/);
    } finally {
      await database.close();
    }
  });
});
