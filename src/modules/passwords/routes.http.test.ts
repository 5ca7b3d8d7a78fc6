import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, OTHER_STRONG_PASSWORD, registerUser, signIn, STRONG_PASSWORD, uniqueEmail, uniqueUsername } from "../../../test/support/factories.js";
import { emailsTo, latestEmailTo, linkIn, tokenIn } from "../../../test/support/mail.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, TEST_BASE_URL, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

describe.each(databaseTargets())("passwords on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target);
  });
  afterAll(() => t.close());

  const me = (accessToken: string) => t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(accessToken) });
  const requestReset = (login: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: "/v1/password-resets", payload: { login }, headers });
  const completeReset = (token: string, password = OTHER_STRONG_PASSWORD) =>
    t.app.inject({ method: "POST", url: "/v1/password-resets/complete", payload: { token, password, passwordConfirmation: password } });

  describe("POST /v1/me/password", () => {
    it("requires the current password, keeps this session and ends the others", async () => {
      const user = await registerUser(t.app);
      const current = await signIn(t.app, user.email);
      const other = await signIn(t.app, user.email);
      const change = (currentPassword: string) =>
        t.app.inject({
          method: "POST",
          url: "/v1/me/password",
          headers: bearer(current.accessToken),
          payload: { currentPassword, newPassword: OTHER_STRONG_PASSWORD, newPasswordConfirmation: OTHER_STRONG_PASSWORD },
        });
      const wrong = await change("this is not my password");
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error.code).toBe("invalid_current_password");
      expect((await me(other.accessToken)).statusCode).toBe(200);

      const changed = await change(STRONG_PASSWORD);
      expect(changed.json()).toEqual({ revokedSessions: 1 });
      expect((await me(current.accessToken)).statusCode).toBe(200);
      expect((await me(other.accessToken)).statusCode).toBe(401);
      expect((await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: OTHER_STRONG_PASSWORD } })).statusCode).toBe(
        201,
      );
      expect((await latestEmailTo(t.gatehouse, user.email)).subject).toContain("password was changed");
    });

    it("applies the policy to the new password", async () => {
      const user = await registerUser(t.app);
      const grant = await signIn(t.app, user.email);
      const response = await t.app.inject({
        method: "POST",
        url: "/v1/me/password",
        headers: bearer(grant.accessToken),
        payload: { currentPassword: STRONG_PASSWORD, newPassword: "qwerty123456789", newPasswordConfirmation: "qwerty123456789" },
      });
      expect(response.json().error.code).toBe("password_too_common");
    });

    it("refuses a guessable new password with the reason, and one with the user's name (issue 15)", async () => {
      const user = await registerUser(t.app, { name: "Zéphyrine Quaglietti" });
      const grant = await signIn(t.app, user.email);
      const change = (newPassword: string) =>
        t.app.inject({
          method: "POST",
          url: "/v1/me/password",
          headers: bearer(grant.accessToken),
          payload: { currentPassword: STRONG_PASSWORD, newPassword, newPasswordConfirmation: newPassword },
        });
      const repeated = await change("aaaaaaaaaaaaaaaa");
      expect(repeated.statusCode).toBe(400);
      expect(repeated.json().error).toMatchObject({
        code: "password_too_guessable",
        message: expect.stringContaining('Repeated characters like "aaa" are easy to guess.'),
        details: { warning: 'Repeated characters like "aaa" are easy to guess.' },
      });
      expect((await change("quaglietti writes at dawn")).json().error.code).toBe("password_contains_personal_info");
      // Nothing changed: the old password still signs in.
      expect((await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: STRONG_PASSWORD } })).statusCode).toBe(201);
    });
  });

  describe("password reset", () => {
    it("answers 202 with the same body whether or not the account exists, and mails only real accounts", async () => {
      const user = await registerUser(t.app);
      const ghost = uniqueEmail("ghost");
      const known = await requestReset(user.email);
      const unknown = await requestReset(ghost);
      expect([known.statusCode, unknown.statusCode]).toEqual([202, 202]);
      expect(known.body).toBe(unknown.body);
      expect(await emailsTo(t.gatehouse, ghost)).toHaveLength(0);
      const mail = await latestEmailTo(t.gatehouse, user.email);
      expect(mail.text).toContain("1 hour");
    });

    it("resets by username, builds the link from the base URL, and ends every session", async () => {
      const user = await registerUser(t.app, { username: uniqueUsername("resetter") });
      const a = await signIn(t.app, user.email);
      const b = await signIn(t.app, user.email);
      await requestReset(user.username!.toUpperCase(), { host: "attacker.example", "x-forwarded-host": "attacker.example" });
      const mail = await latestEmailTo(t.gatehouse, user.email);
      expect(linkIn(mail.text).origin).toBe(TEST_BASE_URL);
      expect(linkIn(mail.text).pathname).toBe("/ui/reset-password");
      const response = await completeReset(tokenIn(mail));
      expect(response.statusCode).toBe(200);
      expect((await me(a.accessToken)).statusCode).toBe(401);
      expect((await me(b.accessToken)).statusCode).toBe(401);
      expect((await t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken: a.refreshToken } })).statusCode).toBe(401);
      expect((await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: OTHER_STRONG_PASSWORD } })).statusCode).toBe(
        201,
      );
    });

    it("is single use, and a rejected new password does not burn the link", async () => {
      const user = await registerUser(t.app);
      await requestReset(user.email);
      const token = tokenIn(await latestEmailTo(t.gatehouse, user.email));
      const weak = await completeReset(token, "password");
      expect(weak.json().error.code).toBe("password_too_short");
      expect((await completeReset(token)).statusCode).toBe(200);
      const replay = await completeReset(token, "yet another strong passphrase");
      expect(replay.statusCode).toBe(400);
      expect(replay.json().error.code).toBe("invalid_reset_token");
    });

    it("refuses a guessable password with the reason without burning the link (issue 15)", async () => {
      const user = await registerUser(t.app, { name: "Zéphyrine Quaglietti" });
      await requestReset(user.email);
      const token = tokenIn(await latestEmailTo(t.gatehouse, user.email));
      const walk = await completeReset(token, "qwertyuiopasdfgh");
      expect(walk.statusCode).toBe(400);
      expect(walk.json().error).toMatchObject({ code: "password_too_guessable", message: expect.stringContaining("commonly used password") });
      expect((await completeReset(token, "zephyrine resets her password")).json().error.code).toBe("password_contains_personal_info");
      expect((await completeReset(token)).statusCode).toBe(200);
    });

    it("expires the link after an hour", async () => {
      const user = await registerUser(t.app);
      await requestReset(user.email);
      const token = tokenIn(await latestEmailTo(t.gatehouse, user.email));
      t.clock.advance(3600 + 1);
      expect((await completeReset(token)).json().error.code).toBe("invalid_reset_token");
    });

    it("invalidates the other outstanding links once one is used", async () => {
      const user = await registerUser(t.app);
      await requestReset(user.email);
      const first = tokenIn(await latestEmailTo(t.gatehouse, user.email));
      await requestReset(user.email);
      const second = tokenIn(await latestEmailTo(t.gatehouse, user.email));
      expect((await completeReset(second)).statusCode).toBe(200);
      expect((await completeReset(first, "a different strong passphrase")).json().error.code).toBe("invalid_reset_token");
    });
  });
});

