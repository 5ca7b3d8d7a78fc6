import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../src/kernel/config/load-config.js";
import { renderEmail } from "../src/kernel/mail/layout.js";
import { placeholdersOf, templateNamesOf, type SmsTemplateName, type TemplateCatalogue } from "../src/kernel/mail/templates/catalogue.js";
import { builtInSource, createMessageTemplates } from "../src/kernel/mail/templates/renderer.js";
import { messageCatalogue } from "../src/message-catalogue.js";

const builtInTemplates: TemplateCatalogue = messageCatalogue;
const templateNames = templateNamesOf(builtInTemplates);

const LINK = "https://id.example.com/ui/confirm-email?token=abc&x=1";

describe("built-in templates", () => {
  const templates = createMessageTemplates({ catalogue: builtInTemplates, productName: "Acme ID" });

  // Known answers: the layout calls src/modules/{accounts,passwords}/emails.ts made before templates existed.
  it("keep the wording of the emails that predate them", () => {
    expect(templates.email("email-confirmation", "a@example.com", { link: LINK, ttlSeconds: 172_800 })).toEqual({
      to: "a@example.com",
      ...renderEmail({
        productName: "Acme ID",
        subject: "Confirm your email address",
        paragraphs: ["Confirm that a@example.com is your email address for your Acme ID account."],
        action: { label: "Confirm your email address", url: LINK },
        expiry: "This link expires in 2 days.",
        unrequestedNotice: "Didn't create an account? You can ignore this email; the address stays unconfirmed.",
      }),
    });
    expect(templates.email("password-reset", "a@example.com", { link: LINK, ttlSeconds: 7200 })).toEqual({
      to: "a@example.com",
      ...renderEmail({
        productName: "Acme ID",
        subject: "Reset your password",
        paragraphs: ["Someone asked to reset the password of the Acme ID account for a@example.com."],
        action: { label: "Choose a new password", url: LINK },
        expiry: "This link expires in 2 hours and works once.",
        unrequestedNotice: "Didn't ask for this? You can ignore this email; your password stays as it is.",
      }),
    });
    expect(templates.email("password-changed", "a@example.com", {})).toEqual({
      to: "a@example.com",
      ...renderEmail({
        productName: "Acme ID",
        subject: "Your password was changed",
        paragraphs: ["The password of your Acme ID account was just changed, and your other sessions were signed out."],
        unrequestedNotice: "Didn't do this? Reset your password at once and review your sessions.",
      }),
    });
    expect(templates.email("username-reminder", "a@example.com", { username: "ada" }).text).toContain("The username of your Acme ID account is: ada");
    expect(templates.email("username-reminder-no-username", "a@example.com", {}).text).toContain("Your Acme ID account has no username.");
  });

  it("all carry the product name, a didn't-ask line, and their link or code with its expiry", () => {
    for (const name of templateNames) {
      const variables = { link: LINK, code: "123456", ttlSeconds: 900, username: "ada", newEmail: "new@example.com", identity: "+14155550100" };
      const email = templates.email(name, "a@example.com", variables as never);
      expect(email.subject).toMatch(/^Acme ID: /);
      expect(email.text).toMatch(/Didn't (ask|do|create)/);
      expect(email.html).toContain("Didn&#39;t");
      const own = builtInTemplates[name].variables.map(String);
      if (own.includes("link")) expect(email.html).toContain(`href="${LINK.replace("&", "&amp;")}"`);
      if (own.includes("code")) expect(email.text).toContain("123456");
      if (own.includes("ttlSeconds")) expect(email.text).toContain("15 minutes");
    }
  });

  it("have an SMS text for every code and notice that can go to a phone", () => {
    const codes = ["sign-in-code", "verification-code", "recovery-code"] as const;
    for (const name of codes) {
      const message = templates.sms(name, "+14155550100", { code: "042137", ttlSeconds: 600 });
      expect(message.to).toBe("+14155550100");
      expect(message.text).toMatch(/^042137 is your Acme ID .*code\. It expires in 10 minutes\. Didn't ask for it\?/);
    }
    expect(templates.sms("reauthentication-code", "+14155550100", { code: "042137", ttlSeconds: 600 }).text).toMatch(
      /^042137 is your Acme ID code to confirm it's you\. It expires in 10 minutes\./,
    );
    const notices = ["identity-added", "identity-removed"] as const;
    for (const name of notices)
      expect(templates.sms(name, "+14155550100", { identity: "ada@example.com" }).text).toMatch(
        /^ada@example\.com was (added to|removed from) your Acme ID account\. Didn't do this\?/,
      );
    const sms: SmsTemplateName[] = [...codes, "reauthentication-code", ...notices];
    expect(templateNames.filter((n) => builtInTemplates[n].sms !== undefined).sort()).toEqual([...sms].sort());
  });

  it("escape values in HTML but not in text, and keep headers on one line", () => {
    const email = templates.email("username-reminder", "a@example.com", { username: `<b>"x"</b>&{{code}}` });
    expect(email.text).toContain(`<b>"x"</b>&{{code}}`);
    expect(email.html).toContain("&lt;b&gt;&quot;x&quot;&lt;/b&gt;&amp;{{code}}");
    const change = templates.email("email-change-notice", "old@example.com", { newEmail: "new@example.com\r\nBcc: x@evil.test" });
    expect(change.subject).not.toMatch(/[\r\n]/);
  });

  it("refuse to render without a variable the template needs", () => {
    expect(() => templates.email("magic-link", "a@example.com", { ttlSeconds: 60 } as never)).toThrow(/needs the variable link/);
  });
});

describe("GATEHOUSE_TEMPLATES_DIR", () => {
  let dir: string;
  const write = (files: Record<string, string>) => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-templates-"));
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
    return dir;
  };
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("replaces the parts it has files for and keeps the rest built in", () => {
    const templates = createMessageTemplates({
      catalogue: builtInTemplates,
      productName: "Acme ID",
      directory: write({
        "magic-link.subject.txt": "Sign in to {{ productName }}\n",
        "magic-link.html": `<p>Hi {{to}}, <a href="{{link}}">sign in</a> within {{expiresIn}}.</p>`,
        "sign-in-code.sms.txt": "{{productName}} code: {{code}} ({{expiresIn}}). Not you? Ignore it.\n",
        "README.md": "not a template: ignored",
      }),
    });
    const email = templates.email("magic-link", "a@example.com", { link: LINK, ttlSeconds: 900 });
    expect(email.subject).toBe("Sign in to Acme ID");
    expect(email.html).toBe(`<p>Hi a@example.com, <a href="${LINK.replace("&", "&amp;")}">sign in</a> within 15 minutes.</p>`);
    expect(email.text).toBe(templates.email("magic-link", "a@example.com", { link: LINK, ttlSeconds: 900 }).text);
    expect(email.text).toContain("Use this link to sign in to Acme ID as a@example.com.");
    expect(templates.sms("sign-in-code", "+14155550100", { code: "123456", ttlSeconds: 600 }).text).toBe(
      "Acme ID code: 123456 (10 minutes). Not you? Ignore it.",
    );
    expect(templates.sms("recovery-code", "+14155550100", { code: "1", ttlSeconds: 60 }).text).toMatch(/^1 is your Acme ID account recovery code/);
  });

  it("derives the HTML from an overridden text when there is no HTML file", () => {
    const templates = createMessageTemplates({
      catalogue: builtInTemplates,
      productName: "Acme",
      directory: write({ "password-reset.text.txt": "Reset <here>:\n{{link}}\n\nExpires in {{expiresIn}}. Didn't ask? Ignore this.\n" }),
    });
    const email = templates.email("password-reset", "a@example.com", { link: LINK, ttlSeconds: 3600 });
    expect(email.text).toBe(`Reset <here>:\n${LINK}\n\nExpires in 1 hour. Didn't ask? Ignore this.`);
    expect(email.html).toContain(`<p>Reset &lt;here&gt;:<br><a href="${LINK.replace("&", "&amp;")}">`);
    expect(email.html).toContain("<p>Expires in 1 hour. Didn&#39;t ask? Ignore this.</p>");
  });

  it.each([
    [{ "magic-lnk.html": "x" }, /magic-lnk\.html names no template/],
    [{ "magic-link.sms.txt": "{{link}}" }, /magic-link\.sms\.txt: magic-link is not sent by SMS/],
    [
      { "password-changed.text.txt": "Use {{link}}" },
      /password-changed\.text\.txt uses \{\{link\}\}; password-changed provides \{\{productName\}\}, \{\{to\}\}/,
    ],
    [{ "magic-link.subject.txt": "two\nlines" }, /magic-link\.subject\.txt must be a single line/],
    [{ "magic-link.subject.txt": "  \n" }, /magic-link\.subject\.txt is empty/],
  ])("refuses %o at start-up, naming the file", (files, message) => {
    const directory = write(files);
    expect(() => createMessageTemplates({ catalogue: builtInTemplates, productName: "Acme", directory })).toThrow(ConfigError);
    expect(() => createMessageTemplates({ catalogue: builtInTemplates, productName: "Acme", directory })).toThrow(message);
  });

  it("refuses a directory that cannot be read", () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-templates-"));
    expect(() => createMessageTemplates({ catalogue: builtInTemplates, productName: "Acme", directory: join(dir, "missing") })).toThrow(
      /GATEHOUSE_TEMPLATES_DIR: cannot read .*missing \(ENOENT\)/,
    );
  });

  it("accepts the built-in sources written out as files (a starting point for operators)", () => {
    const files: Record<string, string> = {};
    for (const name of templateNames) {
      const source = builtInSource(builtInTemplates, name);
      files[`${name}.subject.txt`] = source.subject;
      files[`${name}.text.txt`] = source.text;
      files[`${name}.html`] = source.html;
      if (source.sms) files[`${name}.sms.txt`] = source.sms;
      for (const part of Object.values(source)) {
        for (const [, variable] of String(part).matchAll(/\{\{(\w+)\}\}/g)) expect(placeholdersOf(builtInTemplates, name)).toContain(variable);
      }
    }
    const fromFiles = createMessageTemplates({ catalogue: builtInTemplates, productName: "Acme", directory: write(files) });
    const builtIn = createMessageTemplates({ catalogue: builtInTemplates, productName: "Acme" });
    const variables = { link: LINK, ttlSeconds: 900 };
    expect(fromFiles.email("magic-link", "a@example.com", variables)).toEqual(builtIn.email("magic-link", "a@example.com", variables));
  });
});
