import { describe, expect, it } from "vitest";
import { normalizeEmail, normalizeIdentity, normalizePhone, phoneRegionOf } from "./normalize.js";

describe("normalizeEmail", () => {
  it("trims and lower-cases, so one mailbox is one identity", () => {
    expect(normalizeEmail("  Ada.Lovelace@Example.COM ")).toBe("ada.lovelace@example.com");
  });

  it("refuses what cannot be a mailbox", () => {
    for (const value of ["", "no-at-sign", "two@@example.com", "spa ce@example.com", "@example.com", "ada@", `${"a".repeat(250)}@example.com`]) {
      expect(normalizeEmail(value), value).toBeNull();
    }
  });
});

describe("normalizePhone", () => {
  it("writes valid numbers in E.164 whatever the spacing", () => {
    expect(normalizePhone("+33 6 12 34 56 78", null)).toBe("+33612345678");
    expect(normalizePhone("+1 (415) 555-2671", null)).toBe("+14155552671");
    expect(normalizePhone("+44 7911 123456", null)).toBe("+447911123456");
  });

  it("reads national numbers only in the configured default region", () => {
    expect(normalizePhone("06 12 34 56 78", null)).toBeNull();
    expect(normalizePhone("06 12 34 56 78", "FR")).toBe("+33612345678");
  });

  it("refuses numbers that the numbering plan does not allow", () => {
    for (const value of ["+33 1", "+999 123456789", "+1 555 0100", "phone", "", "+".padEnd(50, "1")]) {
      expect(normalizePhone(value, null), value).toBeNull();
    }
  });
});

describe("phoneRegionOf", () => {
  it("names the region of a number", () => {
    expect(phoneRegionOf("+33612345678")).toBe("FR");
    expect(phoneRegionOf("+447400123456")).toBe("GB");
    expect(phoneRegionOf("+447911123456")).toBe("GG"); // Guernsey shares +44 but is its own region
  });
});

describe("normalizeIdentity", () => {
  it("normalises by type", () => {
    expect(normalizeIdentity({ type: "email", value: "A@B.C" }, null)).toEqual({ type: "email", value: "a@b.c" });
    expect(normalizeIdentity({ type: "phone", value: "+33612345678" }, null)).toEqual({ type: "phone", value: "+33612345678" });
    expect(normalizeIdentity({ type: "phone", value: "a@b.c" }, null)).toBeNull();
  });
});
