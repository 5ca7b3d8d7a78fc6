import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestCodeTo, latestMessageTo, messagesTo, uniquePhone, wrongCode } from "../../../test/support/codes.js";
import { openAndSubmit } from "../../../test/support/browser-forms.js";
import { bearer, registerUser, signIn, STRONG_PASSWORD, uniqueEmail } from "../../../test/support/factories.js";
import { emailsTo, latestEmailTo, linkIn, tokenIn } from "../../../test/support/mail.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, TEST_BASE_URL, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

// Per-IP limits are raised here because every injected request comes from 127.0.0.1; the limits
// themselves are tested on their own Gatehouse below.
const GENEROUS_IP_LIMITS = {
  GATEHOUSE_MAIL_LIMIT_PER_IP: "100000",
  GATEHOUSE_SMS_LIMIT_PER_IP: "100000",
  GATEHOUSE_CODE_VERIFY_LIMIT_PER_IP: "100000",
};

describe.each(databaseTargets())("passwordless on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, { env: GENEROUS_IP_LIMITS });
  });
  afterAll(() => t.close());

  const post = (url: string, payload: Record<string, unknown>, app = t.app) => app.inject({ method: "POST", url, payload });
  const requestLink = (email: string, app = t.app) => post("/v1/magic-links", { email }, app);
  const redeemLink = (token: string, app = t.app) => post("/v1/magic-links/verify", { token }, app);
  const requestCode = (type: string, value: string, app = t.app) => post("/v1/sign-in-codes", { type, value }, app);
  const redeemCode = (type: string, value: string, code: string, app = t.app) => post("/v1/sign-in-codes/verify", { type, value, code }, app);
  // Codes and links to one identity are throttled to one per resend interval (30 s by default).
  const afterResendInterval = () => t.clock.advance(31);

  describe("magic links", () => {
    it("signs up a new address: a passwordless user with a verified email identity", async () => {
      const email = uniqueEmail("Magic").toUpperCase();
      const requested = await requestLink(email);
      expect(requested.statusCode).toBe(202);
      const mail = await latestEmailTo(t.gatehouse, email.toLowerCase());
      const link = linkIn(mail.text);
      expect(link.origin + link.pathname).toBe(`${TEST_BASE_URL}/ui/magic-link`);
      expect(link.searchParams.get("token")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(mail.text).toContain("10 minutes");

      const signedIn = await redeemLink(tokenIn(mail));
      expect(signedIn.statusCode).toBe(201);
      const body = signedIn.json();
      expect(body).toMatchObject({ tokenType: "Bearer", created: true, user: { email: email.toLowerCase(), emailConfirmed: true, hasPassword: false } });
      expect(body.session.method).toBe("magic_link");
      const identities = await t.app.inject({ method: "GET", url: "/v1/me/identities", headers: bearer(body.accessToken) });
      expect(identities.json().identities).toEqual([expect.objectContaining({ type: "email", value: email.toLowerCase(), verified: true })]);
      const audit = await t.gatehouse.audit.listForUser(t.gatehouse.database.db, body.user.id, 10);
      expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(["user.registered", "session.created"]));
      expect(audit.find((e) => e.action === "user.registered")?.data).toMatchObject({ method: "magic_link", identityType: "email" });
    });

    it("signs in the existing account and answers requests the same whether or not the address has one", async () => {
      const user = await registerUser(t.app);
      const unknown = uniqueEmail("nobody");
      const known = await requestLink(user.email);
      const missing = await requestLink(unknown);
      expect([known.statusCode, missing.statusCode]).toEqual([202, 202]);
      expect(known.body).toBe(missing.body);
      const signedIn = await redeemLink(tokenIn(await latestEmailTo(t.gatehouse, user.email)));
      expect(signedIn.json()).toMatchObject({ created: false, user: { id: user.id, emailConfirmed: true } });
    });

    it("consumes nothing on GET: the page only offers a button that POSTs the token, and leaks nothing", async () => {
      await requestLink(uniqueEmail("prefetch"));
      const [mail] = await t.gatehouse.outbox.list({ limit: 1 });
      const link = linkIn(mail!.text);
      for (let i = 0; i < 3; i++) {
        const page = await t.app.inject({ method: "GET", url: link.pathname + link.search });
        expect(page.statusCode).toBe(200);
        expect(page.headers["referrer-policy"]).toBe("strict-origin");
        expect(page.headers["content-security-policy"]).toContain("default-src 'none'");
        expect(page.headers["cache-control"]).toContain("no-store");
        expect(page.body).toContain('<form method="post" action="/ui/magic-link">');
        expect(page.body).not.toMatch(/<script|<link|<img|src=|https?:\/\//i);
      }
      // The link still works after any number of GETs: the click is what signs in (this browser,
      // to the hosted account page: no token is shown to copy).
      const { response: clicked, jar } = await openAndSubmit(t.app, link.pathname + link.search);
      expect(clicked.statusCode).toBe(303);
      expect(clicked.headers.location).toBe("/ui/account");
      const account = await t.app.inject({ method: "GET", url: "/ui/account", headers: jar.header() });
      expect(account.body).toContain("You are signed in as");
      // …and only once.
      expect((await redeemLink(link.searchParams.get("token")!)).json().error.code).toBe("invalid_magic_link");
    });

    it("is redeemed exactly once when 50 requests present it at the same time", async () => {
      const email = uniqueEmail("race");
      await requestLink(email);
      const token = tokenIn(await latestEmailTo(t.gatehouse, email));
      const responses = await Promise.all(Array.from({ length: 50 }, () => redeemLink(token)));
      const statuses = responses.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 401)).toHaveLength(49);
      for (const r of responses.filter((r) => r.statusCode === 401)) expect(r.json().error.code).toBe("invalid_magic_link");
      // One account, one session.
      const user = await t.gatehouse.accounts.getByEmail(email);
      expect(await t.gatehouse.sessions.list(user!.id)).toHaveLength(1);
    });

    it("creates one account when two links for the same new address are redeemed at once", async () => {
      const email = uniqueEmail("twice");
      await requestLink(email);
      afterResendInterval();
      await requestLink(email);
      const [second, first] = await emailsTo(t.gatehouse, email);
      const responses = await Promise.all([redeemLink(tokenIn(first!)), redeemLink(tokenIn(second!))]);
      expect(responses.map((r) => r.statusCode)).toEqual([201, 201]);
      const ids = responses.map((r) => r.json().user.id);
      expect(ids[0]).toBe(ids[1]);
      expect(responses.map((r) => r.json().created).sort()).toEqual([false, true]);
    });

    it("expires after 10 minutes", async () => {
      const email = uniqueEmail("late");
      await requestLink(email);
      const token = tokenIn(await latestEmailTo(t.gatehouse, email));
      t.clock.advance(10 * 60 + 1);
      expect((await redeemLink(token)).json().error.code).toBe("invalid_magic_link");
    });

    it("does not sign up unknown addresses when sign-up by link is off, and answers the same", async () => {
      const closed = await startTestGatehouse(target, { env: { GATEHOUSE_PASSWORDLESS_SIGN_UP: "false" } });
      try {
        const user = await registerUser(closed.app);
        const unknown = uniqueEmail("outsider");
        const known = await requestLink(user.email, closed.app);
        const missing = await requestLink(unknown, closed.app);
        expect(known.body).toBe(missing.body);
        expect(await emailsTo(closed.gatehouse, unknown)).toHaveLength(0);
        expect((await redeemLink(tokenIn(await latestEmailTo(closed.gatehouse, user.email)), closed.app)).statusCode).toBe(201);
        expect(await closed.gatehouse.accounts.getByEmail(unknown)).toBeNull();
      } finally {
        await closed.close();
      }
    });

    it("drops a password set without proof of the address when its owner first signs in by link (pre-hijacking)", async () => {
      // Someone registers with an address that is not theirs and never confirms it…
      const squatter = await registerUser(t.app);
      const squatterSession = await signIn(t.app, squatter.email);
      // …then the address's owner signs in with a magic link.
      afterResendInterval();
      await requestLink(squatter.email);
      const owner = await redeemLink(tokenIn(await latestEmailTo(t.gatehouse, squatter.email)));
      expect(owner.json().user).toMatchObject({ id: squatter.id, hasPassword: false, emailConfirmed: true });
      const wrongful = await post("/v1/sessions", { login: squatter.email, password: STRONG_PASSWORD });
      expect(wrongful.json().error.code).toBe("invalid_credentials");
      expect((await t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(squatterSession.accessToken) })).statusCode).toBe(401);
      expect((await t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(owner.json().accessToken) })).statusCode).toBe(200);
      const audit = await t.gatehouse.audit.listForUser(t.gatehouse.database.db, squatter.id, 20);
      expect(audit.find((e) => e.action === "credentials.unverified_cleared")?.data).toMatchObject({ revokedSessions: 1 });
    });

    it("hands the sign-in token to the configured application in the URL fragment", async () => {
      const redirecting = await startTestGatehouse(target, { env: { GATEHOUSE_SIGN_IN_REDIRECT_URL: "https://app.example/signed-in" } });
      try {
        const email = uniqueEmail("app");
        await requestLink(email, redirecting.app);
        const token = tokenIn(await latestEmailTo(redirecting.gatehouse, email));
        const { response: clicked } = await openAndSubmit(redirecting.app, `/ui/magic-link?token=${token}`);
        expect(clicked.statusCode).toBe(303);
        const location = new URL(clicked.headers.location as string);
        expect(location.origin + location.pathname + location.search).toBe("https://app.example/signed-in");
        const signInToken = new URLSearchParams(location.hash.slice(1)).get("sign_in_token")!;
        expect((await post("/v1/sessions/sign-in-token", { signInToken }, redirecting.app)).statusCode).toBe(201);
      } finally {
        await redirecting.close();
      }
    });
  });

  describe("sign-in codes", () => {
    it("signs up and in by SMS with a 6-digit code; phone numbers are stored E.164", async () => {
      const phone = uniquePhone();
      const spaced = `${phone.slice(0, 3)} ${phone.slice(3, 4)} ${phone.slice(4, 6)} ${phone.slice(6, 8)} ${phone.slice(8)}`;
      expect((await requestCode("phone", spaced)).statusCode).toBe(202);
      const sms = await latestMessageTo(t.gatehouse, phone);
      expect(sms.channel).toBe("sms");
      expect(sms.text).toMatch(/^\d{6} is your Gatehouse sign-in code/);
      const signedIn = await redeemCode("phone", phone, await latestCodeTo(t.gatehouse, phone));
      expect(signedIn.statusCode).toBe(201);
      expect(signedIn.json()).toMatchObject({ created: true, user: { email: null, hasPassword: false }, session: { method: "sms_code" } });
      const found = await t.gatehouse.identities.getVerified({ type: "phone", value: phone });
      expect(found?.user.id).toBe(signedIn.json().user.id);
      // The phone number works as a login name for password sign-in lookups too.
      expect((await t.gatehouse.identities.findUserByLogin(t.gatehouse.database.db, phone))?.id).toBe(found?.user.id);
    });

    it("signs in by emailed code; a code works once", async () => {
      const user = await registerUser(t.app);
      await requestCode("email", user.email);
      const code = await latestCodeTo(t.gatehouse, user.email);
      expect((await latestEmailTo(t.gatehouse, user.email)).text).toContain("10 minutes");
      const first = await redeemCode("email", user.email, code);
      expect(first.json()).toMatchObject({ created: false, user: { id: user.id }, session: { method: "email_code" } });
      expect((await redeemCode("email", user.email, code)).json().error.code).toBe("invalid_code");
    });

    it("looks a code up only for the identity it was sent to", async () => {
      const a = uniqueEmail("a");
      const b = uniqueEmail("b");
      await requestCode("email", a);
      await requestCode("email", b);
      const codeForA = await latestCodeTo(t.gatehouse, a);
      expect((await redeemCode("email", b, codeForA)).statusCode).toBe(400);
      expect((await redeemCode("email", a, codeForA)).statusCode).toBe(201);
    });

    it("invalidates the previous code when a new one is requested", async () => {
      const email = uniqueEmail("newer");
      await requestCode("email", email);
      const older = await latestCodeTo(t.gatehouse, email);
      afterResendInterval();
      await requestCode("email", email);
      const newer = await latestCodeTo(t.gatehouse, email);
      if (older !== newer) expect((await redeemCode("email", email, older)).json().error.code).toBe("invalid_code");
      expect((await redeemCode("email", email, newer)).statusCode).toBe(201);
    });

    it("kills a code after 5 wrong guesses, even if the right one comes next", async () => {
      const email = uniqueEmail("guess");
      await requestCode("email", email);
      const code = await latestCodeTo(t.gatehouse, email);
      for (let i = 0; i < 4; i++) expect((await redeemCode("email", email, wrongCode(code))).json().error.code).toBe("invalid_code");
      expect((await redeemCode("email", email, wrongCode(code))).statusCode).toBe(400);
      const after = await redeemCode("email", email, code);
      expect(after.statusCode).toBe(429);
      expect(after.json().error.code).toBe("too_many_code_attempts");
      expect(Number(after.headers["retry-after"])).toBeGreaterThan(0);
    });

    it("keeps counting failures across codes: a new code does not reset them", async () => {
      const email = uniqueEmail("persistent");
      await requestCode("email", email);
      let code = await latestCodeTo(t.gatehouse, email);
      for (let i = 0; i < 3; i++) await redeemCode("email", email, wrongCode(code));
      afterResendInterval();
      await requestCode("email", email);
      code = await latestCodeTo(t.gatehouse, email);
      await redeemCode("email", email, wrongCode(code));
      await redeemCode("email", email, wrongCode(code));
      // Five failures in all: the identity's sign-in codes are locked, the fresh code with them.
      expect((await redeemCode("email", email, code)).json().error.code).toBe("too_many_code_attempts");
      afterResendInterval();
      const whileLocked = await requestCode("email", email);
      expect(whileLocked.statusCode).toBe(202);
      expect(await messagesTo(t.gatehouse, email)).toHaveLength(2);
      // The first lockout ends after an hour (by default); then codes work again.
      t.clock.advance(3600);
      await requestCode("email", email);
      expect((await redeemCode("email", email, await latestCodeTo(t.gatehouse, email))).statusCode).toBe(201);
    });

    it("locks twice as long the second time, and answers with Retry-After (issue 15)", async () => {
      const phone = uniquePhone();
      const failFiveTimes = async () => {
        afterResendInterval();
        await requestCode("phone", phone);
        const code = await latestCodeTo(t.gatehouse, phone);
        for (let i = 0; i < 5; i++) await redeemCode("phone", phone, wrongCode(code));
        return code;
      };
      const code = await failFiveTimes();
      const first = await redeemCode("phone", phone, code);
      expect(first.statusCode).toBe(429);
      expect(first.headers["retry-after"]).toBe("3600");
      t.clock.advance(3600);
      const again = await failFiveTimes();
      const second = await redeemCode("phone", phone, again);
      expect(second.json().error.code).toBe("too_many_code_attempts");
      expect(second.headers["retry-after"]).toBe("7200");
    });

    it("counts concurrent wrong guesses one by one", async () => {
      const email = uniqueEmail("burst");
      await requestCode("email", email);
      const code = await latestCodeTo(t.gatehouse, email);
      const guesses = Array.from({ length: 20 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0"));
      const responses = await Promise.all(guesses.map((guess) => redeemCode("email", email, guess)));
      expect(responses.filter((r) => r.statusCode === 400)).toHaveLength(5);
      expect(responses.filter((r) => r.statusCode === 429)).toHaveLength(15);
      expect((await redeemCode("email", email, code)).statusCode).toBe(429);
    });

    it("binds a code to its purpose: a sign-in code does not verify an identity or recover a password", async () => {
      const user = await registerUser(t.app);
      const grant = await signIn(t.app, user.email);
      const phone = uniquePhone();
      await requestCode("phone", phone);
      const signInCode = await latestCodeTo(t.gatehouse, phone);
      const verify = await t.app.inject({
        method: "POST",
        url: "/v1/me/identities/verify",
        headers: bearer(grant.accessToken),
        payload: { type: "phone", value: phone, code: signInCode },
      });
      expect(verify.json().error.code).toBe("invalid_code");
      await requestCode("email", user.email);
      const emailCode = await latestCodeTo(t.gatehouse, user.email);
      const recover = await post("/v1/password-resets/codes/complete", {
        type: "email",
        value: user.email,
        code: emailCode,
        password: "a brand new passphrase",
        passwordConfirmation: "a brand new passphrase",
      });
      expect(recover.json().error.code).toBe("invalid_code");
      // Each failed elsewhere without touching the sign-in code.
      expect((await redeemCode("phone", phone, signInCode)).statusCode).toBe(201);
    });

    it("expires after 10 minutes", async () => {
      const email = uniqueEmail("slow");
      await requestCode("email", email);
      const code = await latestCodeTo(t.gatehouse, email);
      t.clock.advance(10 * 60 + 1);
      expect((await redeemCode("email", email, code)).json().error.code).toBe("invalid_code");
    });

    it("refuses numbers that are not valid phone numbers, without sending anything", async () => {
      for (const value of ["+1 555", "0612345678", "+999123456789", "not a number"]) {
        const response = await requestCode("phone", value);
        expect(response.statusCode, value).toBe(400);
        expect(response.json().error.code).toBe("invalid_phone_number");
      }
    });
  });

  describe("phone regions", () => {
    it("refuses numbers outside GATEHOUSE_PHONE_REGIONS before sending anything", async () => {
      const regional = await startTestGatehouse(target, { env: { GATEHOUSE_PHONE_REGIONS: "fr,be" } });
      try {
        expect((await requestCode("phone", uniquePhone(), regional.app)).statusCode).toBe(202);
        const abroad = await requestCode("phone", "+44 7911 123456", regional.app);
        expect(abroad.statusCode).toBe(400);
        expect(abroad.json().error.code).toBe("phone_region_not_allowed");
        expect(await messagesTo(regional.gatehouse, "+447911123456")).toHaveLength(0);
      } finally {
        await regional.close();
      }
    });
  });

  describe("throttling", () => {
    it("throttles resends per identity and purpose, per identity per window, and per IP", async () => {
      const limited = await startTestGatehouse(target, {
        env: { GATEHOUSE_MAIL_LIMIT_PER_IP: "8", GATEHOUSE_MAIL_LIMIT_PER_TARGET: "4", GATEHOUSE_SMS_LIMIT_PER_IP: "2" },
      });
      try {
        const email = uniqueEmail("flood");
        expect((await requestCode("email", email, limited.app)).statusCode).toBe(202);
        const resend = await requestCode("email", email, limited.app);
        expect(resend.statusCode).toBe(429);
        expect(Number(resend.headers["retry-after"])).toBeLessThanOrEqual(30);
        limited.clock.advance(31);
        expect((await requestCode("email", email, limited.app)).statusCode).toBe(202);
        limited.clock.advance(31);
        // A link is another purpose, but the same address: the per-address budget (4, throttled
        // attempts included) is spent now.
        expect((await requestLink(email, limited.app)).statusCode).toBe(202);
        limited.clock.advance(31);
        expect((await requestCode("email", email, limited.app)).statusCode).toBe(429);
        // SMS have a lower per-IP cap than email.
        expect((await requestCode("phone", uniquePhone(), limited.app)).statusCode).toBe(202);
        expect((await requestCode("phone", uniquePhone(), limited.app)).statusCode).toBe(202);
        expect((await requestCode("phone", uniquePhone(), limited.app)).statusCode).toBe(429);
        // And every sending endpoint shares the per-IP budget (8).
        expect((await requestLink(uniqueEmail("other"), limited.app)).statusCode).toBe(429);
      } finally {
        await limited.close();
      }
    });

    it("throttles code and link verification per IP", async () => {
      const limited = await startTestGatehouse(target, { env: { GATEHOUSE_CODE_VERIFY_LIMIT_PER_IP: "3" } });
      try {
        const attempts = await Promise.all([
          redeemCode("email", uniqueEmail(), "123456", limited.app),
          redeemCode("email", uniqueEmail(), "123456", limited.app),
          redeemLink("x".repeat(43), limited.app),
        ]);
        expect(attempts.map((r) => r.statusCode).sort()).toEqual([400, 400, 401]);
        expect((await redeemCode("email", uniqueEmail(), "123456", limited.app)).statusCode).toBe(429);
      } finally {
        await limited.close();
      }
    });
  });
});
