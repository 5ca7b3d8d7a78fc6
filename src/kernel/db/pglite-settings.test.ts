import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./database.js";

/** @see issue #15, item 17: PostgreSQL's 128 MB buffer pool was most of the embedded server's memory. */
describe("the embedded database's settings", () => {
  const setting = async (handle: Awaited<ReturnType<typeof openDatabase>>, name: string) => {
    const result = (await handle.db.execute(sql`select current_setting(${name}) as value`)) as unknown as { rows: Array<{ value: string }> };
    return result.rows[0]!.value;
  };

  it("holds a 16 MB buffer pool, or the one configured, and keeps every commit synchronous", async () => {
    const small = await openDatabase({ url: null, dataDir: "memory://" });
    const larger = await openDatabase({ url: null, dataDir: "memory://", pgliteSharedBuffersMb: 48 });
    try {
      expect(await setting(small, "shared_buffers")).toBe("16MB");
      expect(await setting(larger, "shared_buffers")).toBe("48MB");
      // Durability is not traded for memory (database.ts, delivery-crash.test.ts).
      expect(await setting(small, "synchronous_commit")).toBe("on");
    } finally {
      await small.close();
      await larger.close();
    }
  });
});
