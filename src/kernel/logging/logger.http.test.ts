import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { registerUser, STRONG_PASSWORD } from "../../../test/support/factories.js";
import { latestEmailTo, tokenIn } from "../../../test/support/mail.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse } from "../../../test/support/test-gatehouse.js";
import { createLogger, redactUrl } from "./logger.js";

describe("logs never carry secrets", () => {
  it("redacts query values", () => {
    expect(redactUrl("/ui/reset-password?token=abc123&x=1")).toBe("/ui/reset-password?token=[redacted]&x=[redacted]");
    expect(redactUrl("/v1/me")).toBe("/v1/me");
  });

  it("keeps passwords, tokens and authorization headers out of a full session's logs", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const t = await startTestGatehouse(databaseTargets()[0]!, { logger: createLogger("trace", sink) });
    try {
      const user = await registerUser(t.app);
      const confirmToken = tokenIn(await latestEmailTo(t.gatehouse, user.email));
      await t.app.inject({ method: "GET", url: `/ui/confirm-email?token=${confirmToken}` });
      await t.app.inject({ method: "POST", url: "/v1/email-confirmations", payload: { token: confirmToken } });
      const grant = (await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: STRONG_PASSWORD } })).json();
      await t.app.inject({ method: "GET", url: "/v1/me", headers: { authorization: `Bearer ${grant.accessToken}`, cookie: "sid=secret-cookie" } });
      await t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken: grant.refreshToken } });
      await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: "a wrong password value" } });
      // A failing request logs an error with its context: still nothing secret.
      await t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken: grant.refreshToken } });

      const log = lines.join("");
      expect(lines.length).toBeGreaterThan(10);
      for (const secret of [STRONG_PASSWORD, "a wrong password value", confirmToken, grant.accessToken, grant.refreshToken, "secret-cookie"]) {
        expect(log).not.toContain(secret);
      }
      expect(log).toContain("/ui/confirm-email?token=[redacted]");
    } finally {
      await t.close();
    }
  });

  it("redacts secret fields of logged objects", () => {
    const lines: string[] = [];
    const logger = createLogger("info", new Writable({ write: (chunk, _e, done) => (lines.push(chunk.toString()), done()) }));
    logger.info({ body: { password: "hunter2hunter2", refreshToken: "rt-value", email: "kept@example.com" } }, "x");
    expect(lines.join("")).not.toContain("hunter2hunter2");
    expect(lines.join("")).not.toContain("rt-value");
    expect(lines.join("")).toContain("kept@example.com");
  });
});
