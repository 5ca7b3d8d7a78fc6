import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wrongCode } from "../../../test/support/codes.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

describe.each(databaseTargets())("magic codes (library) on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target);
  });
  afterAll(() => t.close());

  const to = (recipient: string) => ({ channel: "email", recipient });
  const issue = (recipient: string, purpose = "test") =>
    t.gatehouse.database.db.transaction((tx) => t.gatehouse.codes.issue(tx, { purpose, ...to(recipient), ttlSeconds: 600, extraData: { note: "x" } }));
  const verify = (recipient: string, code: string, purpose = "test") =>
    t.gatehouse.database.db.transaction((tx) => t.gatehouse.codes.verify(tx, { purpose, ...to(recipient), code }));

  it("stores a keyed MAC, never the code or its plain digest", async () => {
    const issued = await issue("mac@example.com");
    if (!issued.issued) throw new Error("not issued");
    expect(issued.code).toMatch(/^\d{6}$/);
    const result = await t.gatehouse.database.db.execute(sql`select code_hash from magic_codes where recipient = 'mac@example.com'`);
    const [row] = (result as unknown as { rows: Array<{ code_hash: string }> }).rows;
    expect(row!.code_hash).not.toContain(issued.code);
    expect(row!.code_hash).not.toBe(createHash("sha256").update(issued.code).digest("hex"));
    expect(await verify("mac@example.com", issued.code)).toEqual({ ok: true, extraData: { note: "x" } });
  });

  it("locks after the failures of several codes, until the window ends", async () => {
    const first = await issue("lock@example.com");
    if (!first.issued) throw new Error("not issued");
    for (let i = 0; i < 3; i++) expect(await verify("lock@example.com", wrongCode(first.code))).toEqual({ ok: false, reason: "invalid" });
    const second = await issue("lock@example.com");
    if (!second.issued) throw new Error("not issued");
    await verify("lock@example.com", wrongCode(second.code));
    await verify("lock@example.com", wrongCode(second.code));
    expect(await verify("lock@example.com", second.code)).toMatchObject({ ok: false, reason: "locked" });
    expect(await issue("lock@example.com")).toMatchObject({ issued: false });
    // Another purpose for the same recipient is untouched.
    const other = await issue("lock@example.com", "other");
    if (!other.issued) throw new Error("not issued");
    expect(await verify("lock@example.com", other.code, "other")).toMatchObject({ ok: true });
    t.clock.advance(3601);
    const third = await issue("lock@example.com");
    if (!third.issued) throw new Error("not issued");
    expect(await verify("lock@example.com", third.code)).toMatchObject({ ok: true });
  });

  it("expunges rows with no live code and no running failure window", async () => {
    const live = await issue("live@example.com");
    const used = await issue("used@example.com");
    if (!live.issued || !used.issued) throw new Error("not issued");
    await verify("used@example.com", used.code);
    await verify("failed@example.com", "123456");
    const count = async (recipient: string) =>
      (await t.gatehouse.database.db.execute(sql`select count(*)::int as n from magic_codes where recipient = ${recipient}`)) as unknown as { rows: Array<{ n: number }> };
    await t.gatehouse.codes.expunge(t.gatehouse.database.db);
    expect((await count("used@example.com")).rows[0]!.n).toBe(0);
    expect((await count("live@example.com")).rows[0]!.n).toBe(1);
    expect((await count("failed@example.com")).rows[0]!.n).toBe(1);
    t.clock.advance(3601);
    await t.gatehouse.codes.expunge(t.gatehouse.database.db);
    expect((await count("live@example.com")).rows[0]!.n).toBe(0);
    expect((await count("failed@example.com")).rows[0]!.n).toBe(0);
  });
});
