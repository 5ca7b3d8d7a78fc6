import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, OTHER_STRONG_PASSWORD, STRONG_PASSWORD, uniqueEmail } from "../support/factories.js";
import { latestEmailTo, tokenIn } from "../support/mail.js";
import { databaseTargets } from "../support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../support/test-gatehouse.js";

describe.each(databaseTargets())("account journey on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target);
  });
  afterAll(() => t.close());

  it("registers, confirms, signs in, refreshes, signs out and resets the password", async () => {
    const { app, gatehouse } = t;
    const email = uniqueEmail("journey");

    const registered = await app.inject({
      method: "POST",
      url: "/v1/users",
      payload: { email, password: STRONG_PASSWORD, passwordConfirmation: STRONG_PASSWORD, username: "journey_user" },
    });
    expect(registered.statusCode).toBe(201);
    expect(registered.json().user).toMatchObject({ email, emailConfirmed: false, username: "journey_user" });

    const confirmation = await latestEmailTo(gatehouse, email);
    expect(confirmation.subject).toContain("Confirm");
    const confirmed = await app.inject({ method: "POST", url: "/v1/email-confirmations", payload: { token: tokenIn(confirmation) } });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json().user.emailConfirmed).toBe(true);

    const signedIn = await app.inject({ method: "POST", url: "/v1/sessions", payload: { login: email.toUpperCase(), password: STRONG_PASSWORD } });
    expect(signedIn.statusCode).toBe(201);
    const grant = signedIn.json();
    expect(grant).toMatchObject({ tokenType: "Bearer", expiresIn: 300 });

    const me = await app.inject({ method: "GET", url: "/v1/me", headers: bearer(grant.accessToken) });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.email).toBe(email);

    const refreshed = await app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken: grant.refreshToken } });
    expect(refreshed.statusCode).toBe(200);
    const rotated = refreshed.json();
    expect(rotated.refreshToken).not.toBe(grant.refreshToken);
    expect(rotated.session.id).toBe(grant.session.id);

    const signedOut = await app.inject({ method: "DELETE", url: "/v1/sessions/current", headers: bearer(rotated.accessToken) });
    expect(signedOut.statusCode).toBe(204);
    const afterSignOut = await app.inject({ method: "GET", url: "/v1/me", headers: bearer(rotated.accessToken) });
    expect(afterSignOut.statusCode).toBe(401);
    expect(afterSignOut.json().error.code).toBe("invalid_token");

    const resetRequested = await app.inject({ method: "POST", url: "/v1/password-resets", payload: { login: "JOURNEY_USER" } });
    expect(resetRequested.statusCode).toBe(202);
    const resetEmail = await latestEmailTo(gatehouse, email);
    expect(resetEmail.subject).toContain("Reset");
    const reset = await app.inject({
      method: "POST",
      url: "/v1/password-resets/complete",
      payload: { token: tokenIn(resetEmail), password: OTHER_STRONG_PASSWORD, passwordConfirmation: OTHER_STRONG_PASSWORD },
    });
    expect(reset.statusCode).toBe(200);

    const oldPassword = await app.inject({ method: "POST", url: "/v1/sessions", payload: { login: email, password: STRONG_PASSWORD } });
    expect(oldPassword.statusCode).toBe(401);
    const newPassword = await app.inject({ method: "POST", url: "/v1/sessions", payload: { login: email, password: OTHER_STRONG_PASSWORD } });
    expect(newPassword.statusCode).toBe(201);
  });
});
