import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_ARGS, freePort, listen, skipWithoutChromium } from "../support/chromium.js";
import { uniqueEmail } from "../support/factories.js";
import { latestEmailTo, linkIn } from "../support/mail.js";
import { databaseTargets } from "../support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../support/test-gatehouse.js";

/**
 * The hosted pages in a real browser (headless Chromium) against a listening Gatehouse: what a
 * person clicks, with the browser's own cookies, Origin and Sec-Fetch-Site headers, which
 * `inject` can only imitate. Skipped, saying so, where no Chromium is installed.
 * @see issue #15 (login CSRF; the sign-in token shown to copy)
 */
describe.skipIf(skipWithoutChromium).each(databaseTargets())(`hosted pages in Chromium (${CHROMIUM}) on $name`, (target) => {
  let t: TestGatehouse;
  let base: string;
  let profile: string;
  let browser: BrowserContext;
  let attacker: Server;
  let attackerOrigin: string;
  /** The attacker's page: a form aimed at Gatehouse, carrying the attacker's own magic link. */
  let attackerForm = "";

  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    t = await startTestGatehouse(target, { env: { GATEHOUSE_BASE_URL: base } });
    // Cookie expiry dates come from Gatehouse's clock; a real browser compares them with the real one.
    t.clock.advance((Date.now() - t.clock.now().getTime()) / 1000);
    await t.app.listen({ port, host: "127.0.0.1" });

    // Another site (127.0.0.1 is not the same site as localhost to a browser).
    attacker = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end(attackerForm));
    attackerOrigin = `http://127.0.0.1:${await listen(attacker)}`;

    profile = mkdtempSync(join(tmpdir(), "gatehouse-chromium-"));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await t?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const magicLinkFor = async (email: string) => {
    const requested = await fetch(`${base}/v1/magic-links`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email }),
    });
    expect(requested.status).toBe(202);
    return linkIn((await latestEmailTo(t.gatehouse, email)).text);
  };
  const page = async (): Promise<Page> => browser.pages()[0] ?? browser.newPage();

  it("signs in by magic link to the account page, and signs out", async () => {
    const tab = await page();
    const email = uniqueEmail("browser");
    await tab.goto(`${base}/`);
    await tab.getByRole("link", { name: "Sign in" }).click();
    await tab.getByLabel("Email address").fill(email);
    await tab.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect.poll(() => tab.getByRole("heading").first().textContent()).toBe("Check your email");

    // The emailed link, as the person would open it from the development mailbox.
    await tab.getByRole("link", { name: "development mailbox" }).click();
    await tab.locator(`a[href^="${base}/ui/magic-link?token="]`).first().click();
    await tab.getByRole("button", { name: "Sign in" }).click();
    await tab.waitForURL(`${base}/ui/account`);
    const account = (await tab.locator("main").textContent()) ?? "";
    expect(account).toContain(`You are signed in as ${email}`);
    expect(account).toContain("(this browser)");

    // The session lives in an HttpOnly cookie no script can read, and nowhere on the page.
    const cookies = await browser.cookies(base);
    const session = cookies.find((c) => c.name === "gatehouse_session")!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    expect(await tab.evaluate("document.cookie")).toBe(""); // HttpOnly: invisible to scripts
    expect(await tab.content()).not.toContain(session.value.split(".")[0]!);
    const user = await t.gatehouse.accounts.getByEmail(email);
    expect(await t.gatehouse.sessions.list(user!.id)).toHaveLength(1);

    await tab.getByRole("button", { name: "Sign out of this browser" }).click();
    await expect.poll(() => tab.getByRole("heading").first().textContent()).toBe("You are signed out");
    expect(await t.gatehouse.sessions.list(user!.id)).toHaveLength(0);
    expect((await browser.cookies(base)).map((c) => c.name)).not.toContain("gatehouse_session");
    await tab.goto(`${base}/ui/account`);
    expect(await tab.getByRole("heading").first().textContent()).toBe("You are not signed in");
  });

  it("refuses a cross-site form post that would sign the browser in to the attacker's account", async () => {
    const tab = await page();
    // The attacker requests a link for their own account and copies a form token from their own visit.
    const link = await magicLinkFor(uniqueEmail("attacker"));
    const token = link.searchParams.get("token")!;
    const attackersVisit = await fetch(`${base}${link.pathname}${link.search}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await attackersVisit.text())![1]!;
    attackerForm =
      `<!doctype html><title>Win a prize</title><form method="post" action="${base}/ui/magic-link">` +
      `<input type="hidden" name="token" value="${token}"><input type="hidden" name="_csrf" value="${csrf}"><button>Claim</button></form>`;

    await tab.goto(`${attackerOrigin}/`);
    await tab.getByRole("button", { name: "Claim" }).click();
    await tab.waitForURL(`${base}/ui/magic-link`);
    expect(await tab.getByRole("heading").first().textContent()).toBe("Request refused");
    expect(await tab.locator("main").textContent()).toContain("cross_site_request");

    // The victim's browser is not signed in, and the attacker's link was not spent.
    expect((await browser.cookies(base)).map((c) => c.name)).not.toContain("gatehouse_session");
    await tab.goto(`${base}/ui/account`);
    expect(await tab.getByRole("heading").first().textContent()).toBe("You are not signed in");
    const redeemed = await fetch(`${base}/v1/magic-links/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    expect(redeemed.status).toBe(201);
  });
});
