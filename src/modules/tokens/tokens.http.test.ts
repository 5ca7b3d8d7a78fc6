import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
    const stored = await tokens.store(db, { token: "externally-made-token", purpose: "api", subject: "user-3", expiresAt: new Date(t.clock.now().getTime() + 60_000) });
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

  it("rotates: new tokens use the new key, old tokens keep working, two rotations retire the oldest", async () => {
    const user = await registerUser(t.app);
    const before = await signIn(t.app, user.email);
    const oldKid = decodeProtectedHeader(before.accessToken).kid;

    const { kid: newKid } = await t.gatehouse.signingKeys.rotate();
    expect(newKid).not.toBe(oldKid);
    expect((await jwks()).map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    const after = await signIn(t.app, user.email);
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(newKid);
    expect((await t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(before.accessToken) })).statusCode).toBe(200);

    const { kid: newest } = await t.gatehouse.signingKeys.rotate();
    expect((await jwks()).map((k) => k.kid).sort()).toEqual([newKid, newest].sort());
    t.clock.advance(6); // past the unknown-kid reload guard
    expect((await t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(before.accessToken) })).statusCode).toBe(401);
    expect((await t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(after.accessToken) })).statusCode).toBe(200);
  });
});
