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

  /** Five wrong guesses at the live code (a new one if none is live): the last one locks. */
  const failFiveTimes = async (recipient: string) => {
    const issued = await issue(recipient);
    if (!issued.issued) throw new Error(`locked already, for ${issued.retryAfterSeconds} s`);
    for (let i = 0; i < 5; i++) expect(await verify(recipient, wrongCode(issued.code))).toEqual({ ok: false, reason: "invalid" });
    return issued.code;
  };
  const retryAfter = async (recipient: string) => {
    const check = await verify(recipient, "000000");
    return check.ok === false && check.reason === "locked" ? check.retryAfterSeconds : null;
  };
  const row = async (recipient: string) => {
    const result = await t.gatehouse.database.db.execute(
      sql`select failed_attempts, lockouts from magic_codes where recipient = ${recipient} and purpose = 'test'`,
    );
    return (result as unknown as { rows: Array<{ failed_attempts: number; lockouts: number }> }).rows[0] ?? null;
  };

  describe("growing lockouts (issue 15)", () => {
    it("makes the second lockout last twice the first, and a new code changes neither", async () => {
      const to = "double@example.com";
      await failFiveTimes(to);
      expect(await retryAfter(to)).toBe(3600);
      expect(await issue(to)).toEqual({ issued: false, retryAfterSeconds: 3600 });
      t.clock.advance(3600);
      // The lockout is over but remembered: five more failures, across a new code, lock for two hours.
      const first = await issue(to);
      if (!first.issued) throw new Error("not issued");
      for (let i = 0; i < 3; i++) await verify(to, wrongCode(first.code));
      const second = await issue(to);
      if (!second.issued) throw new Error("not issued");
      for (let i = 0; i < 2; i++) await verify(to, wrongCode(second.code));
      expect(await row(to)).toEqual({ failed_attempts: 5, lockouts: 2 });
      expect(await retryAfter(to)).toBe(7200);
      t.clock.advance(3600);
      expect(await retryAfter(to)).toBe(3600);
      t.clock.advance(3600);
      expect(await retryAfter(to)).toBeNull();
    });

    it("doubles up to GATEHOUSE_MAGIC_CODE_LOCKOUT_MAX_SECONDS (a day) and no further", async () => {
      const to = "cap@example.com";
      const lengths: number[] = [];
      for (let lockout = 1; lockout <= 8; lockout++) {
        await failFiveTimes(to);
        const seconds = (await retryAfter(to))!;
        lengths.push(seconds);
        t.clock.advance(seconds);
      }
      expect(lengths).toEqual([3600, 7200, 14_400, 28_800, 57_600, 86_400, 86_400, 86_400]);
    });

    it("does not forget failures with time: only a lockout or a correct code restarts the count", async () => {
      const to = "patient@example.com";
      const issued = await issue(to);
      if (!issued.issued) throw new Error("not issued");
      for (let i = 0; i < 4; i++) await verify(to, wrongCode(issued.code));
      t.clock.advance(3 * 86_400);
      const later = await issue(to);
      if (!later.issued) throw new Error("not issued");
      await verify(to, wrongCode(later.code));
      expect(await retryAfter(to)).toBe(3600);
    });

    it("clears failures and lockouts on a correct code only", async () => {
      const to = "owner@example.com";
      await failFiveTimes(to);
      t.clock.advance(3600);
      await failFiveTimes(to);
      t.clock.advance(7200);
      const issued = await issue(to);
      if (!issued.issued) throw new Error("not issued");
      await verify(to, wrongCode(issued.code));
      expect(await verify(to, issued.code)).toMatchObject({ ok: true });
      expect(await row(to)).toEqual({ failed_attempts: 0, lockouts: 0 });
      // The count starts over: the next lockout is the first again.
      await failFiveTimes(to);
      expect(await retryAfter(to)).toBe(3600);
    });

    it("refuses even the right code while locked, without counting it", async () => {
      const to = "locked-right@example.com";
      const code = await failFiveTimes(to);
      expect(await verify(to, code)).toMatchObject({ ok: false, reason: "locked" });
      expect(await row(to)).toMatchObject({ failed_attempts: 5, lockouts: 1 });
    });
  });

  describe("expunge", () => {
    const count = async (recipient: string) => {
      const result = await t.gatehouse.database.db.execute(sql`select count(*)::int as n from magic_codes where recipient = ${recipient}`);
      return (result as unknown as { rows: Array<{ n: number }> }).rows[0]!.n;
    };
    const expunge = () => t.gatehouse.codes.expunge(t.gatehouse.database.db);
    // lockoutMemorySeconds with the defaults: (5 doublings from an hour to a day + 1) days.
    const MEMORY_SECONDS = 6 * 86_400;

    it("deletes rows with nothing to remember, and keeps live codes until they expire", async () => {
      const live = await issue("live@example.com");
      const used = await issue("used@example.com");
      if (!live.issued || !used.issued) throw new Error("not issued");
      await verify("used@example.com", used.code);
      await expunge();
      expect(await count("used@example.com")).toBe(0);
      expect(await count("live@example.com")).toBe(1);
      t.clock.advance(601);
      await expunge();
      expect(await count("live@example.com")).toBe(0);
    });

    it("keeps the memory of failures and lockouts until the row has been idle for the memory period", async () => {
      await verify("failed@example.com", "123456");
      await failFiveTimes("lockouts@example.com");
      t.clock.advance(3600);
      await failFiveTimes("lockouts@example.com");
      // Both lockouts are over, the codes dead: the rows hold nothing but the memory.
      t.clock.advance(7200);
      await expunge();
      expect(await count("failed@example.com")).toBe(1);
      expect(await count("lockouts@example.com")).toBe(1);
      t.clock.advance(MEMORY_SECONDS - 7200 - 3600 - 60);
      await t.gatehouse.jobs.runNow("expunge");
      expect(await count("failed@example.com")).toBe(1);
      expect(await count("lockouts@example.com")).toBe(1);
      t.clock.advance(3600 + 60);
      await t.gatehouse.jobs.runNow("expunge");
      expect(await count("failed@example.com")).toBe(0);
      expect(await count("lockouts@example.com")).toBe(0);
    });

    it("so the lockout after an expunge run is still the doubled one", async () => {
      const to = "remembered@example.com";
      await failFiveTimes(to);
      t.clock.advance(3600);
      await expunge();
      await failFiveTimes(to);
      expect(await retryAfter(to)).toBe(7200);
    });
  });
});
