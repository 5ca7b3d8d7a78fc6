import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatehouse, type Gatehouse } from "../../gatehouse.js";
import { registerUser, signIn } from "../../../test/support/factories.js";
import { latestEmailTo } from "../../../test/support/mail.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, testConfig, type TestGatehouse } from "../../../test/support/test-gatehouse.js";
import { buildServer } from "../../server.js";

/** @see issue 9, item 4: the master key can be rotated without losing anything sealed under it. */
describe.each(databaseTargets())("master-key rotation on $name", (target) => {
  let t: TestGatehouse;
  const oldKey = randomBytes(32).toString("base64");
  const newKey = randomBytes(32).toString("base64");
  beforeAll(async () => {
    t = await startTestGatehouse(target, { env: { GATEHOUSE_MASTER_KEY: oldKey } });
  });
  afterAll(() => t.close());

  /** Another node on the same database, with other keys. */
  const node = (env: Record<string, string>) => createGatehouse(testConfig(env), { database: t.gatehouse.database, clock: t.clock, startJobs: false });
  const closing = async <T>(gatehouse: Gatehouse, work: (g: Gatehouse) => Promise<T>) => {
    try {
      return await work(gatehouse);
    } finally {
      await gatehouse.close();
    }
  };

  it("re-seals signing keys and queued mail under the new key, after which the old one can go", async () => {
    const user = await registerUser(t.app);
    const before = await latestEmailTo(t.gatehouse, user.email);

    // Rotating: the new key seals, the old one still opens.
    const rewrapped = await closing(await node({ GATEHOUSE_MASTER_KEY: newKey, GATEHOUSE_RETIRED_MASTER_KEYS: oldKey }), async (rotating) => {
      expect((await latestEmailTo(rotating, user.email)).text).toBe(before.text);
      const counts = await rotating.rewrapSealed();
      expect(await rotating.rewrapSealed()).toEqual({ signingKeys: 0, outbox: 0 });
      return counts;
    });
    expect(rewrapped.signingKeys).toBeGreaterThanOrEqual(1);
    expect(rewrapped.outbox).toBeGreaterThanOrEqual(1);

    // Afterwards: only the new key, and nothing is lost.
    await closing(await node({ GATEHOUSE_MASTER_KEY: newKey }), async (rotated) => {
      expect((await latestEmailTo(rotated, user.email)).text).toBe(before.text);
      const app = await buildServer(rotated);
      try {
        const grant = await signIn(app, user.email);
        expect((await app.inject({ method: "GET", url: "/v1/me", headers: { authorization: `Bearer ${grant.accessToken}` } })).statusCode).toBe(200);
      } finally {
        await app.close();
      }
    });
  });

  it("refuses to start with a master key that does not open the database's signing keys, saying so", async () => {
    await expect(node({ GATEHOUSE_MASTER_KEY: randomBytes(32).toString("base64") })).rejects.toThrow(
      /cannot open signing key .*not the key this database was set up with/,
    );
  });

  it("refuses a retired key that is not a 32-byte key", () => {
    expect(() => testConfig({ GATEHOUSE_RETIRED_MASTER_KEYS: "not-a-key" })).toThrow(/GATEHOUSE_RETIRED_MASTER_KEYS must be 32-byte keys/);
  });
});
