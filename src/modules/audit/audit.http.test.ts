import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, signIn, uniqueEmail } from "../../../test/support/factories.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";
import { systemContext } from "../../kernel/http/request-context.js";
import { auditEventsTable } from "./tables.js";

/** @see issue 15, item 14: refreshes and failed passwordless sign-ins are audited, every row carries its request id. */
describe.each(databaseTargets())("the audit log on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target);
  });
  afterAll(() => t.close());

  const rowsOfRequest = (requestId: string) => t.gatehouse.database.db.select().from(auditEventsTable).where(eq(auditEventsTable.requestId, requestId));

  it("files each entry under the id of the request that caused it, as the response tells", async () => {
    const email = uniqueEmail();
    const registered = await t.app.inject({
      method: "POST",
      url: "/v1/users",
      payload: { email, password: "an audited passphrase here", passwordConfirmation: "an audited passphrase here" },
      headers: { "user-agent": "audit-test/1" },
    });
    const requestId = registered.headers["x-request-id"] as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await rowsOfRequest(requestId);
    expect(rows.map((r) => r.action)).toEqual(["user.registered"]);
    expect(rows[0]).toMatchObject({ ip: "127.0.0.1", userAgent: "audit-test/1", subjectUserId: registered.json().user.id });
  });

  it("records who acted: the signed-in user, an administrator acting on someone else, or Gatehouse itself", async () => {
    const user = await registerUser(t.app);
    const grant = await signIn(t.app, user.email);
    const signOut = await t.app.inject({ method: "DELETE", url: "/v1/sessions/current", headers: { authorization: `Bearer ${grant.accessToken}` } });
    expect((await rowsOfRequest(signOut.headers["x-request-id"] as string))[0]).toMatchObject({
      action: "session.revoked",
      actorType: "user",
      actorUserId: user.id,
      subjectUserId: user.id,
    });

    const admin = await registerUser(t.app);
    await signIn(t.app, user.email);
    const byAdmin = { ip: "192.0.2.1", userAgent: "admin-console", requestId: "admin-request", actor: { type: "admin" as const, userId: admin.id } };
    expect(await t.gatehouse.sessions.revokeAll(user.id, byAdmin, "revoked_by_admin")).toBe(1);
    expect((await rowsOfRequest("admin-request"))[0]).toMatchObject({
      action: "session.revoked",
      actorType: "admin",
      actorUserId: admin.id,
      subjectUserId: user.id,
      ip: "192.0.2.1",
    });

    await signIn(t.app, user.email);
    await t.gatehouse.sessions.revokeAll(user.id, systemContext("account-cleanup"), "cleanup");
    const [bySystem] = await t.gatehouse.audit.listForUser(t.gatehouse.database.db, user.id, 1);
    expect(bySystem).toMatchObject({
      action: "session.revoked",
      actorType: "system",
      actorUserId: null,
      requestId: null,
      ip: null,
      data: { system: "account-cleanup" },
    });
  });

  it("records every refresh", async () => {
    const user = await registerUser(t.app);
    const grant = await signIn(t.app, user.email);
    const refreshed = await t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken: grant.refreshToken } });
    expect(refreshed.statusCode).toBe(200);
    const [row] = await rowsOfRequest(refreshed.headers["x-request-id"] as string);
    expect(row).toMatchObject({ action: "session.refreshed", subjectUserId: user.id, actorUserId: user.id, data: { sessionId: grant.session.id } });
  });

  it("records failed magic-link and code sign-ins, for unknown identities too", async () => {
    const user = await registerUser(t.app);
    const link = await t.app.inject({ method: "POST", url: "/v1/magic-links/verify", payload: { token: "not-a-real-magic-link-token-at-all" } });
    expect(link.statusCode).toBe(401);
    expect(await rowsOfRequest(link.headers["x-request-id"] as string)).toEqual([
      expect.objectContaining({ action: "sign_in.failed", outcome: "failure", subjectUserId: null, data: { method: "magic_link", reason: "invalid_token" } }),
    ]);
    const code = await t.app.inject({ method: "POST", url: "/v1/sign-in-codes/verify", payload: { type: "email", value: user.email, code: "000000" } });
    expect(code.statusCode).toBe(400);
    expect(await rowsOfRequest(code.headers["x-request-id"] as string)).toEqual([
      expect.objectContaining({ action: "sign_in.failed", outcome: "failure", subjectUserId: user.id, data: { method: "email_code", reason: "invalid_code" } }),
    ]);
    const password = await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: uniqueEmail("ghost"), password: "some password guess" } });
    expect(await rowsOfRequest(password.headers["x-request-id"] as string)).toEqual([
      expect.objectContaining({ action: "sign_in.failed", subjectUserId: null, data: { method: "password", reason: "unknown_account" } }),
    ]);
  });
});
