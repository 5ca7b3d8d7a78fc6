import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

/** @see issue 9, item 7: errors of the router itself, bodies refused before they are read, cross-origin calls. */
describe.each(databaseTargets())("HTTP edges on $name", (target) => {
  let t: TestGatehouse;
  let base: string;
  beforeAll(async () => {
    t = await startTestGatehouse(target, { env: { GATEHOUSE_CORS_ORIGINS: "https://app.example.com" } });
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it("answers router errors in Gatehouse's shape, without echoing the address", async () => {
    const cases = [
      { url: `/v1/sessions/${"a".repeat(201)}`, status: 414, code: "uri_too_long" },
      { url: "/v1/sessions/%zz", status: 400, code: "invalid_url" },
      { url: "/v1/users/by-username/%E0%A4%A", status: 400, code: "invalid_url" },
    ];
    for (const { url, status, code } of cases) {
      const response = await t.app.inject({ method: url.startsWith("/v1/sessions/") ? "DELETE" : "GET", url });
      expect(response.statusCode, url).toBe(status);
      expect(Object.keys(response.json())).toEqual(["error"]);
      expect(response.json().error.code).toBe(code);
      expect(response.body).not.toContain("%zz");
      expect(response.body).not.toContain("aaaaaaaaaa");
    }
  });

  it("lets a client that sends an oversize body read the 413, whatever the size and framing", async () => {
    for (const size of [70_000, 5_000_000]) {
      const sized = await fetch(`${base}/v1/users`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "x".repeat(size) }),
      });
      expect(sized.status).toBe(413);
      expect(((await sized.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
      const chunk = new TextEncoder().encode("y".repeat(100_000));
      let sent = 0;
      const stream = new ReadableStream({
        pull: (controller) => (sent++ < size / 100_000 ? controller.enqueue(chunk) : controller.close()),
      });
      const chunked = await fetch(`${base}/v1/users`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: stream,
        duplex: "half",
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(((await chunked.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    }
  });

  it("answers a preflight from a configured origin, and none from any other", async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/v1/sessions`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization" },
      });
    const allowed = await preflight("https://app.example.com");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(allowed.headers.get("access-control-allow-credentials")).toBeNull();
    const other = await preflight("https://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const call = await fetch(`${base}/v1/me`, { headers: { origin: "https://app.example.com" } });
    expect(call.status).toBe(401);
    expect(call.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(call.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });

  it("has no cross-origin access by default", async () => {
    const closed = await startTestGatehouse(target);
    try {
      const response = await closed.app.inject({
        method: "OPTIONS",
        url: "/v1/sessions",
        headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
      });
      expect(response.headers["access-control-allow-origin"]).toBeUndefined();
    } finally {
      await closed.close();
    }
  });
});
