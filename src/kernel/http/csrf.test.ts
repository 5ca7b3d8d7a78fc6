import type { FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { browserCookie, createSameOriginCheck } from "./csrf.js";

const requestWith = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

describe("the same-origin check of form posts", () => {
  const check = createSameOriginCheck("https://id.example.com/");
  const verdict = (headers: Record<string, string>) =>
    check(requestWith(headers)).then(
      () => "accepted",
      (error: { code: string }) => error.code,
    );

  it("accepts the base URL's own pages, and clients that send neither header", async () => {
    expect(await verdict({ "sec-fetch-site": "same-origin", origin: "https://id.example.com" })).toBe("accepted");
    expect(await verdict({ "sec-fetch-site": "none" })).toBe("accepted");
    expect(await verdict({})).toBe("accepted");
  });

  it("refuses what the browser says is another site, or an Origin that is not exactly the base URL's", async () => {
    const refused: Array<Record<string, string>> = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site", origin: "https://id.example.com" },
      { origin: "https://evil.example" },
      { origin: "http://id.example.com" },
      { origin: "https://id.example.com:8443" },
      { origin: "https://app.id.example.com" },
      { origin: "null" },
    ];
    for (const headers of refused) {
      expect(await verdict(headers), JSON.stringify(headers)).toBe("cross_site_request");
    }
  });
});

describe("browser cookies", () => {
  it("are __Host- prefixed and Secure behind HTTPS, HttpOnly and SameSite=Lax everywhere", () => {
    expect(browserCookie("https://id.example.com", "gatehouse_csrf")).toEqual({
      name: "__Host-gatehouse_csrf",
      options: { path: "/", httpOnly: true, sameSite: "lax", secure: true },
    });
    expect(browserCookie("http://localhost:3000", "gatehouse_csrf")).toEqual({
      name: "gatehouse_csrf",
      options: { path: "/", httpOnly: true, sameSite: "lax", secure: false },
    });
  });
});
