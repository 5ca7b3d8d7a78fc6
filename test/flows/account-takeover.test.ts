import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identitiesTable } from "../../src/modules/identities/tables.js";
import { generateId } from "../../src/kernel/crypto/random.js";
import { codeIn, latestCodeTo, messagesTo, uniquePhone } from "../support/codes.js";
import { bearer, registerUser, signIn, STRONG_PASSWORD, OTHER_STRONG_PASSWORD, uniqueEmail } from "../support/factories.js";
import { emailsTo, latestEmailTo, tokenIn } from "../support/mail.js";
import { databaseTargets } from "../support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../support/test-gatehouse.js";

/**
 * @see issue 15, item 2: an attacker who registers the victim's address must not keep a way in once
 * the victim claims the account; identities change only with a recent proof, and the account hears of it.
 */
describe.each(databaseTargets())("account takeover by pre-registration on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, {
      env: { GATEHOUSE_MAIL_LIMIT_PER_IP: "100000", GATEHOUSE_SMS_LIMIT_PER_IP: "100000", GATEHOUSE_CODE_VERIFY_LIMIT_PER_IP: "100000" },
    });
  });
  afterAll(() => t.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url, payload: payload as object, headers });
  const afterResendInterval = () => t.clock.advance(31);
  const smsSignIn = async (phone: string) => {
    afterResendInterval();
    await post("/v1/sign-in-codes", { type: "phone", value: phone });
    return post("/v1/sign-in-codes/verify", { type: "phone", value: phone, code: await latestCodeTo(t.gatehouse, phone) });
  };

  /** The victim's address registered by an attacker, who then attached a phone of their own (as data from before the fix could hold). */
  const squattedAccount = async () => {
    const victimEmail = uniqueEmail("victim");
    const squatter = await registerUser(t.app, { email: victimEmail });
    const attackerPhone = uniquePhone();
    await t.gatehouse.database.db
      .insert(identitiesTable)
      .values({ id: generateId(), userId: squatter.id, type: "phone", value: attackerPhone, verifiedAt: t.clock.now(), createdAt: t.clock.now() });
    return { victimEmail, squatter, attackerPhone };
  };

  it("refuses to attach an attacker's address to an account whose only address is unproven", async () => {
    const squatter = await registerUser(t.app, { email: uniqueEmail("victim") });
    const session = await signIn(t.app, squatter.email);
    const attempt = await post("/v1/me/identities", { type: "phone", value: uniquePhone() }, bearer(session.accessToken));
    expect(attempt.statusCode).toBe(403);
    expect(attempt.json().error.code).toBe("verified_identity_required");
  });

  it("removes every identity the owner did not prove when they claim the account by magic link", async () => {
    const { victimEmail, squatter, attackerPhone } = await squattedAccount();
    await post("/v1/magic-links", { email: victimEmail });
    const claimed = await post("/v1/magic-links/verify", { token: tokenIn(await latestEmailTo(t.gatehouse, victimEmail)) });
    expect(claimed.json().user).toMatchObject({ id: squatter.id, hasPassword: false, emailConfirmed: true });
    expect((await t.gatehouse.identities.list(squatter.id)).map((i) => i.value)).toEqual([victimEmail]);
    // The attacker's phone now reaches no account of the victim's: a code to it signs up someone new.
    const attacker = await smsSignIn(attackerPhone);
    expect(attacker.json()).toMatchObject({ created: true });
    expect(attacker.json().user.id).not.toBe(squatter.id);
    const audit = await t.gatehouse.audit.listForUser(t.gatehouse.database.db, squatter.id, 20);
    expect(audit.find((e) => e.action === "credentials.unverified_cleared")?.data).toMatchObject({ removedIdentities: 1 });
  });

  it("removes them when the owner claims the account by password reset, by link or by code", async () => {
    for (const by of ["link", "code"] as const) {
      const { victimEmail, squatter, attackerPhone } = await squattedAccount();
      afterResendInterval();
      if (by === "link") {
        await post("/v1/password-resets", { login: victimEmail });
        const reset = await post("/v1/password-resets/complete", {
          token: tokenIn(await latestEmailTo(t.gatehouse, victimEmail)),
          password: OTHER_STRONG_PASSWORD,
          passwordConfirmation: OTHER_STRONG_PASSWORD,
        });
        expect(reset.statusCode).toBe(200);
      } else {
        await post("/v1/password-resets/codes", { type: "email", value: victimEmail });
        const reset = await post("/v1/password-resets/codes/complete", {
          type: "email",
          value: victimEmail,
          code: await latestCodeTo(t.gatehouse, victimEmail),
          password: OTHER_STRONG_PASSWORD,
          passwordConfirmation: OTHER_STRONG_PASSWORD,
        });
        expect(reset.statusCode).toBe(200);
      }
      expect((await t.gatehouse.identities.list(squatter.id)).map((i) => i.value)).toEqual([victimEmail]);
      expect((await smsSignIn(attackerPhone)).json().user.id).not.toBe(squatter.id);
      expect((await post("/v1/sessions", { login: victimEmail, password: STRONG_PASSWORD })).statusCode).toBe(401);
    }
  });

  it("keeps the identities of an account whose address was already proven", async () => {
    const owner = await registerUser(t.app);
    await post("/v1/email-confirmations", { token: tokenIn(await latestEmailTo(t.gatehouse, owner.email)) });
    const me = bearer((await signIn(t.app, owner.email)).accessToken);
    const phone = uniquePhone();
    await post("/v1/me/identities", { type: "phone", value: phone }, me);
    expect((await post("/v1/me/identities/verify", { type: "phone", value: phone, code: await latestCodeTo(t.gatehouse, phone) }, me)).statusCode).toBe(200);
    afterResendInterval();
    await post("/v1/password-resets", { login: owner.email });
    await post("/v1/password-resets/complete", {
      token: tokenIn(await latestEmailTo(t.gatehouse, owner.email)),
      password: OTHER_STRONG_PASSWORD,
      passwordConfirmation: OTHER_STRONG_PASSWORD,
    });
    expect((await t.gatehouse.identities.list(owner.id)).map((i) => i.type).sort()).toEqual(["email", "phone"]);
  });

  it("tells the account's other addresses when an identity is added or removed", async () => {
    const owner = await registerUser(t.app);
    await post("/v1/email-confirmations", { token: tokenIn(await latestEmailTo(t.gatehouse, owner.email)) });
    const me = bearer((await signIn(t.app, owner.email)).accessToken);
    const phone = uniquePhone();
    await post("/v1/me/identities", { type: "phone", value: phone }, me);
    const added = await post("/v1/me/identities/verify", { type: "phone", value: phone, code: await latestCodeTo(t.gatehouse, phone) }, me);
    await t.gatehouse.mail.idle();
    const notice = await latestEmailTo(t.gatehouse, owner.email);
    expect(notice.subject).toContain("A new way to sign in was added");
    expect(notice.text).toContain(phone);

    const removed = await t.app.inject({ method: "DELETE", url: `/v1/me/identities/${added.json().identity.id}`, headers: me });
    expect(removed.statusCode).toBe(204);
    expect((await latestEmailTo(t.gatehouse, owner.email)).subject).toContain("A way to sign in was removed");
    // The removed number hears of it too: it may be the owner's, removed by someone else.
    expect((await messagesTo(t.gatehouse, phone))[0]!.text).toMatch(/was removed from your Gatehouse account/);
  });

  it("needs a recent authentication to add or remove an identity, renewed by reauthenticating", async () => {
    const owner = await registerUser(t.app);
    await post("/v1/email-confirmations", { token: tokenIn(await latestEmailTo(t.gatehouse, owner.email)) });
    const session = await signIn(t.app, owner.email);
    t.clock.advance(t.config.tokens.reauthenticationMaxAgeSeconds + 1);
    // The access token has expired by now too: refresh it, as a client would. Refreshing is not a proof.
    const refreshed = (await post("/v1/sessions/refresh", { refreshToken: session.refreshToken })).json();
    const stale = bearer(refreshed.accessToken);
    const phone = uniquePhone();
    const refused = await post("/v1/me/identities", { type: "phone", value: phone }, stale);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("reauthentication_required");
    expect(await messagesTo(t.gatehouse, phone)).toHaveLength(0);
    const [emailIdentity] = await t.gatehouse.identities.list(owner.id);
    expect((await t.app.inject({ method: "DELETE", url: `/v1/me/identities/${emailIdentity!.id}`, headers: stale })).json().error.code).toBe(
      "reauthentication_required",
    );

    const wrong = await post("/v1/sessions/current/reauthenticate", { password: OTHER_STRONG_PASSWORD }, stale);
    expect(wrong.json().error.code).toBe("invalid_current_password");
    const renewed = await post("/v1/sessions/current/reauthenticate", { password: STRONG_PASSWORD }, stale);
    expect(renewed.statusCode).toBe(200);
    expect(new Date(renewed.json().authenticatedAt).getTime()).toBe(t.clock.now().getTime());
    expect((await post("/v1/me/identities", { type: "phone", value: phone }, bearer(renewed.json().accessToken))).statusCode).toBe(202);
    const audit = await t.gatehouse.audit.listForUser(t.gatehouse.database.db, owner.id, 30);
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(["reauthentication.failed", "session.reauthenticated"]));
  });

  it("asks a passwordless account for a fresh code to its current address before changing its email", async () => {
    const email = uniqueEmail("passwordless");
    await post("/v1/magic-links", { email });
    const grant = (await post("/v1/magic-links/verify", { token: tokenIn(await latestEmailTo(t.gatehouse, email)) })).json();
    t.clock.advance(t.config.tokens.reauthenticationMaxAgeSeconds + 1);
    const stale = bearer((await post("/v1/sessions/refresh", { refreshToken: grant.refreshToken })).json().accessToken);
    const next = uniqueEmail("next");
    const refused = await post("/v1/me/email", { email: next }, stale);
    expect(refused.json().error.code).toBe("reauthentication_required");
    expect(await emailsTo(t.gatehouse, next)).toHaveLength(0);

    expect((await post("/v1/sessions/current/reauthentication-codes", {}, stale)).statusCode).toBe(202);
    const code = codeIn(await latestEmailTo(t.gatehouse, email));
    const wrong = await post("/v1/sessions/current/reauthenticate", { code: code === "000000" ? "111111" : "000000" }, stale);
    expect(wrong.json().error.code).toBe("invalid_code");
    const renewed = await post("/v1/sessions/current/reauthenticate", { code }, stale);
    expect(renewed.statusCode).toBe(200);
    expect((await post("/v1/me/email", { email: next }, bearer(renewed.json().accessToken))).statusCode).toBe(202);
    expect((await latestEmailTo(t.gatehouse, next)).subject).toContain("Confirm your new email address");
  });
});
