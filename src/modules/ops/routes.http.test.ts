import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, signIn } from "../../../test/support/factories.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

describe.each(databaseTargets())("operations endpoints on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target);
  });
  afterAll(() => t.close());

  it("reports liveness and readiness", async () => {
    expect((await t.app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await t.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
  });

  it("exposes request, sign-in and hash metrics for Prometheus", async () => {
    const user = await registerUser(t.app);
    await signIn(t.app, user.email);
    await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: "wrong password here" } });
    await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: `nobody.${user.email}`, password: "wrong password here" } });
    const response = await t.app.inject({ method: "GET", url: "/metrics" });
    expect(response.headers["content-type"]).toContain("text/plain");
    const text = response.body;
    expect(text).toMatch(/gatehouse_http_requests_total\{method="POST",route="\/v1\/sessions",status="201"\} 1/);
    expect(text).toMatch(/gatehouse_sign_in_total\{method="password",outcome="success"\} 1/);
    // A wrong password and an unknown account are one outcome: the metrics must not tell which accounts exist.
    expect(text).toMatch(/gatehouse_sign_in_total\{method="password",outcome="failure"\} 2/);
    expect(text).not.toMatch(/wrong_password|unknown_account|no_password/);
    expect(text).toMatch(/gatehouse_password_hash_duration_seconds_count \d+/);
    expect(text).toContain("gatehouse_http_request_duration_seconds_bucket");
  });
});

describe("readiness without a database", () => {
  it("answers 503 when the database is unreachable", async () => {
    const t = await startTestGatehouse(databaseTargets()[0]!);
    await t.gatehouse.database.close();
    try {
      const response = await t.app.inject({ method: "GET", url: "/readyz" });
      expect(response.statusCode).toBe(503);
      expect((await t.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await t.app.close();
      await t.gatehouse.close();
    }
  });
});
