import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configurationDoc, errorsDoc } from "../scripts/reference-docs.js";
import { listErrorCodes } from "../src/kernel/errors/app-error.js";

const doc = (name: string) => readFileSync(join(import.meta.dirname, "..", "docs", name), "utf8");

describe("reference documentation", () => {
  it("docs/configuration.md matches the settings (run npm run docs)", () => {
    expect(doc("configuration.md")).toBe(configurationDoc());
  });

  it("docs/errors.md matches the error codes (run npm run docs)", () => {
    expect(doc("errors.md")).toBe(errorsDoc());
  });

  it("has lowercase snake_case codes with client or server statuses", () => {
    const codes = listErrorCodes();
    expect(codes.length).toBeGreaterThan(20);
    for (const { code, status } of codes) {
      expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(status).toBeGreaterThanOrEqual(400);
    }
  });

  it("names every configuration variable in the README's pointer to the reference", () => {
    expect(readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8")).toContain("docs/configuration.md");
  });
});
