import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, formsIn, openAndSubmit, openPage, submitForm } from "../../../test/support/browser-forms.js";
import { registerUser, uniqueEmail } from "../../../test/support/factories.js";
import { latestEmailTo, linkIn, tokenIn } from "../../../test/support/mail.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, TEST_BASE_URL, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

const GENEROUS_IP_LIMITS = { GATEHOUSE_MAIL_LIMIT_PER_IP: "100000", GATEHOUSE_CODE_VERIFY_LIMIT_PER_IP: "100000" };

describe.each(databaseTargets())("hosted pages on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, { env: GENEROUS_IP_LIMITS });
  });
  afterAll(() => t.close());

  /** A fresh magic link to a new address: its page path and token. */
  const magicLink = async () => {
    const email = uniqueEmail("page");
    expect((await t.app.inject({ method: "POST", url: "/v1/magic-links", payload: { email } })).statusCode).toBe(202);
    const mail = await latestEmailTo(t.gatehouse, email);
    const link = linkIn(mail.text);
    return { email, url: link.pathname + link.search, token: tokenIn(mail) };
  };
  const stillRedeemable = async (token: string) =>
    (await t.app.inject({ method: "POST", url: "/v1/magic-links/verify", payload: { token } })).statusCode === 201;
  const expectRefusalPage = (response: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string) => {
    expect(response.statusCode).toBe(status);
    expect(response.headers["content-type"]).toContain("text/html");
    expect(response.body).toContain(`<code>${code}</code>`);
    expect(response.body).not.toMatch(/"error"|at .+\.js:\d+/);
  };

  describe("CSRF on every form post (login CSRF included)", () => {
    it("refuses a cross-site post even with a valid token and cookie, and consumes nothing", async () => {
      const { url, token } = await magicLink();
      const opened = await openPage(t.app, url);
      const forged: Record<string, string>[] = [
        { "sec-fetch-site": "cross-site" },
        { "sec-fetch-site": "same-site" },
        { "sec-fetch-site": "none", origin: "https://attacker.example" },
        { origin: "https://attacker.example" },
        { origin: "null" },
        { origin: `${TEST_BASE_URL}.attacker.example` },
      ];
      for (const headers of forged) {
        const refused = await submitForm(t.app, opened.form!, opened.jar, { headers });
        expectRefusalPage(refused, 403, "cross_site_request");
        expect(refused.body).toContain(`${TEST_BASE_URL}/`);
        expect(refused.cookies.map((c) => c.name)).not.toContain("gatehouse_session");
      }
      expect(await stillRedeemable(token)).toBe(true);
    });

    it("refuses a post without a token, with a forged token, or without the cookie its token belongs to", async () => {
      const { url, token } = await magicLink();
      const opened = await openPage(t.app, url);
      const form = opened.form!;
      const other = await openPage(t.app, url); // another browser: its own secret cookie
      const attempts = [
        submitForm(t.app, { ...form, fields: { token } }, opened.jar),
        submitForm(t.app, form, opened.jar, { fields: { _csrf: "forged-token-value" } }),
        submitForm(t.app, form, new CookieJar()),
        submitForm(t.app, form, other.jar),
      ];
      for (const refused of await Promise.all(attempts)) expectRefusalPage(refused, 403, "invalid_csrf_token");
      expect(await stillRedeemable(token)).toBe(true);
    });

    it("accepts the page's own post: same origin, its cookie and its token", async () => {
      const { url } = await magicLink();
      const { response } = await openAndSubmit(t.app, url, { headers: { origin: TEST_BASE_URL } });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe("/ui/account");
    });

    it("sets the CSRF secret as an HttpOnly, SameSite=Lax cookie, __Host- and Secure behind HTTPS", async () => {
      const { url } = await magicLink();
      const plain = (await openPage(t.app, url)).response.cookies.find((c) => c.name === "gatehouse_csrf")!;
      expect(plain).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
      expect(plain.secure).toBeFalsy();
      const https = await startTestGatehouse(target, { env: { GATEHOUSE_BASE_URL: "https://id.example.com" } });
      try {
        const page = await https.app.inject({ method: "GET", url });
        expect(page.cookies.find((c) => c.name === "__Host-gatehouse_csrf")).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
        expect(page.cookies.find((c) => c.name === "__Host-gatehouse_csrf")?.domain).toBeUndefined();
      } finally {
        await https.close();
      }
    });

    it("lets the browser send its real Origin: pages use Referrer-Policy strict-origin, never leaking the path", async () => {
      const { url } = await magicLink();
      const page = (await openPage(t.app, url)).response;
      expect(page.headers["referrer-policy"]).toBe("strict-origin");
      expect(page.headers["content-security-policy"]).toContain("form-action 'self'");
    });
  });

  describe("errors a person can read", () => {
    it("answers a link opened without its token, or with a damaged one, with a 400 page that does not echo it", async () => {
      for (const path of ["/ui/magic-link", "/ui/confirm-email", "/ui/reset-password", "/ui/confirm-email-change"]) {
        for (const query of ["", "?token=", "?token=abc%3Cscript%3Ealert(1)%3C%2Fscript%3E0123456789", `?token=${"x".repeat(600)}`]) {
          const page = await t.app.inject({ method: "GET", url: path + query });
          expectRefusalPage(page, 400, "invalid_link");
          expect(page.body).toContain("incomplete or damaged");
          expect(page.body).not.toMatch(/<script|xxxxxxxxxx|validation_failed|querystring/);
        }
      }
    });

    it("answers an incomplete form with a 400 page, and an unknown page with a 404 page", async () => {
      const { url } = await magicLink();
      const opened = await openPage(t.app, url);
      const incomplete = await submitForm(t.app, { action: "/ui/magic-link", fields: { _csrf: opened.form!.fields._csrf! } }, opened.jar);
      expectRefusalPage(incomplete, 400, "invalid_form");
      const multipart = await t.app.inject({
        method: "POST",
        url: "/ui/magic-link",
        headers: { "content-type": "multipart/form-data; boundary=x" },
        payload: "--x--",
      });
      expect(multipart.statusCode).toBe(415);
      expect(multipart.headers["content-type"]).toContain("text/html");
      expectRefusalPage(await t.app.inject({ method: "GET", url: "/ui/nothing-here" }), 404, "not_found");
    });

    it("shows a used link as a page with the service's code, and keeps JSON errors for the JSON API", async () => {
      const { url, token } = await magicLink();
      expect(await stillRedeemable(token)).toBe(true);
      const { response } = await openAndSubmit(t.app, url);
      expectRefusalPage(response, 401, "invalid_magic_link");
      expect(response.body).not.toContain(token);
      const api = await t.app.inject({ method: "POST", url: "/v1/magic-links/verify", payload: {} });
      expect(api.statusCode).toBe(400);
      expect(api.json().error.code).toBe("validation_failed");
      expect((await t.app.inject({ method: "GET", url: "/v1/nothing-here" })).json().error.code).toBe("not_found");
    });
  });

  describe("reset-password page", () => {
    it("states the password rule before anything is typed, with the configured minimum", async () => {
      const strict = await startTestGatehouse(target, { env: { GATEHOUSE_PASSWORD_MIN_LENGTH: "20" } });
      try {
        const user = await registerUser(strict.app, { password: "a long enough passphrase here" });
        await strict.app.inject({ method: "POST", url: "/v1/password-resets", payload: { login: user.email } });
        const mail = (await strict.gatehouse.outbox.list({ limit: 5, recipient: user.email })).find((m) => m.subject.includes("Reset"))!;
        const link = linkIn(mail.text);
        const page = (await openPage(strict.app, link.pathname + link.search)).response.body;
        expect(page).toContain("Use at least 20 characters");
        expect(page).toContain("no digits, symbols or capitals");
        expect(page).toMatch(/[Cc]ommon or easily guessed passwords.*are refused/);
        expect(page).toContain('minlength="20"');
      } finally {
        await strict.close();
      }
    });

    it("sets the new password through the page, keeping the form (and the link) after a refused password", async () => {
      const user = await registerUser(t.app);
      await t.app.inject({ method: "POST", url: "/v1/password-resets", payload: { login: user.email } });
      const link = linkIn((await latestEmailTo(t.gatehouse, user.email)).text);
      const opened = await openPage(t.app, link.pathname + link.search);
      const tooShort = await submitForm(t.app, opened.form!, opened.jar, { fields: { password: "short", passwordConfirmation: "short" } });
      expect(tooShort.statusCode).toBe(400);
      expect(tooShort.body).toContain("at least 15 characters");
      const again = formsIn(tooShort.body)[0]!;
      const done = await submitForm(t.app, again, opened.jar, {
        fields: { password: "a brand new passphrase", passwordConfirmation: "a brand new passphrase" },
      });
      expect(done.statusCode).toBe(200);
      expect(done.body).toContain("Password reset");
      expect((await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: "a brand new passphrase" } })).statusCode).toBe(
        201,
      );
    });
  });

  describe("account page", () => {
    const signInByPage = async () => {
      const link = await magicLink();
      const { response, jar } = await openAndSubmit(t.app, link.url);
      expect(response.statusCode).toBe(303);
      return { ...link, jar, signedIn: response };
    };
    const accountPage = (jar: CookieJar) => t.app.inject({ method: "GET", url: "/ui/account", headers: jar.header() }).then((r) => (jar.take(r), r));

    it("signs the browser in with a session in an HttpOnly cookie; no token in the URL or the page", async () => {
      const { email, token, jar, signedIn } = await signInByPage();
      expect(signedIn.headers.location).toBe("/ui/account");
      const cookie = signedIn.cookies.find((c) => c.name === "gatehouse_session")!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
      expect(signedIn.body).toBe("");

      const page = await accountPage(jar);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`signed in as <strong>${email}</strong>`);
      expect(page.body).toContain("(this browser)");
      expect(page.body).toContain("magic link");
      expect(page.body).toContain("GATEHOUSE_SIGN_IN_REDIRECT_URL");
      const [refreshToken, ...jwt] = cookie.value.split(".");
      for (const secret of [token, refreshToken!, jwt.join(".")]) expect(page.body).not.toContain(secret);
      const user = await t.gatehouse.accounts.getByEmail(email);
      const sessions = await t.gatehouse.sessions.list(user!.id);
      expect(sessions).toEqual([expect.objectContaining({ method: "magic_link" })]);
    });

    it("keeps the browser signed in after the access token expires, by rotating the refresh token", async () => {
      const { email, jar } = await signInByPage();
      const before = jar.get("gatehouse_session")!;
      t.clock.advance(t.config.tokens.accessTokenTtlSeconds + 120);
      const page = await accountPage(jar);
      expect(page.body).toContain(`signed in as <strong>${email}</strong>`);
      expect(jar.get("gatehouse_session")).not.toBe(before);
      expect((await accountPage(jar)).body).toContain(email);
    });

    it("signs out with a CSRF-checked post that ends the session", async () => {
      const { email, jar } = await signInByPage();
      const user = await t.gatehouse.accounts.getByEmail(email);
      const page = await accountPage(jar);
      const signOut = formsIn(page.body).find((f) => f.action === "/ui/account/sign-out")!;

      const forged = await submitForm(t.app, signOut, jar, { headers: { "sec-fetch-site": "cross-site" } });
      expectRefusalPage(forged, 403, "cross_site_request");
      const tokenless = await submitForm(t.app, { ...signOut, fields: {} }, jar);
      expectRefusalPage(tokenless, 403, "invalid_csrf_token");
      expect(await t.gatehouse.sessions.list(user!.id)).toHaveLength(1);

      const done = await submitForm(t.app, signOut, jar);
      expect(done.statusCode).toBe(200);
      expect(done.body).toContain("You are signed out");
      expect(done.cookies.find((c) => c.name === "gatehouse_session")?.value).toBe("");
      expect(await t.gatehouse.sessions.list(user!.id)).toHaveLength(0);
      const after = await accountPage(jar);
      expect(after.body).toContain("You are not signed in");
    });

    it("shows a browser with no session, or a damaged or revoked one, that it is not signed in", async () => {
      expect((await t.app.inject({ method: "GET", url: "/ui/account" })).body).toContain("You are not signed in");
      const damaged = await t.app.inject({ method: "GET", url: "/ui/account", headers: { cookie: "gatehouse_session=not-a-session" } });
      expect(damaged.body).toContain("You are not signed in");
      expect(damaged.cookies.find((c) => c.name === "gatehouse_session")?.value).toBe("");

      const { email, jar } = await signInByPage();
      const user = await t.gatehouse.accounts.getByEmail(email);
      await t.gatehouse.sessions.revokeAll(user!.id, { ip: "127.0.0.1", userAgent: null, requestId: "test" }, "test");
      expect((await accountPage(jar)).body).toContain("You are not signed in");
    });

    it("replaces a session the browser already held instead of leaving it live", async () => {
      const first = await signInByPage();
      const second = await magicLink();
      const { response } = await openAndSubmit(t.app, second.url, { jar: first.jar });
      expect(response.statusCode).toBe(303);
      const firstUser = await t.gatehouse.accounts.getByEmail(first.email);
      expect(await t.gatehouse.sessions.list(firstUser!.id)).toHaveLength(0);
      expect((await accountPage(first.jar)).body).toContain(second.email);
    });

    it("asks for a sign-in link from a form, answering the same for any address", async () => {
      const email = uniqueEmail("asked");
      const { response } = await openAndSubmit(t.app, "/ui/sign-in", { fields: { email } });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain("Check your email");
      expect(response.body).toContain('href="/dev/mailbox"');
      expect(linkIn((await latestEmailTo(t.gatehouse, email)).text).pathname).toBe("/ui/magic-link");
      const invalid = await openAndSubmit(t.app, "/ui/sign-in", { fields: { email: "not an address" } });
      expect(invalid.response.statusCode).toBe(400);
      expect(formsIn(invalid.response.body)).toHaveLength(1);
    });
  });

  describe("GATEHOUSE_SIGN_IN_REDIRECT_URL", () => {
    it("hands the sign-in to the application instead, and sets no session cookie", async () => {
      const redirecting = await startTestGatehouse(target, { env: { GATEHOUSE_SIGN_IN_REDIRECT_URL: "https://app.example/signed-in" } });
      try {
        const email = uniqueEmail("app");
        await redirecting.app.inject({ method: "POST", url: "/v1/magic-links", payload: { email } });
        const link = linkIn((await latestEmailTo(redirecting.gatehouse, email)).text);
        const { response } = await openAndSubmit(redirecting.app, link.pathname + link.search);
        expect(response.statusCode).toBe(303);
        expect(response.headers.location).toMatch(/^https:\/\/app\.example\/signed-in#sign_in_token=[A-Za-z0-9_-]{43}$/);
        expect(response.cookies.map((c) => c.name)).not.toContain("gatehouse_session");
      } finally {
        await redirecting.close();
      }
    });
  });

  describe("landing page", () => {
    it("links the API docs, the OpenAPI document, health, readiness, the mailbox and the docs", async () => {
      const page = await t.app.inject({ method: "GET", url: "/" });
      expect(page.statusCode).toBe(200);
      expect(page.headers["content-type"]).toContain("text/html");
      for (const href of ["/docs", "/openapi.json", "/healthz", "/readyz", "/dev/mailbox", "/ui/sign-in"]) expect(page.body).toContain(`href="${href}"`);
      expect(page.body).toContain("docs/getting-started.md");
      expect(page.body).not.toMatch(/github/i);
      const json = await t.app.inject({ method: "GET", url: "/", headers: { accept: "application/json" } });
      expect(json.json()).toMatchObject({ name: "Gatehouse", links: { apiDocs: "/docs", openapi: "/openapi.json", devMailbox: "/dev/mailbox" } });
    });

    it("does not link a mailbox that does not exist", async () => {
      const served = await startTestGatehouse(target, { env: { GATEHOUSE_DEV_MAILBOX: "" } });
      try {
        const page = await served.app.inject({ method: "GET", url: "/" });
        expect(page.body).toContain('href="/docs"');
        expect(page.body).not.toContain("/dev/mailbox");
        expect((await served.app.inject({ method: "GET", url: "/", headers: { accept: "application/json" } })).json().links.devMailbox).toBeUndefined();
      } finally {
        await served.close();
      }
    });
  });
});
