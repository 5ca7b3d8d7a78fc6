import { describe, expect, it } from "vitest";
import { AppError } from "../../kernel/errors/app-error.js";
import { blocklistSize } from "./blocklist.js";
import { checkNewPassword, normalizePassword, passwordLength } from "./policy.js";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return "accepted";
  } catch (error) {
    return (error as AppError).code;
  }
};

describe("password policy (NIST SP 800-63B-4)", () => {
  it("counts Unicode code points, not UTF-16 units", () => {
    expect(passwordLength("🔑".repeat(15))).toBe(15);
    expect(codeOf(() => checkNewPassword("🔑".repeat(15), 15))).toBe("accepted");
    expect(codeOf(() => checkNewPassword("🔑".repeat(14), 15))).toBe("password_too_short");
  });

  it("normalises to NFC and nothing else", () => {
    const decomposed = "cafe\u0301 au lait s'il vous plait";
    const composed = "caf\u00e9 au lait s'il vous plait";
    expect(normalizePassword(decomposed)).toBe(composed);
    expect(normalizePassword("  Mixed Case  ")).toBe("  Mixed Case  ");
  });

  it("accepts up to 1,024 characters and refuses more", () => {
    expect(codeOf(() => checkNewPassword("ab".repeat(512), 15))).toBe("accepted");
    expect(codeOf(() => checkNewPassword("ab".repeat(512) + "c", 15))).toBe("password_too_long");
  });

  it("has no composition rules", () => {
    expect(codeOf(() => checkNewPassword("only lowercase letters", 15))).toBe("accepted");
    expect(codeOf(() => checkNewPassword("1234509876 5432167890", 15))).toBe("accepted");
  });

  it("refuses common passwords from a list of at least 10,000, whatever their case", () => {
    expect(blocklistSize()).toBeGreaterThanOrEqual(10_000);
    expect(codeOf(() => checkNewPassword("Password1", 8))).toBe("password_too_common");
    expect(codeOf(() => checkNewPassword("QWERTY123456789", 15))).toBe("password_too_common");
  });

  it("refuses passwords that contain the email local part or the username", () => {
    expect(codeOf(() => checkNewPassword("my name is JOSEPHINE ok", 15, { email: "josephine@example.com" }))).toBe("password_contains_personal_info");
    expect(codeOf(() => checkNewPassword("i am the_real_jo on the web", 15, { username: "the_real_jo" }))).toBe("password_contains_personal_info");
    // Two-letter local parts are too short to mean anything.
    expect(codeOf(() => checkNewPassword("joined the club today", 15, { email: "jo@example.com" }))).toBe("accepted");
  });
});
