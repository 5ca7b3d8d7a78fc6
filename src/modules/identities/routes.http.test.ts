import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAndSubmit } from "../../../test/support/browser-forms.js";
import { latestCodeTo, messagesTo, uniquePhone, wrongCode } from "../../../test/support/codes.js";
import { bearer, registerUser, signIn, STRONG_PASSWORD, uniqueEmail, uniqueUsername } from "../../../test/support/factories.js";
import { emailsTo, latestEmailTo, linkIn, tokenIn } from "../../../test/support/mail.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, TEST_BASE_URL, type TestGatehouse } from "../../../test/support/test-gatehouse.js";
import { TokenPurposes } from "../tokens/index.js";

const CONTEXT = { ip: "127.0.0.1", userAgent: "test", requestId: "test" };

describe.each(databaseTargets())("identities on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, {
      env: {
        GATEHOUSE_MAIL_LIMIT_PER_IP: "100000",
        GATEHOUSE_SMS_LIMIT_PER_IP: "100000",
        GATEHOUSE_CODE_VERIFY_LIMIT_PER_IP: "100000",
        GATEHOUSE_AVAILABILITY_LIMIT_PER_IP: "100000",
      },
    });
  });
  afterAll(() => t.close());

  const as = (accessToken: string) => ({
    get: (url: string) => t.app.inject({ method: "GET", url, headers: bearer(accessToken) }),
    post: (url: string, payload: Record<string, unknown>) => t.app.inject({ method: "POST", url, payload, headers: bearer(accessToken) }),
    delete: (url: string) => t.app.inject({ method: "DELETE", url, headers: bearer(accessToken) }),
  });
  const post = (url: string, payload: Record<string, unknown>) => t.app.inject({ method: "POST", url, payload });
  const afterResendInterval = () => t.clock.advance(31);

  /** A user registered with a password whose email address is confirmed: one verified identity. */
  const confirmedUser = async () => {
    const user = await registerUser(t.app);
    await post("/v1/email-confirmations", { token: tokenIn(await latestEmailTo(t.gatehouse, user.email)) });
    return user;
  };

  /** A passwordless user signed in by SMS code: a phone identity only. */
  const phoneUser = async () => {
    const phone = uniquePhone();
    await post("/v1/sign-in-codes", { type: "phone", value: phone });
    const grant = (await post("/v1/sign-in-codes/verify", { type: "phone", value: phone, code: await latestCodeTo(t.gatehouse, phone) })).json();
    return { phone, grant, userId: grant.user.id as string };
  };

  describe("GET /v1/me/identities", () => {
    it("lists the registration address, unverified until confirmed", async () => {
      const user = await registerUser(t.app, { email: uniqueEmail("Mixed").replace("mixed", "MiXeD") });
      const grant = await signIn(t.app, user.email);
      const before = (await as(grant.accessToken).get("/v1/me/identities")).json().identities;
      expect(before).toEqual([expect.objectContaining({ type: "email", value: user.email.toLowerCase(), verified: false, verifiedAt: null })]);
      await post("/v1/email-confirmations", { token: tokenIn(await latestEmailTo(t.gatehouse, user.email)) });
      const after = (await as(grant.accessToken).get("/v1/me/identities")).json().identities;
      expect(after[0].verified).toBe(true);
    });
  });

  describe("adding an identity", () => {
    it("adds a phone number once the SMS code is entered; it then signs in to the same account", async () => {
      const user = await confirmedUser();
      const me = as((await signIn(t.app, user.email)).accessToken);
      const phone = uniquePhone();
      const requested = await me.post("/v1/me/identities", { type: "phone", value: phone });
      expect(requested.statusCode).toBe(202);
      // Nothing is added before the code is entered.
      expect((await me.get("/v1/me/identities")).json().identities).toHaveLength(1);
      const code = await latestCodeTo(t.gatehouse, phone);
      const wrong = await me.post("/v1/me/identities/verify", { type: "phone", value: phone, code: wrongCode(code) });
      expect(wrong.json().error.code).toBe("invalid_code");
      const verified = await me.post("/v1/me/identities/verify", { type: "phone", value: phone, code });
      expect(verified.statusCode).toBe(200);
      expect(verified.json().identity).toMatchObject({ type: "phone", value: phone, verified: true, userId: user.id });

      await post("/v1/sign-in-codes", { type: "phone", value: phone });
      const bySms = await post("/v1/sign-in-codes/verify", { type: "phone", value: phone, code: await latestCodeTo(t.gatehouse, phone) });
      expect(bySms.json()).toMatchObject({ created: false, user: { id: user.id } });
    });

    it("adds an email address by link through the same confirmation endpoint as registration", async () => {
      const { grant } = await phoneUser();
      const me = as(grant.accessToken);
      const email = uniqueEmail("added");
      expect((await me.post("/v1/me/identities", { type: "email", value: email, method: "link" })).statusCode).toBe(202);
      const mail = await latestEmailTo(t.gatehouse, email);
      expect(linkIn(mail.text).origin + linkIn(mail.text).pathname).toBe(`${TEST_BASE_URL}/ui/confirm-email`);
      const confirmed = await post("/v1/email-confirmations", { token: tokenIn(mail) });
      expect(confirmed.statusCode).toBe(200);
      // The first email address of a phone-only account becomes its primary one.
      expect(confirmed.json().user).toMatchObject({ id: grant.user.id, email, emailConfirmed: true });
    });

    it("answers the same for an identity of another account, and sends it nothing", async () => {
      const owner = await registerUser(t.app);
      const me = as((await signIn(t.app, (await confirmedUser()).email)).accessToken);
      const free = await me.post("/v1/me/identities", { type: "email", value: uniqueEmail("free") });
      const taken = await me.post("/v1/me/identities", { type: "email", value: owner.email.toUpperCase() });
      expect([free.statusCode, taken.statusCode]).toEqual([202, 202]);
      expect(free.body).toBe(taken.body);
      expect(await emailsTo(t.gatehouse, owner.email)).toHaveLength(1); // the registration email only
    });

    it("does not let another user redeem a verification code", async () => {
      const alice = as((await phoneUser()).grant.accessToken);
      const mallory = as((await phoneUser()).grant.accessToken);
      const phone = uniquePhone();
      await alice.post("/v1/me/identities", { type: "phone", value: phone });
      const code = await latestCodeTo(t.gatehouse, phone);
      expect((await mallory.post("/v1/me/identities/verify", { type: "phone", value: phone, code })).json().error.code).toBe("invalid_code");
    });

    it("refuses an identity that another account took in the meantime", async () => {
      const me = as((await phoneUser()).grant.accessToken);
      const email = uniqueEmail("raced");
      await me.post("/v1/me/identities", { type: "email", value: email });
      const code = await latestCodeTo(t.gatehouse, email);
      await registerUser(t.app, { email });
      const verified = await me.post("/v1/me/identities/verify", { type: "email", value: email, code });
      expect(verified.statusCode).toBe(409);
      expect(verified.json().error.code).toBe("identity_taken");
    });
  });

  describe("DELETE /v1/me/identities/:id", () => {
    it("refuses to remove the only way to sign in, and allows it once there is another", async () => {
      const { grant, phone } = await phoneUser();
      const me = as(grant.accessToken);
      const [only] = (await me.get("/v1/me/identities")).json().identities;
      const refused = await me.delete(`/v1/me/identities/${only.id}`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe("last_sign_in_method");

      const email = uniqueEmail("second");
      await me.post("/v1/me/identities", { type: "email", value: email });
      await me.post("/v1/me/identities/verify", { type: "email", value: email, code: await latestCodeTo(t.gatehouse, email) });
      expect((await me.delete(`/v1/me/identities/${only.id}`)).statusCode).toBe(204);
      const left = (await me.get("/v1/me/identities")).json().identities;
      expect(left.map((i: { value: string }) => i.value)).toEqual([email]);
      expect(await t.gatehouse.identities.getVerified({ type: "phone", value: phone })).toBeNull();
    });

    it("keeps the last identity of an account even when a username and password could still sign in: it is the only way to recover it", async () => {
      const withUsername = await registerUser(t.app, { username: uniqueUsername("solo") });
      const me = as((await signIn(t.app, withUsername.email)).accessToken);
      const [email] = (await me.get("/v1/me/identities")).json().identities;
      const refused = await me.delete(`/v1/me/identities/${email.id}`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe("last_recovery_channel");
      expect((await me.get("/v1/me")).json().user).toMatchObject({ email: withUsername.email });
      // With a second address the first can go, and the second becomes the primary one.
      await post("/v1/email-confirmations", { token: tokenIn(await latestEmailTo(t.gatehouse, withUsername.email)) });
      const second = uniqueEmail("second");
      await me.post("/v1/me/identities", { type: "email", value: second });
      await me.post("/v1/me/identities/verify", { type: "email", value: second, code: await latestCodeTo(t.gatehouse, second) });
      expect((await me.delete(`/v1/me/identities/${email.id}`)).statusCode).toBe(204);
      expect((await me.get("/v1/me")).json().user).toMatchObject({ email: second, emailConfirmed: true });

      const withoutUsername = await registerUser(t.app);
      const other = as((await signIn(t.app, withoutUsername.email)).accessToken);
      const [only] = (await other.get("/v1/me/identities")).json().identities;
      expect((await other.delete(`/v1/me/identities/${only.id}`)).json().error.code).toBe("last_sign_in_method");
    });

    it("answers identity_not_found for someone else's identity", async () => {
      const victim = await phoneUser();
      const [identity] = await t.gatehouse.identities.list(victim.userId);
      const me = as((await phoneUser()).grant.accessToken);
      expect((await me.delete(`/v1/me/identities/${identity!.id}`)).json().error.code).toBe("identity_not_found");
    });
  });

  describe("email change", () => {
    it("is held until the new address confirms it; the old address is told", async () => {
      const user = await registerUser(t.app);
      const me = as((await signIn(t.app, user.email)).accessToken);
      const next = uniqueEmail("next");
      const noPassword = await me.post("/v1/me/email", { email: next });
      expect(noPassword.json().error.code).toBe("invalid_current_password");
      expect((await me.post("/v1/me/email", { email: next, currentPassword: STRONG_PASSWORD })).statusCode).toBe(202);

      const notice = await latestEmailTo(t.gatehouse, user.email);
      expect(notice.subject).toContain("being changed");
      expect(notice.text).toContain(next);
      const confirm = await latestEmailTo(t.gatehouse, next);
      const link = linkIn(confirm.text);
      expect(link.origin + link.pathname).toBe(`${TEST_BASE_URL}/ui/confirm-email-change`);

      // Nothing has changed yet.
      expect((await me.get("/v1/me")).json().user.email).toBe(user.email);
      expect((await me.get("/v1/me/email-change")).json().pending).toMatchObject({ email: next });
      expect((await post("/v1/sessions", { login: user.email, password: STRONG_PASSWORD })).statusCode).toBe(201);
      expect((await post("/v1/sessions", { login: next, password: STRONG_PASSWORD })).statusCode).toBe(401);

      // The GET page consumes nothing; the POST applies the change.
      const { response: applied, page } = await openAndSubmit(t.app, link.pathname + link.search);
      expect(page.headers["referrer-policy"]).toBe("strict-origin");
      expect(applied.statusCode).toBe(200);
      expect((await me.get("/v1/me")).json().user).toMatchObject({ email: next, emailConfirmed: true });
      expect((await me.get("/v1/me/identities")).json().identities.map((i: { value: string }) => i.value)).toEqual([next]);
      expect((await me.get("/v1/me/email-change")).json().pending).toBeNull();
      expect((await post("/v1/sessions", { login: next, password: STRONG_PASSWORD })).statusCode).toBe(201);
      expect((await post("/v1/sessions", { login: user.email, password: STRONG_PASSWORD })).statusCode).toBe(401);
      expect((await post("/v1/email-changes/confirm", { token: link.searchParams.get("token")! })).json().error.code).toBe("invalid_email_change_token");
    });

    it("keeps only the latest request, and exposes the held change through the token store", async () => {
      const { grant } = await phoneUser();
      const me = as(grant.accessToken);
      const first = uniqueEmail("first");
      const second = uniqueEmail("second");
      await me.post("/v1/me/email", { email: first });
      afterResendInterval();
      await me.post("/v1/me/email", { email: second });
      const stale = tokenIn(await latestEmailTo(t.gatehouse, first));
      expect((await post("/v1/email-changes/confirm", { token: stale })).json().error.code).toBe("invalid_email_change_token");

      const stored = await t.gatehouse.tokens.findLiveFor(t.gatehouse.database.db, grant.user.id, TokenPurposes.emailChange);
      expect(await t.gatehouse.tokens.getConfirmationChanges(t.gatehouse.database.db, stored!.jti)).toEqual({ email: second, from: null });
      const confirmed = await post("/v1/email-changes/confirm", { token: tokenIn(await latestEmailTo(t.gatehouse, second)) });
      expect(confirmed.json().user).toMatchObject({ email: second, emailConfirmed: true });
      expect(await t.gatehouse.tokens.getConfirmationChanges(t.gatehouse.database.db, stored!.jti)).toBeNull();
    });

    it("sends nothing to an address of another account, with the same answer", async () => {
      const other = await registerUser(t.app);
      const { grant } = await phoneUser();
      const response = await as(grant.accessToken).post("/v1/me/email", { email: other.email });
      expect(response.statusCode).toBe(202);
      expect(await emailsTo(t.gatehouse, other.email)).toHaveLength(1);
    });
  });

  describe("email confirmation by code", () => {
    it("confirms the registration address with an emailed code", async () => {
      const user = await registerUser(t.app);
      expect((await post("/v1/email-confirmations/resend", { email: user.email, method: "code" })).statusCode).toBe(202);
      const code = await latestCodeTo(t.gatehouse, user.email);
      const confirmed = await post("/v1/email-confirmations", { email: user.email, code });
      expect(confirmed.json().user).toMatchObject({ id: user.id, emailConfirmed: true });
      // Nothing more to confirm: no more codes.
      afterResendInterval();
      await post("/v1/email-confirmations/resend", { email: user.email, method: "code" });
      expect(await messagesTo(t.gatehouse, user.email)).toHaveLength(2);
    });
  });

  describe("availability and lookups", () => {
    it("reports taken emails (any identity, any case) and usernames", async () => {
      const user = await registerUser(t.app, { username: uniqueUsername("avail") });
      const check = (kind: string, payload: Record<string, unknown>) => post(`/v1/availability/${kind}`, payload);
      expect((await check("email", { email: user.email.toUpperCase() })).json()).toEqual({ taken: true });
      expect((await check("email", { email: uniqueEmail("free") })).json()).toEqual({ taken: false });
      expect((await check("username", { username: user.username!.toUpperCase() })).json()).toEqual({ taken: true });
      expect((await check("username", { username: uniqueUsername() })).json()).toEqual({ taken: false });
      expect((await check("username", { username: "no spaces allowed" })).statusCode).toBe(400);
    });

    it("throttles availability checks per IP", async () => {
      const limited = await startTestGatehouse(target, { env: { GATEHOUSE_AVAILABILITY_LIMIT_PER_IP: "2" } });
      try {
        const check = () => limited.app.inject({ method: "POST", url: "/v1/availability/username", payload: { username: uniqueUsername() } });
        expect((await check()).statusCode).toBe(200);
        expect((await check()).statusCode).toBe(200);
        const third = await check();
        expect(third.statusCode).toBe(429);
        expect(Number(third.headers["retry-after"])).toBeGreaterThan(0);
      } finally {
        await limited.close();
      }
    });

    it("shows a public profile by username to signed-in users only", async () => {
      const target = await registerUser(t.app, { username: uniqueUsername("public"), name: "Grace Hopper", metadata: { secret: "x" } });
      const me = as((await phoneUser()).grant.accessToken);
      const found = await me.get(`/v1/users/by-username/${target.username!.toUpperCase()}`);
      expect(found.json()).toEqual({ user: { id: target.id, username: target.username, name: "Grace Hopper" } });
      expect((await me.get(`/v1/users/by-username/${uniqueUsername()}`)).json().error.code).toBe("user_not_found");
      expect((await t.app.inject({ method: "GET", url: `/v1/users/by-username/${target.username}` })).statusCode).toBe(401);
    });
  });

  describe("library API", () => {
    it("finds or creates verified identities and passwordless users", async () => {
      const { identities, accounts } = t.gatehouse;
      const email = uniqueEmail("library");
      const created = await identities.findOrCreateVerified({ type: "email", value: email.toUpperCase() }, CONTEXT);
      expect(created).toMatchObject({ created: true, user: { email, hasPassword: false, emailConfirmed: true }, identity: { value: email, verified: true } });
      const again = await identities.findOrCreateVerified({ type: "email", value: email }, CONTEXT);
      expect(again).toMatchObject({ created: false, user: { id: created.user.id } });
      expect((await identities.getVerified({ type: "email", value: email }))?.user.id).toBe(created.user.id);

      const phone = uniquePhone();
      const byPhone = await identities.createPasswordlessUser({ type: "phone", value: phone }, CONTEXT);
      expect(byPhone.user.email).toBeNull();
      await expect(identities.createPasswordlessUser({ type: "phone", value: phone }, CONTEXT)).rejects.toMatchObject({ code: "identity_taken" });
      expect(await identities.isTaken({ type: "phone", value: phone })).toBe(true);
      await expect(identities.isTaken({ type: "phone", value: "12" })).rejects.toMatchObject({ code: "invalid_phone_number" });

      // An unverified identity is not returned as verified, and is verified by find-or-create.
      const registered = await registerUser(t.app);
      expect(await identities.getVerified({ type: "email", value: registered.email })).toBeNull();
      const claimed = await identities.findOrCreateVerified({ type: "email", value: registered.email }, CONTEXT);
      expect(claimed).toMatchObject({ created: false, user: { id: registered.id, emailConfirmed: true }, identity: { verified: true } });
      expect(await accounts.isEmailTaken(registered.email.toUpperCase())).toBe(true);
    });
  });
});
