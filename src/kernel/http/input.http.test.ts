import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STRONG_PASSWORD, uniqueEmail } from "../../../test/support/factories.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

// Input handling does not depend on the database; one target is enough.
const [target] = databaseTargets();

describe("bad input never produces a 500", () => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target!);
  });
  afterAll(() => t.close());

  const post = (payload: string | Buffer, contentType = "application/json") =>
    t.app.inject({ method: "POST", url: "/v1/users", payload, headers: { "content-type": contentType } });

  const expectError = (response: { statusCode: number; json(): { error: { code: string; message: string } } }, status: number, code: string) => {
    expect(response.statusCode).toBe(status);
    const body = response.json();
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe("string");
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack traces
  };

  it("rejects malformed JSON", async () => {
    expectError(await post('{"email": "a@b.co",'), 400, "invalid_json");
    expectError(await post("[1, 2"), 400, "invalid_json");
  });

  it("rejects an empty body where one is required", async () => {
    expectError(await post(""), 400, "validation_failed");
  });

  it("rejects invalid UTF-8", async () => {
    const bytes = Buffer.concat([Buffer.from('{"email":"'), Buffer.from([0xc3, 0x28]), Buffer.from('@example.com"}')]);
    expectError(await post(bytes), 400, "invalid_encoding");
  });

  it("rejects null characters, raw or escaped, in values and keys", async () => {
    expectError(await post(Buffer.from('{"email":"a\u0000@b.co"}')), 400, "invalid_encoding");
    expectError(await post('{"email":"a\\u0000@b.co","password":"x","passwordConfirmation":"x"}'), 400, "invalid_encoding");
    expectError(await post('{"na\\u0000me":"x"}'), 400, "invalid_encoding");
  });

  it("rejects prototype poisoning", async () => {
    expectError(await post('{"email":"a@b.co","__proto__":{"admin":true}}'), 400, "invalid_json");
    expectError(await post('{"constructor":{"prototype":{"admin":true}}}'), 400, "invalid_json");
  });

  it("rejects bodies over 64 KB", async () => {
    const payload = JSON.stringify({ email: uniqueEmail(), password: STRONG_PASSWORD, passwordConfirmation: STRONG_PASSWORD, name: "x".repeat(70 * 1024) });
    expectError(await post(payload), 413, "payload_too_large");
  });

  it("rejects other content types", async () => {
    expectError(await post("email=a@b.co", "text/plain"), 415, "unsupported_media_type");
  });

  it("rejects wrong types and unknown fields, naming the field", async () => {
    const wrongType = await post(JSON.stringify({ email: ["a@b.co"], password: STRONG_PASSWORD, passwordConfirmation: STRONG_PASSWORD }));
    expectError(wrongType, 400, "validation_failed");
    const unknown = await post(JSON.stringify({ email: uniqueEmail(), password: STRONG_PASSWORD, passwordConfirmation: STRONG_PASSWORD, isAdmin: true }));
    expectError(unknown, 400, "validation_failed");
    expect(JSON.stringify(unknown.json().error.details)).toContain("isAdmin");
    expectError(await post("123"), 400, "validation_failed");
    expectError(await post("null"), 400, "validation_failed");
  });

  it("answers unknown routes and methods with JSON errors", async () => {
    expectError(await t.app.inject({ method: "GET", url: "/v1/nothing-here" }), 404, "not_found");
    expectError(await t.app.inject({ method: "PATCH", url: "/v1/sessions" }), 404, "not_found");
  });

  it("sets protective headers on every response", async () => {
    const response = await t.app.inject({ method: "GET", url: "/healthz" });
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["x-frame-options"]).toBe("DENY");
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers["pragma"]).toBe("no-cache");
    expect(response.headers["strict-transport-security"]).toBeUndefined();
  });

  it("tells browsers to stay on HTTPS when Gatehouse is served over HTTPS", async () => {
    const https = await startTestGatehouse(target!, { env: { GATEHOUSE_BASE_URL: "https://id.example.com" } });
    try {
      const response = await https.app.inject({ method: "GET", url: "/healthz" });
      expect(response.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    } finally {
      await https.close();
    }
  });

  it("serves the OpenAPI 3.1 document and the interactive docs", async () => {
    const document = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(document.openapi).toBe("3.1.0");
    for (const path of [
      "/v1/users",
      "/v1/sessions",
      "/v1/sessions/refresh",
      "/v1/me",
      "/v1/password-resets",
      "/v1/me/login-history",
      "/.well-known/jwks.json",
    ]) {
      expect(Object.keys(document.paths)).toContain(path);
    }
    expect(document.paths["/v1/users"].post.requestBody.content["application/json"].schema.additionalProperties).toBe(false);
    const docs = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers["content-type"]).toContain("text/html");
  });
});
