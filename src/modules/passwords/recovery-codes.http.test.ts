import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestCodeTo, latestMessageTo, messagesTo, uniquePhone, wrongCode } from "../../../test/support/codes.js";
import { bearer, OTHER_STRONG_PASSWORD, registerUser, signIn, STRONG_PASSWORD, uniqueEmail } from "../../../test/support/factories.js";
import { latestEmailTo, tokenIn } from "../../../test/support/mail.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

describe.each(databaseTargets())("password recovery by code on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, {
      env: { GATEHOUSE_MAIL_LIMIT_PER_IP: "100000", GATEHOUSE_SMS_LIMIT_PER_IP: "100000", GATEHOUSE_CODE_VERIFY_LIMIT_PER_IP: "100000" },
    });
  });
  afterAll(() => t.close());

  const post = (url: string, payload: Record<string, unknown>) => t.app.inject({ method: "POST", url, payload });
  const requestCode = (type: string, value: string) => post("/v1/password-resets/codes", { type, value });
  const complete = (type: string, value: string, code: string, password = OTHER_STRONG_PASSWORD) =>
    post("/v1/password-resets/codes/complete", { type, value, code, password, passwordConfirmation: password });

  it("emails a recovery code to a known address and nothing to an unknown one, with the same answer", async () => {
    const user = await registerUser(t.app);
    const unknown = uniqueEmail("nobody");
    const known = await requestCode("email", user.email.toUpperCase());
    const missing = await requestCode("email", unknown);
    expect([known.statusCode, missing.statusCode]).toEqual([202, 202]);
    expect(known.body).toBe(missing.body);
    expect((await latestMessageTo(t.gatehouse, user.email)).subject).toContain("recovery code");
    expect(await messagesTo(t.gatehouse, unknown)).toHaveLength(0);
    // Verifying against an unknown identity fails exactly like a wrong code.
    expect((await complete("email", unknown, "123456")).json().error.code).toBe("invalid_code");
  });

  it("sets the new password with the code, ends every session and works once", async () => {
    const user = await registerUser(t.app);
    const session = await signIn(t.app, user.email);
    await requestCode("email", user.email);
    const code = await latestCodeTo(t.gatehouse, user.email);
    const done = await complete("email", user.email, code);
    expect(done.statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(session.accessToken) })).statusCode).toBe(401);
    expect((await post("/v1/sessions", { login: user.email, password: STRONG_PASSWORD })).statusCode).toBe(401);
    expect((await post("/v1/sessions", { login: user.email, password: OTHER_STRONG_PASSWORD })).statusCode).toBe(201);
    expect((await complete("email", user.email, code, "yet another long passphrase")).json().error.code).toBe("invalid_code");
    // The code proved the address: it is confirmed now.
    expect((await t.gatehouse.accounts.getById(user.id))?.emailConfirmed).toBe(true);
  });

  it("verifies the address identity when a reset link is followed, as a code does", async () => {
    const user = await registerUser(t.app);
    await post("/v1/password-resets", { login: user.email });
    const token = tokenIn(await latestEmailTo(t.gatehouse, user.email));
    expect(
      (await post("/v1/password-resets/complete", { token, password: OTHER_STRONG_PASSWORD, passwordConfirmation: OTHER_STRONG_PASSWORD })).statusCode,
    ).toBe(200);
    const [identity] = await t.gatehouse.identities.list(user.id);
    expect(identity).toMatchObject({ type: "email", verified: true });
    expect((await t.gatehouse.accounts.getById(user.id))?.emailConfirmed).toBe(true);
  });

  it("recovers a phone-only account by SMS and gives it a password", async () => {
    const phone = uniquePhone();
    await post("/v1/sign-in-codes", { type: "phone", value: phone });
    const signedUp = (await post("/v1/sign-in-codes/verify", { type: "phone", value: phone, code: await latestCodeTo(t.gatehouse, phone) })).json();
    expect(signedUp.user.hasPassword).toBe(false);
    await requestCode("phone", phone);
    const sms = await latestMessageTo(t.gatehouse, phone);
    expect(sms.channel).toBe("sms");
    expect(sms.text).toContain("recovery code");
    expect((await complete("phone", phone, await latestCodeTo(t.gatehouse, phone))).statusCode).toBe(200);
    const signedIn = await post("/v1/sessions", { login: phone, password: OTHER_STRONG_PASSWORD });
    expect(signedIn.statusCode).toBe(201);
    expect(signedIn.json().session.userId).toBe(signedUp.user.id);
  });

  it("lets a phone-only account sign in with its password when email confirmation is required", async () => {
    const strict = await startTestGatehouse(target, { env: { GATEHOUSE_REQUIRE_EMAIL_CONFIRMATION: "true" } });
    try {
      const phone = uniquePhone();
      const send = (url: string, payload: Record<string, unknown>) => strict.app.inject({ method: "POST", url, payload });
      await send("/v1/sign-in-codes", { type: "phone", value: phone });
      await send("/v1/sign-in-codes/verify", { type: "phone", value: phone, code: await latestCodeTo(strict.gatehouse, phone) });
      await send("/v1/password-resets/codes", { type: "phone", value: phone });
      const code = await latestCodeTo(strict.gatehouse, phone);
      await send("/v1/password-resets/codes/complete", {
        type: "phone",
        value: phone,
        code,
        password: OTHER_STRONG_PASSWORD,
        passwordConfirmation: OTHER_STRONG_PASSWORD,
      });
      expect((await send("/v1/sessions", { login: phone, password: OTHER_STRONG_PASSWORD })).statusCode).toBe(201);
    } finally {
      await strict.close();
    }
  });

  it("refuses a guessable password with the reason, before and after the code is checked (issue 15)", async () => {
    const user = await registerUser(t.app, { name: "Zéphyrine Quaglietti" });
    await requestCode("email", user.email);
    const code = await latestCodeTo(t.gatehouse, user.email);
    const dated = await complete("email", user.email, code, "01/02/1990 birthday");
    expect(dated.statusCode).toBe(400);
    expect(dated.json().error).toMatchObject({
      code: "password_too_guessable",
      message: expect.stringContaining("Dates are easy to guess."),
      details: { warning: "Dates are easy to guess." },
    });
    // The same refusal for an identity that has no account: it says nothing about the account.
    const ghost = await complete("email", uniqueEmail("ghost"), "123456", "01/02/1990 birthday");
    expect(ghost.json()).toEqual(dated.json());
    // The name is checked once the code has proven who is asking; the code is still usable after.
    expect((await complete("email", user.email, code, "quaglietti recovers her account")).json().error.code).toBe("password_contains_personal_info");
    expect((await complete("email", user.email, code)).statusCode).toBe(200);
  });

  it("does not spend the code on a refused password, but counts wrong codes", async () => {
    const user = await registerUser(t.app);
    await requestCode("email", user.email);
    const code = await latestCodeTo(t.gatehouse, user.email);
    expect((await complete("email", user.email, code, "short")).json().error.code).toBe("password_too_short");
    const local = user.email.split("@")[0]!;
    expect((await complete("email", user.email, code, `${local} is my long passphrase`)).json().error.code).toBe("password_contains_personal_info");
    for (let i = 0; i < 4; i++) expect((await complete("email", user.email, wrongCode(code))).json().error.code).toBe("invalid_code");
    expect((await complete("email", user.email, code)).statusCode).toBe(200);
  });
});
