import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_ARGS, freePort, skipWithoutChromium } from "../support/chromium.js";
import { databaseTargets } from "../support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../support/test-gatehouse.js";

/**
 * /docs in a real browser: Swagger UI loads the document and renders it, which a document it cannot
 * read (a dangling `$ref`, a malformed schema) would turn into an error box. The document is the
 * same on every database, so one target is enough.
 * @see issue #15 item 16
 */
describe.skipIf(skipWithoutChromium)(`/docs in Chromium (${CHROMIUM})`, () => {
  let t: TestGatehouse;
  let base: string;
  let profile: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    t = await startTestGatehouse(databaseTargets()[0]!, { env: { GATEHOUSE_BASE_URL: base } });
    await t.app.listen({ port, host: "127.0.0.1" });
    profile = mkdtempSync(join(tmpdir(), "gatehouse-chromium-"));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("renders every operation, its error codes and the named schemas", async () => {
    const tab = browser.pages()[0] ?? (await browser.newPage());
    const problems: string[] = [];
    tab.on("pageerror", (error) => problems.push(String(error)));
    tab.on("console", (message) => message.type() === "error" && problems.push(message.text()));
    await tab.goto(`${base}/docs`);
    await tab.locator("#operations-sessions-signIn").click();
    const signIn = tab.locator("#operations-sessions-signIn");
    await expect.poll(() => signIn.textContent()).toContain("Unauthorized: invalid_credentials.");
    expect(await signIn.textContent()).toContain('"login": "ada@example.com"');
    expect(await tab.locator(".opblock").count()).toBe(
      Object.values((await t.app.inject({ method: "GET", url: "/openapi.json" })).json().paths).flatMap((item) => Object.keys(item as object)).length,
    );
    const schemas = await tab.locator("section.models").textContent();
    for (const name of ["User", "Session", "SessionGrant", "Error"]) expect(schemas).toContain(name);
    expect(await tab.locator(".errors-wrapper").count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
