import { decodeJwt, decodeProtectedHeader, SignJWT, generateKeyPair, base64url } from "jose";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rolesTable, userRolesTable } from "../authz/tables.js";
import { bearer, registerUser, signIn, STRONG_PASSWORD, uniqueEmail } from "../../../test/support/factories.js";
import { hashOperations } from "../../../test/support/metrics.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, TEST_BASE_URL, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

describe.each(databaseTargets())("sessions on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target);
  });
  afterAll(() => t.close());

  const me = (accessToken: string) => t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(accessToken) });
  const refresh = (refreshToken: string) => t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken } });

  describe("POST /v1/sessions", () => {
    it("signs in by email or username, case-insensitively, and records the device", async () => {
      const user = await registerUser(t.app, { username: "Grace_H" + Date.now() });
      const byEmail = await signIn(t.app, user.email.toUpperCase(), STRONG_PASSWORD, { "user-agent": "curl/8.0" });
      const byUsername = await signIn(t.app, user.username!.toLowerCase());
      expect(byEmail.session).toMatchObject({ userId: user.id, method: "password", ip: "127.0.0.1", userAgent: "curl/8.0" });
      expect(byUsername.session.id).not.toBe(byEmail.session.id);
    });

    it("issues an EdDSA at+jwt access token with kid, issuer, audience, subject, session, jti and roles", async () => {
      const user = await registerUser(t.app);
      const grant = await signIn(t.app, user.email);
      const header = decodeProtectedHeader(grant.accessToken);
      expect(header).toMatchObject({ alg: "EdDSA", typ: "at+jwt" });
      const jwks = (await t.app.inject({ method: "GET", url: "/.well-known/jwks.json" })).json();
      expect(jwks.keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);
      const claims = decodeJwt(grant.accessToken);
      expect(claims).toMatchObject({ iss: TEST_BASE_URL, aud: "gatehouse", sub: user.id, sid: grant.session.id, roles: [] });
      expect(claims.exp! - claims.iat!).toBe(300);
      expect(typeof claims.jti).toBe("string");
      expect(grant.expiresIn).toBe(300);
    });

    it("answers an unknown account and a wrong password identically, with the same hash work", async () => {
      const user = await registerUser(t.app);
      const before = await hashOperations(t.gatehouse);
      const unknown = await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: uniqueEmail("ghost"), password: STRONG_PASSWORD } });
      const afterUnknown = await hashOperations(t.gatehouse);
      const wrong = await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: "not the right password at all" } });
      const afterWrong = await hashOperations(t.gatehouse);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.statusCode).toBe(401);
      expect(unknown.body).toBe(wrong.body);
      expect(unknown.json().error.code).toBe("invalid_credentials");
      expect(afterUnknown - before).toBe(1);
      expect(afterWrong - afterUnknown).toBe(1);
    });

    it("refuses a password longer than 1,024 characters without hashing it", async () => {
      const user = await registerUser(t.app);
      const before = await hashOperations(t.gatehouse);
      const response = await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: "x".repeat(1025) } });
      expect(response.statusCode).toBe(401);
      expect(await hashOperations(t.gatehouse)).toBe(before);
    });

    it("rejects unknown fields and wrong types", async () => {
      const extra = await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: "a@b.co", password: "x", admin: true } });
      expect(extra.statusCode).toBe(400);
      expect(extra.json().error.code).toBe("validation_failed");
      const wrongType = await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: "a@b.co", password: 12345 } });
      expect(wrongType.statusCode).toBe(400);
      expect(wrongType.json().error.code).toBe("validation_failed");
    });
  });

  describe("access token verification", () => {
    const forge = async (header: Record<string, unknown>, claims: Record<string, unknown>) => {
      const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
      return new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", ...header }).sign(privateKey);
    };

    it("rejects alg none, foreign keys, embedded keys, tampered signatures and wrong audience or issuer", async () => {
      const user = await registerUser(t.app);
      const grant = await signIn(t.app, user.email);
      const [header, payload, signature] = grant.accessToken.split(".") as [string, string, string];
      const claims = decodeJwt(grant.accessToken);
      const kid = decodeProtectedHeader(grant.accessToken).kid;
      const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

      const none = `${encode({ alg: "none", typ: "at+jwt", kid })}.${payload}.`;
      const tampered = `${header}.${encode({ ...claims, sub: "00000000-0000-7000-8000-000000000000" })}.${signature}`;
      const foreignKid = await forge({ typ: "at+jwt", kid: "not-ours" }, claims);
      const sameKidOtherKey = await forge({ typ: "at+jwt", kid }, claims);
      const { publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
      const embeddedJwk = await forge({ typ: "at+jwt", kid, jwk: { kty: "OKP", crv: "Ed25519", x: "AAAA" } }, claims);
      const jku = await forge({ typ: "at+jwt", kid, jku: "https://attacker.example/jwks.json" }, claims);
      void publicKey;
      for (const token of [none, tampered, foreignKid, sameKidOtherKey, embeddedJwk, jku, "not.a.jwt", grant.accessToken + "x"]) {
        const response = await me(token);
        expect(response.statusCode, token.slice(0, 40)).toBe(401);
        expect(response.json().error.code).toBe("invalid_token");
        expect(response.headers["www-authenticate"]).toContain("Bearer");
      }
      expect((await me(grant.accessToken)).statusCode).toBe(200);
    });

    it("rejects a token for another audience or issuer even when our key signed it", async () => {
      const user = await registerUser(t.app);
      const grant = await signIn(t.app, user.email);
      const key = await t.gatehouse.signingKeys.current();
      const claims = decodeJwt(grant.accessToken);
      const sign = (overrides: Record<string, unknown>) =>
        new SignJWT({ ...claims, ...overrides }).setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: key.kid }).sign(key.privateKey);
      expect((await me(await sign({}))).statusCode).toBe(200);
      expect((await me(await sign({ aud: "another-api" }))).statusCode).toBe(401);
      expect((await me(await sign({ iss: "https://evil.example" }))).statusCode).toBe(401);
      const untyped = await new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid: key.kid }).sign(key.privateKey);
      expect((await me(untyped)).statusCode).toBe(401);
    });

    it("accepts a token up to 60 seconds past expiry and rejects it after", async () => {
      const user = await registerUser(t.app);
      const grant = await signIn(t.app, user.email);
      t.clock.advance(300 + 50);
      expect((await me(grant.accessToken)).statusCode).toBe(200);
      t.clock.advance(20);
      expect((await me(grant.accessToken)).statusCode).toBe(401);
    });

    it("requires a bearer token", async () => {
      const response = await t.app.inject({ method: "GET", url: "/v1/me" });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe("unauthenticated");
      expect(response.headers["www-authenticate"]).toBe('Bearer realm="gatehouse"');
    });
  });

  describe("POST /v1/sessions/refresh", () => {
    it("rotates the refresh token on every use and keeps the session", async () => {
      const user = await registerUser(t.app);
      const first = await signIn(t.app, user.email);
      const second = (await refresh(first.refreshToken)).json();
      const third = (await refresh(second.refreshToken)).json();
      expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
      expect(third.session.id).toBe(first.session.id);
      expect((await me(third.accessToken)).statusCode).toBe(200);
    });

    it("puts the user's current roles, sorted, into every refreshed access token", async () => {
      const user = await registerUser(t.app);
      const grant = await signIn(t.app, user.email);
      const { db } = t.gatehouse.database;
      const now = new Date();
      const roles = [
        { id: randomUUID(), name: `zeta-${randomUUID()}`, createdAt: now, updatedAt: now },
        { id: randomUUID(), name: `alpha-${randomUUID()}`, createdAt: now, updatedAt: now },
      ];
      await db.insert(rolesTable).values(roles);
      await db.insert(userRolesTable).values(roles.map((role) => ({ userId: user.id, roleId: role.id, createdAt: now })));
      const refreshed = (await refresh(grant.refreshToken)).json();
      expect(decodeJwt(refreshed.accessToken).roles).toEqual([roles[1]!.name, roles[0]!.name]);
    });

    it("revokes the whole session when a spent refresh token is presented again", async () => {
      const user = await registerUser(t.app);
      const first = await signIn(t.app, user.email);
      const second = (await refresh(first.refreshToken)).json();
      const replay = await refresh(first.refreshToken);
      expect(replay.statusCode).toBe(401);
      expect(replay.json().error.code).toBe("refresh_token_reused");
      // The thief's and the owner's tokens of that family are all dead now.
      expect((await refresh(second.refreshToken)).statusCode).toBe(401);
      expect((await me(second.accessToken)).statusCode).toBe(401);
      const audit = await t.gatehouse.audit.listForUser(t.gatehouse.database.db, user.id, 50);
      expect(audit.map((e) => e.action)).toContain("session.reuse_detected");
    });

    it("never lets two concurrent refreshes with one token both keep a live family", async () => {
      const user = await registerUser(t.app);
      const grant = await signIn(t.app, user.email);
      const results = await Promise.all(Array.from({ length: 8 }, () => refresh(grant.refreshToken)));
      const succeeded = results.filter((r) => r.statusCode === 200);
      expect(succeeded.length).toBeLessThanOrEqual(1);
      const live = await t.gatehouse.sessions.list(user.id);
      // Either one refresh won and the replays ended the session, or nothing survived: never two families.
      expect(live.length).toBe(0);
      for (const response of succeeded) expect((await refresh(response.json().refreshToken)).statusCode).toBe(401);
    });

    it("rejects unknown and expired refresh tokens", async () => {
      expect((await refresh("made-up-token")).json().error.code).toBe("invalid_refresh_token");
      const user = await registerUser(t.app);
      const grant = await signIn(t.app, user.email);
      t.clock.advance(30 * 86_400 + 1);
      expect((await refresh(grant.refreshToken)).statusCode).toBe(401);
    });
  });

  describe("sessions of a user", () => {
    it("lists my sessions, revokes one, revokes the others, and signs out", async () => {
      const user = await registerUser(t.app);
      const a = await signIn(t.app, user.email);
      const b = await signIn(t.app, user.email);
      const c = await signIn(t.app, user.email);
      const listed = (await t.app.inject({ method: "GET", url: "/v1/sessions", headers: bearer(a.accessToken) })).json().sessions;
      expect(listed).toHaveLength(3);
      expect(listed.find((s: { id: string }) => s.id === a.session.id).current).toBe(true);

      const revokeB = await t.app.inject({ method: "DELETE", url: `/v1/sessions/${b.session.id}`, headers: bearer(a.accessToken) });
      expect(revokeB.statusCode).toBe(204);
      expect((await me(b.accessToken)).statusCode).toBe(401);
      expect((await refresh(b.refreshToken)).statusCode).toBe(401);

      const others = await t.app.inject({ method: "POST", url: "/v1/sessions/revoke-others", headers: bearer(a.accessToken) });
      expect(others.json()).toEqual({ revoked: 1 });
      expect((await me(c.accessToken)).statusCode).toBe(401);
      expect((await me(a.accessToken)).statusCode).toBe(200);

      const out = await t.app.inject({ method: "DELETE", url: "/v1/sessions/current", headers: bearer(a.accessToken) });
      expect(out.statusCode).toBe(204);
      expect((await me(a.accessToken)).statusCode).toBe(401);
      expect((await refresh(a.refreshToken)).statusCode).toBe(401);
    });

    it("cannot revoke another user's session", async () => {
      const alice = await registerUser(t.app);
      const bob = await registerUser(t.app);
      const aliceGrant = await signIn(t.app, alice.email);
      const bobGrant = await signIn(t.app, bob.email);
      const response = await t.app.inject({ method: "DELETE", url: `/v1/sessions/${bobGrant.session.id}`, headers: bearer(aliceGrant.accessToken) });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe("session_not_found");
      expect((await me(bobGrant.accessToken)).statusCode).toBe(200);
      const malformed = await t.app.inject({ method: "DELETE", url: "/v1/sessions/not-a-uuid", headers: bearer(aliceGrant.accessToken) });
      expect(malformed.statusCode).toBe(400);
    });
  });

  describe("sign-in tokens", () => {
    it("exchanges a sign-in token once, within 60 seconds", async () => {
      const user = await registerUser(t.app);
      const grant = await signIn(t.app, user.email);
      const issue = () => t.app.inject({ method: "POST", url: "/v1/sign-in-tokens", headers: bearer(grant.accessToken) });
      const exchange = (signInToken: string) => t.app.inject({ method: "POST", url: "/v1/sessions/sign-in-token", payload: { signInToken } });

      const issued = (await issue()).json();
      expect(issued.expiresIn).toBe(60);
      const first = await exchange(issued.signInToken);
      expect(first.statusCode).toBe(201);
      expect(first.json().session).toMatchObject({ userId: user.id, method: "sign_in_token" });
      expect((await exchange(issued.signInToken)).json().error.code).toBe("invalid_sign_in_token");

      const late = (await issue()).json();
      t.clock.advance(61);
      expect((await exchange(late.signInToken)).statusCode).toBe(401);
    });
  });
});

