import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_STRONG_PASSWORD, STRONG_PASSWORD, uniqueEmail, uniqueUsername } from "../../../test/support/factories.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";
import { createLogger } from "../../kernel/logging/logger.js";

/** Input handling of the AccessPass routes: every failure is a 4xx `{"error": "<message>"}`. @see issue 3 */

const PREFIX = "/accesspass";

describe.each(databaseTargets())("AccessPass route input on $name", (target) => {
  let t: TestGatehouse;
  const logLines: string[] = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString("utf8"));
        done();
      },
    });
    t = await startTestGatehouse(target, { logger: createLogger("debug", destination) });
  });
  afterAll(() => t.close());

  const post = (path: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: `${PREFIX}${path}`, payload: payload as string, headers: { "content-type": "application/json", ...headers } });

  const expectError = (response: Awaited<ReturnType<typeof post>>, status: number, message?: string | RegExp) => {
    expect(response.statusCode).toBe(status);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    const body = response.json();
    expect(body).toEqual({ error: expect.any(String) });
    if (typeof message === "string") expect(body.error).toBe(message);
    else if (message) expect(body.error).toMatch(message);
    return body.error as string;
  };

  const registered = async () => {
    const username = uniqueUsername("input");
    const email = uniqueEmail("input");
    const response = await post("/register", { username, email, password: STRONG_PASSWORD, password_confirm: STRONG_PASSWORD });
    expect(response.statusCode).toBe(200);
    const ok = response.json().ok as { access_token: string; refresh_token: string };
    return { username, email, ...ok };
  };

  describe("bodies", () => {
    it("refuses malformed JSON", async () => {
      expectError(await post("/login", '{"username": "a", "password": '), 400, "The request body is not valid JSON.");
      expectError(await post("/register", "not json at all"), 400, "The request body is not valid JSON.");
    });

    it("refuses invalid UTF-8 and null characters", async () => {
      const invalidUtf8 = Buffer.concat([Buffer.from('{"username": "'), Buffer.from([0xc3, 0x28]), Buffer.from('", "password": "x"}')]);
      expectError(await post("/login", invalidUtf8), 400);
      expectError(await post("/login", JSON.stringify({ username: "nul\u0000l", password: "x" })), 400);
    });

    it("refuses wrong types without coercing them", async () => {
      expectError(await post("/login", { username: 12345, password: STRONG_PASSWORD }), 400, /body\/username must be string/);
      expectError(await post("/login", { username: ["a"], password: STRONG_PASSWORD }), 400, /username/);
      expectError(await post("/confirm", { confirm_id: true }), 400, /confirm_id/);
      expectError(
        await post("/register", {
          username: uniqueUsername(),
          email: uniqueEmail(),
          password: STRONG_PASSWORD,
          password_confirm: STRONG_PASSWORD,
          meta: "text",
        }),
        400,
        /meta/,
      );
      expectError(
        await post("/register", {
          username: uniqueUsername(),
          email: uniqueEmail(),
          password: STRONG_PASSWORD,
          password_confirm: STRONG_PASSWORD,
          meta: [1, 2],
        }),
        400,
        /meta/,
      );
      expectError(await post("/login", [{ username: "a", password: "b" }]), 400);
      expectError(await post("/login", "null"), 400);
    });

    it("refuses unknown fields, naming them", async () => {
      expectError(await post("/login", { username: "someone", password: STRONG_PASSWORD, remember_me: true }), 400, /unknown field "remember_me"/);
      expectError(await post("/forgot_username", { email: uniqueEmail(), username: "x" }), 400, /unknown field "username"/);
    });

    it("refuses missing fields, naming them", async () => {
      expectError(await post("/login", { username: "someone" }), 400, /password/);
      expectError(await post("/change_password", { password_id: "x", new_password: OTHER_STRONG_PASSWORD }), 400, /password_confirm/);
      expectError(await post("/reset_password", {}), 400, /username/);
      expectError(await t.app.inject({ method: "POST", url: `${PREFIX}/login`, headers: { "content-type": "application/json" } }), 400);
      expectError(await t.app.inject({ method: "POST", url: `${PREFIX}/login` }), 400);
    });

    it("refuses invalid values", async () => {
      expectError(await post("/forgot_username", { email: "not-an-address" }), 400, /email/);
      expectError(
        await post("/register", { username: "no spaces allowed", email: uniqueEmail(), password: STRONG_PASSWORD, password_confirm: STRONG_PASSWORD }),
        400,
        /username/,
      );
      expectError(await post("/confirm", { confirm_id: "" }), 400, /confirm_id/);
    });

    it("refuses an oversize body with 413", async () => {
      expectError(
        await post("/register", { username: "big", email: uniqueEmail(), password: "x".repeat(70 * 1024), password_confirm: "x" }),
        413,
        "The request body is too large.",
      );
    });

    it("refuses meta over 16 KB", async () => {
      const meta = { blob: "m".repeat(17 * 1024) };
      expectError(
        await post("/register", { username: uniqueUsername(), email: uniqueEmail(), password: STRONG_PASSWORD, password_confirm: STRONG_PASSWORD, meta }),
        400,
        "Metadata may not exceed 16 KB of JSON.",
      );
    });

    it("takes a null meta as none", async () => {
      const response = await post("/register", {
        username: uniqueUsername(),
        email: uniqueEmail(),
        password: STRONG_PASSWORD,
        password_confirm: STRONG_PASSWORD,
        meta: null,
      });
      expect(response.statusCode).toBe(200);
      const check = await t.app.inject({ method: "GET", url: `${PREFIX}/check`, headers: { "access-token": response.json().ok.access_token } });
      expect(check.json()).toEqual({ ok: {} });
    });

    it("refuses a body that is not JSON with 415", async () => {
      const form = await t.app.inject({
        method: "POST",
        url: `${PREFIX}/login`,
        payload: "username=a&password=b",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expectError(form, 415);
    });
  });

  describe("token headers", () => {
    it("answers 401 when the header is missing or empty", async () => {
      expectError(await t.app.inject({ method: "GET", url: `${PREFIX}/check` }), 401, "A valid access token is required.");
      expectError(await t.app.inject({ method: "GET", url: `${PREFIX}/check`, headers: { "access-token": "  " } }), 401, "A valid access token is required.");
      expectError(await t.app.inject({ method: "POST", url: `${PREFIX}/logout` }), 401, "A valid access token is required.");
      expectError(await t.app.inject({ method: "GET", url: `${PREFIX}/refresh` }), 401, "The refresh token is invalid or expired.");
    });

    it("answers 401 for tokens that are not ours", async () => {
      const message = "The access token is invalid, expired or revoked.";
      expectError(await t.app.inject({ method: "GET", url: `${PREFIX}/check`, headers: { "access-token": "garbage" } }), 401, message);
      expectError(await t.app.inject({ method: "GET", url: `${PREFIX}/check`, headers: { "access-token": "a.b.c" } }), 401, message);
      expectError(await t.app.inject({ method: "POST", url: `${PREFIX}/logout`, headers: { "access-token": "x".repeat(4000) } }), 401, message);
      expectError(await t.app.inject({ method: "GET", url: `${PREFIX}/refresh`, headers: { "refresh-token": "garbage" } }), 401);
    });

    it("does not take a refresh token for an access token, nor the reverse", async () => {
      const { access_token, refresh_token } = await registered();
      expectError(await t.app.inject({ method: "GET", url: `${PREFIX}/check`, headers: { "access-token": refresh_token } }), 401);
      expectError(await t.app.inject({ method: "GET", url: `${PREFIX}/refresh`, headers: { "refresh-token": access_token } }), 401);
    });

    it("does not read the token from the Authorization header", async () => {
      const { access_token } = await registered();
      expectError(await t.app.inject({ method: "GET", url: `${PREFIX}/check`, headers: { authorization: `Bearer ${access_token}` } }), 401);
    });
  });

  describe("throttling", () => {
    it("answers 429 with Retry-After once a login name has had too many attempts", async () => {
      const username = uniqueUsername("hammered");
      let last = await post("/login", { username, password: OTHER_STRONG_PASSWORD });
      for (let attempt = 1; attempt < 20 && last.statusCode === 401; attempt++) last = await post("/login", { username, password: OTHER_STRONG_PASSWORD });
      expectError(last, 429, "Too many attempts. Wait before trying again.");
      expect(Number(last.headers["retry-after"])).toBeGreaterThan(0);
    });

    it("throttles reset and username mails per address, known or not", async () => {
      for (const [path, body] of [
        ["/reset_password", { username: uniqueUsername("flood") }],
        ["/forgot_username", { email: uniqueEmail("flood") }],
      ] as const) {
        let last = await post(path, body);
        for (let attempt = 1; attempt < 20 && last.statusCode === 200; attempt++) last = await post(path, body);
        expectError(last, 429);
        expect(last.headers["retry-after"]).toBeDefined();
      }
    });
  });

  describe("the mount", () => {
    it("answers unknown paths under the prefix in AccessPass's shape", async () => {
      expectError(await t.app.inject({ method: "GET", url: `${PREFIX}/nothing-here` }), 404);
      expectError(await t.app.inject({ method: "GET", url: `${PREFIX}/login` }), 404);
    });

    it("leaves the rest of the server's errors alone", async () => {
      const native = await t.app.inject({ method: "POST", url: "/v1/sessions", payload: "{", headers: { "content-type": "application/json" } });
      expect(native.statusCode).toBe(400);
      expect(native.json().error).toMatchObject({ code: "invalid_json" });
      expect((await t.app.inject({ method: "GET", url: "/nothing-here" })).json().error).toMatchObject({ code: "not_found" });
    });

    it("documents every route in the OpenAPI document", async () => {
      const document = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json() as { paths: Record<string, Record<string, { tags?: string[] }>> };
      const routes = [
        "get /check",
        "get /refresh",
        "post /register",
        "post /confirm",
        "post /login",
        "post /reset_password",
        "post /logout",
        "post /change_password",
        "post /forgot_username",
      ];
      for (const route of routes) {
        const [method, path] = route.split(" ") as [string, string];
        expect(document.paths[`${PREFIX}${path}`]?.[method]?.tags, route).toEqual(["accesspass"]);
      }
    });
  });

  it("never writes tokens or passwords to the logs", async () => {
    const { username, access_token, refresh_token } = await registered();
    await t.app.inject({ method: "GET", url: `${PREFIX}/check`, headers: { "access-token": access_token } });
    await t.app.inject({ method: "GET", url: `${PREFIX}/refresh`, headers: { "refresh-token": refresh_token } });
    await post("/login", { username, password: OTHER_STRONG_PASSWORD });
    await t.app.inject({ method: "POST", url: `${PREFIX}/logout`, headers: { "access-token": access_token } });
    const logs = logLines.join("");
    expect(logs).toContain(`${PREFIX}/check`);
    for (const secret of [access_token, refresh_token, STRONG_PASSWORD, OTHER_STRONG_PASSWORD]) expect(logs).not.toContain(secret);
  });
});
