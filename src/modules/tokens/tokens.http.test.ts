import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatehouse } from "../../gatehouse.js";
import { openDatabase } from "../../kernel/db/database.js";
import { bearer, registerUser, signIn } from "../../../test/support/factories.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";
import { TokenPurposes } from "./index.js";

describe.each(databaseTargets())("token store on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target);
  });
  afterAll(() => t.close());

  it("stores only a digest, finds a token by value or jti and purpose, and consumes it once", async () => {
    const { tokens, database } = t.gatehouse;
    const { db } = database;
    const issued = await tokens.issue(db, { purpose: "invite", subject: "user-1", ttlSeconds: 600, extraData: { team: "blue" } });
    const byToken = await tokens.get(db, { token: issued.token }, "invite");
    expect(byToken).toMatchObject({ jti: issued.jti, subject: "user-1", extraData: { team: "blue" } });
    expect(byToken!.tokenHash).not.toContain(issued.token);
    expect(byToken!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await tokens.get(db, { jti: issued.jti }))?.id).toBe(byToken!.id);
    expect(await tokens.get(db, { token: issued.token }, "another_purpose")).toBeNull();

    expect(await tokens.consume(db, issued.token, "another_purpose")).toBeNull();
    expect(await tokens.consume(db, issued.token, "invite")).not.toBeNull();
    expect(await tokens.consume(db, issued.token, "invite")).toBeNull();
  });

  it("consumes a token at most once under concurrent use", async () => {
    const { tokens, database } = t.gatehouse;
    const issued = await tokens.issue(database.db, { purpose: "race", subject: "user-2", ttlSeconds: 600 });
    const results = await Promise.all(Array.from({ length: 20 }, () => tokens.consume(database.db, issued.token, "race")));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it("revokes by token or by jti, including tokens it never stored (JWTs)", async () => {
    const { tokens, database } = t.gatehouse;
    const { db } = database;
    const stored = await tokens.store(db, {
      token: "externally-made-token",
      purpose: "api",
      subject: "user-3",
      expiresAt: new Date(t.clock.now().getTime() + 60_000),
    });
    expect(await tokens.isRevoked(db, { token: "externally-made-token" })).toBe(false);
    await tokens.revoke(db, { jti: stored.jti });
    expect(await tokens.isRevoked(db, { token: "externally-made-token" })).toBe(true);
    expect(await tokens.consume(db, "externally-made-token", "api")).toBeNull();

    expect(await tokens.isRevoked(db, { jti: "jwt-never-seen" })).toBe(false);
    await tokens.revoke(db, { jti: "jwt-never-seen" });
    expect(await tokens.isRevoked(db, { jti: "jwt-never-seen" })).toBe(true);
    expect((await tokens.get(db, { jti: "jwt-never-seen" }))?.purpose).toBe(TokenPurposes.revocation);
  });

  it("revokes every live token of a purpose for a subject", async () => {
    const { tokens, database } = t.gatehouse;
    const { db } = database;
    const a = await tokens.issue(db, { purpose: "reset", subject: "user-4", ttlSeconds: 600 });
    const b = await tokens.issue(db, { purpose: "reset", subject: "user-4", ttlSeconds: 600 });
    const other = await tokens.issue(db, { purpose: "reset", subject: "user-5", ttlSeconds: 600 });
    expect(await tokens.revokeAllFor(db, "user-4", "reset")).toBe(2);
    expect(await tokens.consume(db, a.token, "reset")).toBeNull();
    expect(await tokens.consume(db, b.token, "reset")).toBeNull();
    expect(await tokens.consume(db, other.token, "reset")).not.toBeNull();
  });

  it("reads and expunges expired tokens, and the expunge job does it on schedule", async () => {
    const { tokens, database, jobs } = t.gatehouse;
    const { db } = database;
    const short = await tokens.issue(db, { purpose: "short", subject: "user-6", ttlSeconds: 60 });
    const long = await tokens.issue(db, { purpose: "long", subject: "user-6", ttlSeconds: 86_400 });
    t.clock.advance(61);
    expect(await tokens.consume(db, short.token, "short")).toBeNull();
    const expired = await tokens.readExpired(db);
    expect(expired.map((r) => r.jti)).toContain(short.jti);
    expect(expired.map((r) => r.jti)).not.toContain(long.jti);
    await jobs.runNow("expunge");
    expect(await tokens.get(db, { jti: short.jti })).toBeNull();
    expect(await tokens.get(db, { jti: long.jti })).not.toBeNull();
    expect(await tokens.expungeExpired(db)).toBe(0);
  });
});

