import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, registerUser, signIn, STRONG_PASSWORD } from "../../../test/support/factories.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";
import { buildMetricsServer, type buildServer } from "../../server.js";

const METRICS_TOKEN = randomBytes(24).toString("hex");

describe.each(databaseTargets())("operations endpoints on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, { env: { GATEHOUSE_METRICS_TOKEN: METRICS_TOKEN } });
  });
  afterAll(() => t.close());

  const scrape = async () => (await t.app.inject({ method: "GET", url: "/metrics", headers: bearer(METRICS_TOKEN) })).body;

  it("reports liveness and readiness", async () => {
    expect((await t.app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await t.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
  });

  it("exposes request, sign-in and hash metrics for Prometheus", async () => {
    const user = await registerUser(t.app);
    await signIn(t.app, user.email);
    await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: "wrong password here" } });
    await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: `nobody.${user.email}`, password: "wrong password here" } });
    const response = await t.app.inject({ method: "GET", url: "/metrics", headers: bearer(METRICS_TOKEN) });
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

  it("refuses a scrape on the main port without the metrics token @see #15", async () => {
    for (const headers of [{}, bearer("not-the-metrics-token-but-long-enough-anyway"), { authorization: `Basic ${METRICS_TOKEN}` }]) {
      const response = await t.app.inject({ method: "GET", url: "/metrics", headers });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe("metrics_token_invalid");
      expect(response.headers["www-authenticate"]).toContain("Bearer");
      expect(response.body).not.toContain("gatehouse_");
    }
  });

  it("names the process metrics with one prefix @see #15", async () => {
    const text = await scrape();
    expect(text).toMatch(/^gatehouse_process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^gatehouse_nodejs_eventloop_lag_seconds \d/m);
    expect(text).not.toContain("gatehouse_process_process_");
    expect(text).not.toContain("gatehouse_process_nodejs_");
  });

  it("reports the outbox backlog as it is at scrape time @see #15", async () => {
    const { outbox, database } = t.gatehouse;
    await t.gatehouse.mail.idle(); // deliveries nudged by earlier registrations are done
    const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);
    const status = (text: string, name: string) => sample(text, `gatehouse_outbox_messages{status="${name}"}`);
    const start = await scrape();
    expect(status(start, "pending")).toBe(0);
    expect(sample(start, "gatehouse_outbox_oldest_pending_age_seconds")).toBe(0);

    // Queued directly, without the nudge that would deliver them at once.
    for (let i = 0; i < 3; i++)
      await database.db.transaction((tx) => outbox.enqueue(tx, { to: `backlog.${i}@example.com`, subject: "s", text: "t", html: "<p>t</p>" }));
    t.clock.advance(42);
    let text = await scrape();
    expect(status(text, "pending")).toBe(3);
    expect(sample(text, "gatehouse_outbox_oldest_pending_age_seconds")).toBe(42);

    await outbox.claimDue(1, 60);
    await outbox.markFailed((await outbox.claimDue(1, 60))[0]!.id, "test: permanently refused");
    text = await scrape();
    expect(status(text, "pending")).toBe(1);
    expect(status(text, "sending")).toBe(status(start, "sending") + 1);
    expect(status(text, "failed")).toBe(status(start, "failed") + 1);
  });
});

describe("where metrics are served @see #15", () => {
  const target = databaseTargets()[0]!;

  it("serves /metrics nowhere when neither a metrics port nor a token is configured", async () => {
    const t = await startTestGatehouse(target);
    try {
      expect((await t.app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });

  it("serves /metrics on the metrics listener only, with the token when one is set", async () => {
    for (const token of [null, METRICS_TOKEN]) {
      const t = await startTestGatehouse(target, { env: { GATEHOUSE_METRICS_PORT: "9464", ...(token ? { GATEHOUSE_METRICS_TOKEN: token } : {}) } });
      const metricsApp = await buildMetricsServer(t.gatehouse);
      try {
        expect((await t.app.inject({ method: "GET", url: "/metrics", headers: bearer(METRICS_TOKEN) })).statusCode).toBe(404);
        const open = await metricsApp.inject({ method: "GET", url: "/metrics" });
        expect(open.statusCode).toBe(token ? 401 : 200);
        const withToken = await metricsApp.inject({ method: "GET", url: "/metrics", headers: bearer(METRICS_TOKEN) });
        expect(withToken.statusCode).toBe(200);
        expect(withToken.body).toContain("gatehouse_http_requests_total");
        expect((await metricsApp.inject({ method: "GET", url: "/v1/me" })).statusCode).toBe(404);
      } finally {
        await metricsApp.close();
        await t.close();
      }
    }
  });
});

describe("readiness during shutdown @see #15", () => {
  it("answers /readyz 503 as soon as draining starts, while requests are still answered", async () => {
    const t = await startTestGatehouse(databaseTargets()[0]!);
    try {
      const app = t.app as Awaited<ReturnType<typeof buildServer>>;
      expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
      // Requests keep arriving within the quiet interval, so the server stays open while they are asked.
      const drained = app.drainAndClose({ quietMs: 1000, maxMs: 5000 });
      const ready = await app.inject({ method: "GET", url: "/readyz" });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: "shutting down" });
      expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
      expect((await app.inject({ method: "POST", url: "/v1/sessions", payload: { login: "nobody@example.com", password: STRONG_PASSWORD } })).statusCode).toBe(
        401,
      );
      await drained;
    } finally {
      await t.gatehouse.close();
    }
  });
});

describe("readiness and API without a database", () => {
  it("answers 503 when the database is unreachable", async () => {
    const t = await startTestGatehouse(databaseTargets()[0]!);
    const user = await registerUser(t.app);
    const grant = await signIn(t.app, user.email);
    await t.gatehouse.database.close();
    try {
      const response = await t.app.inject({ method: "GET", url: "/readyz" });
      expect(response.statusCode).toBe(503);
      expect((await t.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);

      // @see #15: API routes say the same, with a stable code and Retry-After, never internal_error.
      const calls = [
        t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: STRONG_PASSWORD } }),
        t.app.inject({
          method: "POST",
          url: "/v1/users",
          payload: { email: "later@example.com", password: STRONG_PASSWORD, passwordConfirmation: STRONG_PASSWORD },
        }),
        t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken: grant.refreshToken } }),
        t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(grant.accessToken) }),
      ];
      for (const answer of await Promise.all(calls)) {
        expect(answer.statusCode, answer.body).toBe(503);
        expect(answer.json().error.code).toBe("service_unavailable");
        expect(Number(answer.headers["retry-after"])).toBeGreaterThan(0);
      }
    } finally {
      await t.app.close();
      await t.gatehouse.close();
    }
  });
});
