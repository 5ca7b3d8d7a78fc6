import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestCodeTo, uniquePhone } from "../support/codes.js";
import { bearer, OTHER_STRONG_PASSWORD, uniqueEmail } from "../support/factories.js";
import { latestEmailTo, linkIn, tokenIn } from "../support/mail.js";
import { databaseTargets } from "../support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../support/test-gatehouse.js";

describe.each(databaseTargets())("passwordless journey on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target);
  });
  afterAll(() => t.close());

  it("signs up by magic link, adds a phone, signs in by SMS, changes email, and recovers a password by code", async () => {
    const { app, gatehouse } = t;
    const post = (url: string, payload: Record<string, unknown>, token?: string) =>
      app.inject({ method: "POST", url, payload, headers: token ? bearer(token) : {} });
    const email = uniqueEmail("journey");
    const phone = uniquePhone();

    // 1. Magic link: the emailed link opens a page; its button signs up a passwordless user.
    expect((await post("/v1/magic-links", { email })).statusCode).toBe(202);
    const link = linkIn((await latestEmailTo(gatehouse, email)).text);
    expect((await app.inject({ method: "GET", url: link.pathname + link.search })).statusCode).toBe(200);
    const first = await post("/v1/magic-links/verify", { token: link.searchParams.get("token")! });
    expect(first.json()).toMatchObject({ created: true, user: { email, hasPassword: false } });
    const userId = first.json().user.id;

    // 2. Add a phone number, proven by the SMS code.
    expect((await post("/v1/me/identities", { type: "phone", value: phone }, first.json().accessToken)).statusCode).toBe(202);
    const added = await post("/v1/me/identities/verify", { type: "phone", value: phone, code: await latestCodeTo(gatehouse, phone) }, first.json().accessToken);
    expect(added.json().identity).toMatchObject({ type: "phone", verified: true });

    // 3. Sign in by SMS code to the same account.
    t.clock.advance(31);
    await post("/v1/sign-in-codes", { type: "phone", value: phone });
    const bySms = await post("/v1/sign-in-codes/verify", { type: "phone", value: phone, code: await latestCodeTo(gatehouse, phone) });
    expect(bySms.json()).toMatchObject({ created: false, user: { id: userId } });

    // 4. Change the email address: held until the new address confirms it.
    const next = uniqueEmail("moved");
    expect((await post("/v1/me/email", { email: next }, bySms.json().accessToken)).statusCode).toBe(202);
    expect((await gatehouse.accounts.getById(userId))?.email).toBe(email);
    const changed = await post("/v1/email-changes/confirm", { token: tokenIn(await latestEmailTo(gatehouse, next)) });
    expect(changed.json().user).toMatchObject({ id: userId, email: next, emailConfirmed: true });

    // 5. Recover (set) a password by emailed code, then sign in with it by phone number.
    await post("/v1/password-resets/codes", { type: "email", value: next });
    const recovered = await post("/v1/password-resets/codes/complete", {
      type: "email",
      value: next,
      code: await latestCodeTo(gatehouse, next),
      password: OTHER_STRONG_PASSWORD,
      passwordConfirmation: OTHER_STRONG_PASSWORD,
    });
    expect(recovered.statusCode).toBe(200);
    const byPassword = await post("/v1/sessions", { login: phone, password: OTHER_STRONG_PASSWORD });
    expect(byPassword.statusCode).toBe(201);
    expect(byPassword.json().session.userId).toBe(userId);

    const identities = await app.inject({ method: "GET", url: "/v1/me/identities", headers: bearer(byPassword.json().accessToken) });
    expect(
      identities
        .json()
        .identities.map((i: { type: string; value: string }) => `${i.type}:${i.value}`)
        .sort(),
    ).toEqual([`email:${next}`, `phone:${phone}`]);
  });
});