describe.each(databaseTargets())("signing keys on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target);
  });
  afterAll(() => t.close());

  const jwks = async () => (await t.app.inject({ method: "GET", url: "/.well-known/jwks.json" })).json().keys as Array<Record<string, string>>;

  it("publishes public keys only, with kid, alg and use", async () => {
    const keys = await jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(keys[0]!.kid).toBeTruthy();
    expect(keys[0]!.d).toBeUndefined();
  });

  const kidOf = (token: string) => decodeProtectedHeader(token).kid;
  const me = (token: string) => t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(token) }).then((r) => r.statusCode);

  /** @see issue #15, item 12 (b): a new key is published one JWKS cache lifetime before it signs. */
  it("publishes a rotated-in key at once and signs with it only after relying parties' caches have expired", async () => {
    const user = await registerUser(t.app);
    const before = await signIn(t.app, user.email);
    const oldKid = kidOf(before.accessToken);
    const jwksResponse = await t.app.inject({ method: "GET", url: "/.well-known/jwks.json" });
    expect(jwksResponse.headers["cache-control"]).toBe("public, max-age=300");

    const rotatedAt = t.clock.now();
    const rotation = await t.gatehouse.signingKeys.rotate();
    expect(t.gatehouse.signingKeys.publicationLeadSeconds).toBe(300 + 60); // max-age, plus a node's key-set reload interval
    expect(rotation.activatesAt).toEqual(new Date(rotatedAt.getTime() + 360_000));
    expect(rotation.retiredKids).toEqual([]);
    expect((await jwks()).map((k) => k.kid).sort()).toEqual([oldKid, rotation.kid].sort());

    // Until activation the old key signs; tokens of both keys verify throughout.
    const during = await signIn(t.app, user.email);
    expect(kidOf(during.accessToken)).toBe(oldKid);
    expect(await me(before.accessToken)).toBe(200);
    t.clock.advance(359);
    const lastOfOld = await signIn(t.app, user.email);
    expect(kidOf(lastOfOld.accessToken)).toBe(oldKid);
    expect(await me(during.accessToken)).toBe(200);
    t.clock.advance(1);
    const after = await signIn(t.app, user.email);
    expect(kidOf(after.accessToken)).toBe(rotation.kid);
    expect(await me(lastOfOld.accessToken)).toBe(200);
    expect(await me(after.accessToken)).toBe(200);
    expect((await jwks()).map((k) => k.kid).sort()).toEqual([oldKid, rotation.kid].sort());

    // The rotation is audited, with Gatehouse itself as actor (no user behind it).
    const [event] = await t.gatehouse.audit.listByAction(t.gatehouse.database.db, "signing_key.rotated", 1);
    expect(event).toMatchObject({ actorType: "system", actorUserId: null, subjectUserId: null, outcome: "success" });
    expect(event!.data).toEqual({
      system: "signing-keys",
      kid: rotation.kid,
      activatesAt: rotation.activatesAt.toISOString(),
      immediate: false,
      retiredKids: [],
      previousSigner: oldKid,
    });

    // The previous signer stays published until the next rotation, long after it stopped signing.
    t.clock.advance(3600);
    expect((await jwks()).map((k) => k.kid)).toContain(oldKid);
    const next = await t.gatehouse.signingKeys.rotate();
    expect(next.retiredKids).toEqual([oldKid]);
    expect((await jwks()).map((k) => k.kid).sort()).toEqual([rotation.kid, next.kid].sort());
    expect(kidOf((await signIn(t.app, user.email)).accessToken)).toBe(rotation.kid);
  });

  it("keeps a former signer published while its tokens can be valid, when rotations follow each other quickly", async () => {
    const { signingKeys, accessTokens } = t.gatehouse;
    const issue = () => accessTokens.issue({ subject: "s", sessionId: "x", roles: [], authenticatedAt: t.clock.now() });
    const first = await signingKeys.rotate();
    t.clock.advance(signingKeys.publicationLeadSeconds);
    const second = await signingKeys.rotate();
    t.clock.advance(signingKeys.publicationLeadSeconds - 1);
    const lastOfFirst = await issue();
    expect(kidOf(lastOfFirst.token)).toBe(first.kid);
    t.clock.advance(1);
    expect(kidOf((await issue()).token)).toBe(second.kid);
    // The first key signed a second ago: a rotation now must not withdraw it while that token lives.
    const third = await signingKeys.rotate();
    expect(third.retiredKids).not.toContain(first.kid);
    await expect(accessTokens.verify(lastOfFirst.token)).resolves.toMatchObject({ sub: "s" });
    // Once its last token has expired (300 s + 60 s tolerance), the next rotation withdraws it.
    t.clock.advance(360);
    const fourth = await signingKeys.rotate();
    expect(fourth.retiredKids).toContain(first.kid);
    expect((await jwks()).map((k) => k.kid)).not.toContain(first.kid);
  });

  it("rotates immediately for a compromised key: the new key signs at once and the old keys' tokens are refused", async () => {
    const user = await registerUser(t.app);
    const before = await signIn(t.app, user.email);
    const oldKids = (await jwks()).map((k) => k.kid);
    const rotation = await t.gatehouse.signingKeys.rotate({ immediate: true });
    expect(rotation.activatesAt).toEqual(t.clock.now());
    expect(rotation.retiredKids.sort()).toEqual([...oldKids].sort());
    expect((await jwks()).map((k) => k.kid)).toEqual([rotation.kid]);
    const after = await signIn(t.app, user.email);
    expect(kidOf(after.accessToken)).toBe(rotation.kid);
    expect(await me(after.accessToken)).toBe(200);
    expect(await me(before.accessToken)).toBe(401);
    const [event] = await t.gatehouse.audit.listByAction(t.gatehouse.database.db, "signing_key.rotated", 1);
    expect(event!.data).toMatchObject({ kid: rotation.kid, immediate: true });
  });

  it("keeps two nodes on one database signing with the same key at the same moment", async () => {
    // A second node: on PostgreSQL its own pool and listener; on PGlite, which has one connection, the same handle.
    const handle = t.databaseUrl ? await openDatabase({ url: t.databaseUrl, dataDir: "unused", poolSize: 2 }) : t.gatehouse.database;
    const other = await createGatehouse(t.config, { startJobs: false, database: handle, clock: t.clock });
    try {
      const issueOn = async (node: typeof other) =>
        kidOf((await node.accessTokens.issue({ subject: "s", sessionId: "x", roles: [], authenticatedAt: t.clock.now() })).token);
      const signerBefore = await issueOn(other); // the other node has loaded (and caches) the key set
      const rotation = await t.gatehouse.signingKeys.rotate();
      // The rotation announces itself: the other node publishes the new key without waiting for its reload interval.
      await until(async () => (await other.signingKeys.jwks()).keys.some((k) => k.kid === rotation.kid));
      expect(await issueOn(other)).toBe(signerBefore);
      expect(await issueOn(t.gatehouse)).toBe(signerBefore);
      t.clock.advance(t.gatehouse.signingKeys.publicationLeadSeconds);
      expect(await issueOn(other)).toBe(rotation.kid);
      expect(await issueOn(t.gatehouse)).toBe(rotation.kid);
      const fromOther = await other.accessTokens.issue({ subject: "s", sessionId: "x", roles: [], authenticatedAt: t.clock.now() });
      await expect(t.gatehouse.accessTokens.verify(fromOther.token)).resolves.toMatchObject({ sub: "s" });
    } finally {
      await other.close();
      if (handle !== t.gatehouse.database) await handle.close();
    }
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
