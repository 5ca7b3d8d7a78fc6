import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, registerUser, signIn, uniqueEmail } from "../../../test/support/factories.js";
import { latestEmailTo, tokenIn } from "../../../test/support/mail.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

/** @see issue 15, item 11: idle sessions end; a hand-off is bound to its session; sign-out ends pending changes. */
describe.each(databaseTargets())("session lifetime on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, { env: { GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS: "3600" } });
  });
  afterAll(() => t.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url, payload: payload as object, headers });
  const me = (accessToken: string) => t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(accessToken) });
  const refresh = (refreshToken: string) => post("/v1/sessions/refresh", { refreshToken });

  it("ends a session that has not been used for the idle timeout, while one in use lives on", async () => {
    const user = await registerUser(t.app);
    const idle = await signIn(t.app, user.email);
    let active = await signIn(t.app, user.email);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1800);
      active = (await refresh(active.refreshToken)).json();
      expect(active.accessToken).toBeDefined();
    }
    const refused = await refresh(idle.refreshToken);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe("invalid_refresh_token");
    const listed = (await t.app.inject({ method: "GET", url: "/v1/sessions", headers: bearer(active.accessToken) })).json().sessions;
    expect(listed.map((s: { id: string }) => s.id)).toEqual([active.session.id]);
  });

  it("refuses an idle timeout that access tokens would outlive", async () => {
    await expect(
      startTestGatehouse(target, { env: { GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS: "300", GATEHOUSE_ACCESS_TOKEN_TTL_SECONDS: "600" } }),
    ).rejects.toThrow(/GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS must be greater than GATEHOUSE_ACCESS_TOKEN_TTL_SECONDS/);
  });

  it("binds a session started by a sign-in token to the session that issued it", async () => {
    const user = await registerUser(t.app);
    const original = await signIn(t.app, user.email);
    const originalClaims = decodeJwt(original.accessToken);
    t.clock.advance(120);
    const { signInToken } = (await post("/v1/sign-in-tokens", {}, bearer(original.accessToken))).json();
    const handedOff = (await post("/v1/sessions/sign-in-token", { signInToken })).json();
    // Not a new proof: the same authentication time, and no later end than the original.
    expect(decodeJwt(handedOff.accessToken).auth_time).toBe(originalClaims.auth_time);
    const sessions = await t.gatehouse.sessions.list(user.id);
    const originalSession = sessions.find((s) => s.id === original.session.id)!;
    expect(new Date(handedOff.session.expiresAt).getTime()).toBe(originalSession.expiresAt.getTime());

    // Signing the original out ends the hand-off too, at once.
    expect((await t.app.inject({ method: "DELETE", url: "/v1/sessions/current", headers: bearer(original.accessToken) })).statusCode).toBe(204);
    expect((await me(handedOff.accessToken)).statusCode).toBe(401);
    expect((await refresh(handedOff.refreshToken)).statusCode).toBe(401);
  });

  it("refuses a sign-in token whose issuing session has ended", async () => {
    const user = await registerUser(t.app);
    const original = await signIn(t.app, user.email);
    const { signInToken } = (await post("/v1/sign-in-tokens", {}, bearer(original.accessToken))).json();
    await t.app.inject({ method: "DELETE", url: "/v1/sessions/current", headers: bearer(original.accessToken) });
    const refused = await post("/v1/sessions/sign-in-token", { signInToken });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe("invalid_sign_in_token");
  });

  it("ends a held email change and unspent sign-in tokens when the user signs out everywhere else", async () => {
    const user = await registerUser(t.app);
    const current = await signIn(t.app, user.email);
    const other = await signIn(t.app, user.email);
    const next = uniqueEmail("next");
    expect((await post("/v1/me/email", { email: next, currentPassword: user.password }, bearer(other.accessToken))).statusCode).toBe(202);
    const changeToken = tokenIn(await latestEmailTo(t.gatehouse, next));
    const { signInToken } = (await post("/v1/sign-in-tokens", {}, bearer(current.accessToken))).json();

    expect((await post("/v1/sessions/revoke-others", {}, bearer(current.accessToken))).json()).toEqual({ revoked: 1 });
    expect((await t.app.inject({ method: "GET", url: "/v1/me/email-change", headers: bearer(current.accessToken) })).json()).toEqual({ pending: null });
    const confirm = await post("/v1/email-changes/confirm", { token: changeToken });
    expect(confirm.json().error.code).toBe("invalid_email_change_token");
    expect((await post("/v1/sessions/sign-in-token", { signInToken })).statusCode).toBe(401);
  });
});
