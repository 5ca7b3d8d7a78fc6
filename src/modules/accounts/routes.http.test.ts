import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, registerUser, signIn, STRONG_PASSWORD, uniqueEmail, uniqueUsername } from "../../../test/support/factories.js";
import { emailsTo, latestEmailTo, linkIn, tokenIn } from "../../../test/support/mail.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, TEST_BASE_URL, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

describe.each(databaseTargets())("accounts on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target);
  });
  afterAll(() => t.close());

  const register = (payload: Record<string, unknown>) => t.app.inject({ method: "POST", url: "/v1/users", payload });
  const valid = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    email: uniqueEmail(),
    password: STRONG_PASSWORD,
    passwordConfirmation: STRONG_PASSWORD,
    ...overrides,
  });

  describe("POST /v1/users", () => {
    it("creates an unconfirmed user with profile fields and emails a confirmation link from the base URL", async () => {
      const payload = valid({ username: uniqueUsername(), name: "Ada Lovelace", metadata: { plan: "pro", seats: 3 } });
      const response = await t.app.inject({ method: "POST", url: "/v1/users", payload, headers: { host: "evil.example" } });
      expect(response.statusCode).toBe(201);
      expect(response.json().user).toMatchObject({
        email: payload.email,
        username: payload.username,
        name: "Ada Lovelace",
        metadata: { plan: "pro", seats: 3 },
        emailConfirmed: false,
        hasPassword: true,
      });
      const mail = await latestEmailTo(t.gatehouse, payload.email as string);
      const link = linkIn(mail.text);
      expect(link.origin).toBe(TEST_BASE_URL);
      expect(link.pathname).toBe("/ui/confirm-email");
      expect(link.searchParams.get("token")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(mail.text).toContain("expires in 2 days");
      expect(mail.html).toContain(link.searchParams.get("token"));
    });

    it("treats email and username as taken case-insensitively", async () => {
      const user = await registerUser(t.app, { username: uniqueUsername("Taken") });
      const sameEmail = await register(valid({ email: user.email.toUpperCase() }));
      expect(sameEmail.statusCode).toBe(409);
      expect(sameEmail.json().error.code).toBe("email_taken");
      const sameUsername = await register(valid({ username: user.username!.toUpperCase() }));
      expect(sameUsername.statusCode).toBe(409);
      expect(sameUsername.json().error.code).toBe("username_taken");
    });

    it("gives each policy failure its own code", async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [valid({ passwordConfirmation: "something else entirely" }), "password_confirmation_mismatch"],
        [valid({ password: "short pass", passwordConfirmation: "short pass" }), "password_too_short"],
        [valid({ password: "a".repeat(1025), passwordConfirmation: "a".repeat(1025) }), "password_too_long"],
        [valid({ password: "PasswordPassword", passwordConfirmation: "PasswordPassword" }), "password_too_common"],
        [
          valid({ email: "marguerite@example.com", password: "my name is marguerite!", passwordConfirmation: "my name is marguerite!" }),
          "password_contains_personal_info",
        ],
        [valid({ metadata: { blob: "x".repeat(17 * 1024) } }), "metadata_too_large"],
        [valid({ email: "not-an-email" }), "validation_failed"],
        [valid({ username: "has space" }), "validation_failed"],
        [valid({ role: "admin" }), "validation_failed"],
      ];
      for (const [payload, code] of cases) {
        const response = await register(payload);
        expect(response.statusCode, code).toBe(400);
        expect(response.json().error.code).toBe(code);
      }
    });

    it("refuses a guessable password with password_too_guessable and the reason (issue 15)", async () => {
      const response = await register(valid({ password: "correct horse battery staple", passwordConfirmation: "correct horse battery staple" }));
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({
        code: "password_too_guessable",
        message: expect.stringMatching(/^This password is too easy to guess\. This is a heavily used password\./),
        details: { warning: "This is a heavily used password.", suggestions: expect.arrayContaining(["Add more words that are less common."]) },
      });
      const keyboard = await register(valid({ password: "qwertyuiopasdfgh", passwordConfirmation: "qwertyuiopasdfgh" }));
      expect(keyboard.json().error.code).toBe("password_too_guessable");
      expect(keyboard.json().error.message).not.toContain("qwertyuiopasdfgh");
    });

    it("refuses a password made of the user's name or email words", async () => {
      const named = await register(
        valid({ name: "Zéphyrine Quaglietti", password: "zephyrine sings in the rain", passwordConfirmation: "zephyrine sings in the rain" }),
      );
      expect(named.json().error.code).toBe("password_contains_personal_info");
      const email = uniqueEmail("zephyrine.quaglietti");
      const fromEmail = await register(valid({ email, password: "quaglietti zephyrine 77", passwordConfirmation: "quaglietti zephyrine 77" }));
      expect(fromEmail.json().error).toMatchObject({ code: "password_too_guessable", details: { warning: expect.stringContaining("personal") } });
      expect((await register(valid({ password: "quaglietti zephyrine 77", passwordConfirmation: "quaglietti zephyrine 77" }))).statusCode).toBe(201);
    });

    it("accepts a long passphrase with no composition rules", async () => {
      expect((await register(valid({ password: "all lowercase words are fine", passwordConfirmation: "all lowercase words are fine" }))).statusCode).toBe(201);
    });

    it("throttles registrations per IP", async () => {
      const limited = await startTestGatehouse(target, { env: { GATEHOUSE_REGISTER_LIMIT_PER_IP: "2" } });
      try {
        const attempt = () => limited.app.inject({ method: "POST", url: "/v1/users", payload: valid() });
        expect((await attempt()).statusCode).toBe(201);
        expect((await attempt()).statusCode).toBe(201);
        const third = await attempt();
        expect(third.statusCode).toBe(429);
        expect(Number(third.headers["retry-after"])).toBeGreaterThan(0);
      } finally {
        await limited.close();
      }
    });
  });

  describe("email confirmation", () => {
    it("confirms once; the token is single-use", async () => {
      const user = await registerUser(t.app);
      const token = tokenIn(await latestEmailTo(t.gatehouse, user.email));
      const first = await t.app.inject({ method: "POST", url: "/v1/email-confirmations", payload: { token } });
      expect(first.json().user.emailConfirmed).toBe(true);
      const again = await t.app.inject({ method: "POST", url: "/v1/email-confirmations", payload: { token } });
      expect(again.statusCode).toBe(400);
      expect(again.json().error.code).toBe("invalid_confirmation_token");
    });

    it("expires the link after 2 days", async () => {
      const user = await registerUser(t.app);
      const token = tokenIn(await latestEmailTo(t.gatehouse, user.email));
      t.clock.advance(2 * 86_400 + 1);
      const response = await t.app.inject({ method: "POST", url: "/v1/email-confirmations", payload: { token } });
      expect(response.json().error.code).toBe("invalid_confirmation_token");
    });

    it("resends only to unconfirmed accounts and answers the same for unknown addresses", async () => {
      const user = await registerUser(t.app);
      const unknown = uniqueEmail("nobody");
      const known = await t.app.inject({ method: "POST", url: "/v1/email-confirmations/resend", payload: { email: user.email } });
      const missing = await t.app.inject({ method: "POST", url: "/v1/email-confirmations/resend", payload: { email: unknown } });
      expect(known.statusCode).toBe(202);
      expect(missing.statusCode).toBe(202);
      expect(known.body).toBe(missing.body);
      expect(await emailsTo(t.gatehouse, user.email)).toHaveLength(2);
      expect(await emailsTo(t.gatehouse, unknown)).toHaveLength(0);
    });

    it("is refused at sign-in until confirmed when confirmation is required, and only after the right password", async () => {
      const strict = await startTestGatehouse(target, { env: { GATEHOUSE_REQUIRE_EMAIL_CONFIRMATION: "true" } });
      try {
        const user = await registerUser(strict.app);
        const wrong = await strict.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: "definitely the wrong one" } });
        expect(wrong.json().error.code).toBe("invalid_credentials");
        const right = await strict.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: STRONG_PASSWORD } });
        expect(right.statusCode).toBe(403);
        expect(right.json().error.code).toBe("email_not_confirmed");
        await strict.app.inject({
          method: "POST",
          url: "/v1/email-confirmations",
          payload: { token: tokenIn(await latestEmailTo(strict.gatehouse, user.email)) },
        });
        expect((await strict.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: STRONG_PASSWORD } })).statusCode).toBe(
          201,
        );
      } finally {
        await strict.close();
      }
    });
  });

  describe("POST /v1/username-reminders", () => {
    it("emails the username to a known address and nothing to an unknown one, with the same answer", async () => {
      const user = await registerUser(t.app, { username: uniqueUsername("forgetful") });
      const unknown = uniqueEmail("nobody");
      const known = await t.app.inject({ method: "POST", url: "/v1/username-reminders", payload: { email: user.email.toUpperCase() } });
      const missing = await t.app.inject({ method: "POST", url: "/v1/username-reminders", payload: { email: unknown } });
      expect([known.statusCode, missing.statusCode]).toEqual([202, 202]);
      expect(known.body).toBe(missing.body);
      const reminder = await latestEmailTo(t.gatehouse, user.email);
      expect(reminder.subject).toContain("username");
      expect(reminder.text).toContain(user.username);
      expect(await emailsTo(t.gatehouse, unknown)).toHaveLength(0);
    });
  });

  describe("GET /v1/me", () => {
    it("returns the signed-in user", async () => {
      const user = await registerUser(t.app, { name: "Me Myself" });
      const grant = await signIn(t.app, user.email);
      const response = await t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(grant.accessToken) });
      expect(response.json().user).toMatchObject({ id: user.id, name: "Me Myself" });
      expect(response.headers["cache-control"]).toBe("no-store");
    });
  });

  describe("library lookups", () => {
    it("finds users by subject, email and username, and reports taken names", async () => {
      const user = await registerUser(t.app, { username: uniqueUsername("lookup") });
      const { accounts } = t.gatehouse;
      expect((await accounts.getBySubject(user.id))?.email).toBe(user.email);
      expect(await accounts.getBySubject("not-a-uuid")).toBeNull();
      expect(await accounts.getBySubject("00000000-0000-7000-8000-000000000000")).toBeNull();
      expect((await accounts.getByEmail(user.email.toUpperCase()))?.id).toBe(user.id);
      expect((await accounts.getByUsername(user.username!.toUpperCase()))?.id).toBe(user.id);
      expect(await accounts.isEmailTaken(user.email)).toBe(true);
      expect(await accounts.isUsernameTaken(uniqueUsername())).toBe(false);
    });
  });
});
