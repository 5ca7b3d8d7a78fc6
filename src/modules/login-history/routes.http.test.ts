import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, registerUser, signIn, STRONG_PASSWORD } from "../../../test/support/factories.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

describe.each(databaseTargets())("GET /v1/me/login-history on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, { env: { GATEHOUSE_SIGN_IN_LIMIT_PER_ACCOUNT: "4" } });
  });
  afterAll(() => t.close());

  it("records every attempt with outcome, reason, IP and user agent, newest first, and pages", async () => {
    const user = await registerUser(t.app);
    const other = await registerUser(t.app);
    const attempt = (login: string, password: string) =>
      t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login, password }, headers: { "user-agent": "HistoryTest/1.0" } });
    await attempt(user.email, "wrong password number one");
    await attempt(user.email, "wrong password number two");
    await attempt(other.email, "not mine to see at all");
    const grant = await signIn(t.app, user.email, STRONG_PASSWORD, { "user-agent": "HistoryTest/1.0" });

    const page = (query: string) => t.app.inject({ method: "GET", url: `/v1/me/login-history${query}`, headers: bearer(grant.accessToken) });
    const all = (await page("")).json();
    expect(all.items.map((i: { succeeded: boolean; reason: string | null }) => [i.succeeded, i.reason])).toEqual([
      [true, null],
      [false, "wrong_password"],
      [false, "wrong_password"],
    ]);
    expect(all.items[0]).toMatchObject({ method: "password", ip: "127.0.0.1", userAgent: "HistoryTest/1.0" });
    expect(all.nextCursor).toBeNull();

    const first = (await page("?limit=2")).json();
    expect(first.items).toHaveLength(2);
    const second = (await page(`?limit=2&before=${first.nextCursor}`)).json();
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((i: { id: string }) => i.id)).toEqual(all.items.map((i: { id: string }) => i.id));

    expect((await page("?limit=0")).statusCode).toBe(400);
    expect((await page("?before=nope")).statusCode).toBe(400);
  });

  it("records throttled attempts too", async () => {
    const user = await registerUser(t.app);
    for (let i = 0; i < 5; i++) await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: "wrong guess again" } });
    const history = await t.gatehouse.loginHistory.list(user.id, { limit: 10 });
    expect(history.items[0]).toMatchObject({ succeeded: false, reason: "throttled" });
  });
});