describe.each(databaseTargets())("refresh reuse interval on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, { env: { GATEHOUSE_REFRESH_REUSE_INTERVAL_SECONDS: "10" } });
  });
  afterAll(() => t.close());

  it("gives a second tab a valid pair within the interval, in the same session", async () => {
    const user = await registerUser(t.app);
    const grant = await signIn(t.app, user.email);
    const results = await Promise.all(
      [0, 1].map(() => t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken: grant.refreshToken } })),
    );
    expect(results.map((r) => r.statusCode)).toEqual([200, 200]);
    const [a, b] = results.map((r) => r.json());
    expect(a.session.id).toBe(grant.session.id);
    expect(b.session.id).toBe(grant.session.id);
    for (const pair of [a, b]) {
      expect((await t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(pair.accessToken) })).statusCode).toBe(200);
    }
    expect(await t.gatehouse.sessions.list(user.id)).toHaveLength(1);
  });

  it("still treats a replay after the interval as reuse", async () => {
    const user = await registerUser(t.app);
    const grant = await signIn(t.app, user.email);
    await t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken: grant.refreshToken } });
    t.clock.advance(11);
    const late = await t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken: grant.refreshToken } });
    expect(late.json().error.code).toBe("refresh_token_reused");
    expect(await t.gatehouse.sessions.list(user.id)).toHaveLength(0);
  });
});

describe.each(databaseTargets())("refresh token lifetime on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, { env: { GATEHOUSE_REFRESH_TOKEN_TTL_SECONDS: "3600", GATEHOUSE_REFRESH_REUSE_INTERVAL_SECONDS: "10" } });
  });
  afterAll(() => t.close());
  const refresh = (refreshToken: string) => t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken } });

  it("gives every rotated token its own lifetime, and an expired one nothing, not even within the reuse interval", async () => {
    const user = await registerUser(t.app);
    const grant = await signIn(t.app, user.email);
    expect(grant.refreshExpiresIn).toBe(3600);
    t.clock.advance(1800);
    const rotated = (await refresh(grant.refreshToken)).json();
    expect(rotated.refreshExpiresIn).toBe(3600);
    t.clock.advance(3601);
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await refresh(rotated.refreshToken)).json().error.code).toBe("invalid_refresh_token");
    }
    expect(await t.gatehouse.sessions.list(user.id)).toHaveLength(1);
  });
});