describe.each(databaseTargets())("password reset throttling on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, { env: { GATEHOUSE_MAIL_LIMIT_PER_TARGET: "3", GATEHOUSE_SIGN_IN_LIMIT_PER_ACCOUNT: "3" } });
  });
  afterAll(() => t.close());

  it("throttles per login with Retry-After, the same for unknown accounts", async () => {
    const user = await registerUser(t.app);
    const ghost = uniqueEmail("ghost");
    for (const login of [user.email, ghost]) {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await t.app.inject({ method: "POST", url: "/v1/password-resets", payload: { login } })).statusCode);
      expect(statuses).toEqual([202, 202, 202, 429]);
    }
  });

  it("lets the owner reset with a link sent before an attacker exhausted the limits, and clears the sign-in throttle", async () => {
    const user = await registerUser(t.app);
    await t.app.inject({ method: "POST", url: "/v1/password-resets", payload: { login: user.email } });
    const ownersLink = tokenIn(await latestEmailTo(t.gatehouse, user.email));
    // The attacker floods reset requests and wrong passwords.
    for (let i = 0; i < 5; i++) {
      await t.app.inject({ method: "POST", url: "/v1/password-resets", payload: { login: user.email } });
      await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: "guess number " + i + " of many" } });
    }
    const throttled = await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: STRONG_PASSWORD } });
    expect(throttled.statusCode).toBe(429);
    const reset = await t.app.inject({
      method: "POST",
      url: "/v1/password-resets/complete",
      payload: { token: ownersLink, password: OTHER_STRONG_PASSWORD, passwordConfirmation: OTHER_STRONG_PASSWORD },
    });
    expect(reset.statusCode).toBe(200);
    expect((await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: OTHER_STRONG_PASSWORD } })).statusCode).toBe(201);
  });
});
