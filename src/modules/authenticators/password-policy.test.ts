import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError } from "../../kernel/errors/app-error.js";
import { blocklistSize } from "./blocklist.js";
import { estimateGuessability, MIN_GUESSES_LOG10, SCORED_LENGTH } from "./guessability.js";
import { commonLanguagePack } from "./language-packs.js";
import { checkNewPassword, normalizePassword, passwordLength, type PasswordContext } from "./password-policy.js";

const refusal = (password: string, minLength = 15, context: PasswordContext = {}) => {
  try {
    checkNewPassword(password, minLength, context);
    return null;
  } catch (error) {
    return error as AppError;
  }
};
const codeOf = (password: string, minLength = 15, context: PasswordContext = {}) => refusal(password, minLength, context)?.code ?? "accepted";

/** Deterministic "random" bytes, so the samples below are the same on every run. */
const stream = (seed: string, count: number) => {
  const bytes: number[] = [];
  for (let block = 0; bytes.length < count; block++) bytes.push(...createHash("sha256").update(`${seed}:${block}`).digest());
  return bytes.slice(0, count);
};
const generated = (seed: string, length: number, alphabet: string) =>
  stream(seed, length * 2).reduce((out, _, i, all) => (i % 2 ? out : out + alphabet[(all[i]! * 256 + all[i + 1]!) % alphabet.length]), "");
const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

describe("password policy (NIST SP 800-63B-4)", () => {
  it("counts Unicode code points, not UTF-16 units", () => {
    const emoji = "🔑🐙🌵🎻🚲🧀🪐🦉🍋🧭🎈🦀🌋🧩🪁";
    expect(passwordLength(emoji)).toBe(15);
    expect(codeOf(emoji)).toBe("accepted");
    expect(codeOf([...emoji].slice(1).join(""))).toBe("password_too_short");
  });

  it("normalises to NFC and nothing else", () => {
    const decomposed = "cafe\u0301 au lait s'il vous plait";
    const composed = "caf\u00e9 au lait s'il vous plait";
    expect(normalizePassword(decomposed)).toBe(composed);
    expect(normalizePassword("  Mixed Case  ")).toBe("  Mixed Case  ");
  });

  it("accepts up to 1,024 characters and refuses more", () => {
    const long = generated("long", 1024, ALPHANUMERIC);
    expect(codeOf(long)).toBe("accepted");
    expect(codeOf(long + "c")).toBe("password_too_long");
  });

  it("has no composition rules", () => {
    expect(codeOf("plinth gravel oyster mantis")).toBe("accepted");
    expect(codeOf("8153 0927 4461 9385 2670")).toBe("accepted");
    expect(codeOf(generated("lower", 15, "abcdefghijklmnopqrstuvwxyz"))).toBe("accepted");
  });

  it("refuses common passwords from a list of at least 10,000, whatever their case", () => {
    expect(blocklistSize()).toBeGreaterThanOrEqual(10_000);
    expect(codeOf("Password1", 8)).toBe("password_too_common");
    expect(codeOf("QWERTY123456789")).toBe("password_too_common");
  });

  it("refuses passwords that contain the email local part, the username or a word of the name", () => {
    expect(codeOf("my name is JOSEPHINE ok", 15, { email: "josephine@example.com" })).toBe("password_contains_personal_info");
    expect(codeOf("i am the_real_jo on the web", 15, { username: "the_real_jo" })).toBe("password_contains_personal_info");
    expect(codeOf("zephyrine sings in the rain at dusk", 15, { name: "Zéphyrine Quaglietti" })).toBe("password_contains_personal_info");
    expect(codeOf("sings in the rain at dusk, QUAGLIETTI", 15, { name: "Zephyrine Quaglietti" })).toBe("password_contains_personal_info");
    // The same passwords are fine for someone else.
    expect(codeOf("zephyrine sings in the rain at dusk", 15, { name: "Ada Lovelace" })).toBe("accepted");
    // Two-letter local parts and three-letter name words are too short to mean anything on their own.
    expect(codeOf("joined the club today", 15, { email: "jo@example.com" })).toBe("accepted");
    expect(codeOf("plinth gravel oyster annex", 15, { name: "Ann Lee" })).toBe("accepted");
  });
});

/** Sequences, repeats, keyboard walks, dates, common words and phrases, the user's own words. @see issue 15 (item 6) */
describe("guessable passwords (zxcvbn)", () => {
  it.each([
    ["a repeated character", "aaaaaaaaaaaaaaa", /Repeated characters/],
    ["a repeated word", "sunshine sunshine", /Repeated character patterns/],
    ["a sequence", "abcdefghijklmnop", /sequences/],
    ["digits in order", "123456789012345", /commonly used password/],
    ["a keyboard walk", "qwertyuiopasdfgh", /commonly used password/],
    ["a keyboard walk off the blocklist", "zxcvbnm,./asdfghjkl;'", /keyboard|commonly used password/],
    ["a date and a word", "01/02/1990 birthday", /Dates are easy to guess/],
    ["common words", "blue sky green grass", /Add more words that are less common/],
    ["a famous phrase", "may the force be with you", /frequently used password/],
    ["l33t spelling of a common password", "P@ssw0rd12345678", /letter substitutions/],
  ])("refuses %s (%s) with a reason", (_, password, reason) => {
    const error = refusal(password);
    expect(error?.code).toBe("password_too_guessable");
    expect(error?.status).toBe(400);
    expect(error?.message).toMatch(/^This password is too easy to guess\. /);
    expect(error?.message).toMatch(reason);
    const details = error?.details as { warning: string | null; suggestions: string[] };
    expect(details.suggestions.length).toBeGreaterThan(0);
    expect(error?.message).toContain(details.suggestions[0]);
    expect(error?.message).not.toContain(password);
  });

  it("refuses famous example passphrases however they are written", () => {
    for (const password of [
      "correct horse battery staple",
      "Correct-Horse-Battery-Staple",
      "correct_horse_battery_staple!",
      "CorrectHorseBatteryStaple",
      "the quick brown fox jumps over the lazy dog",
      "The quick brown fox jumps over the lazy dog.",
      "lorem ipsum dolor sit amet",
    ]) {
      expect(codeOf(password), password).toBe("password_too_guessable");
    }
  });

  it("refuses a password built from the user's own words, which it accepts from anyone else", () => {
    const password = "quaglietti zephyrine 77";
    expect(codeOf(password)).toBe("accepted");
    const error = refusal(password, 15, { email: "zephyrine.quaglietti@example.com" });
    expect(error?.code).toBe("password_too_guessable");
    expect(error?.message).toContain("personal");
    expect(codeOf("examplecorp hunter quartz", 15, { email: "z@examplecorp.com" })).toBe("password_too_guessable");
  });

  it("accepts random diceware passphrases of four words and random 15-character passwords", () => {
    const words = commonLanguagePack().dictionary["diceware-common"];
    for (let i = 0; i < 40; i++) {
      const [a, b, c, d] = stream(`words:${i}`, 8).reduce<number[]>(
        (out, byte, j, all) => (j % 2 ? out : [...out, (byte * 256 + all[j + 1]!) % words.length]),
        [],
      );
      const passphrase = [words[a!], words[b!], words[c!], words[d!]].join(i % 2 ? " " : "-");
      expect(codeOf(passphrase), passphrase).toBe("accepted");
    }
    for (let i = 0; i < 40; i++) {
      const password = generated(`generated:${i}`, 15, ALPHANUMERIC);
      expect(codeOf(password), password).toBe("accepted");
    }
  });

  it("scores only the first 48 characters, so a 1,024-character password costs no more than a 48-character one", () => {
    expect(SCORED_LENGTH).toBe(48);
    const strong = generated("tail", 1024, ALPHANUMERIC);
    expect(estimateGuessability(strong, []).guessesLog10).toBe(estimateGuessability(strong.slice(0, 48), []).guessesLog10);
    // A guessable start is refused, however strong the rest.
    expect(codeOf("a".repeat(48) + strong.slice(48))).toBe("password_too_guessable");
    expect(codeOf("a".repeat(24) + strong.slice(24))).toBe("accepted");
  });

  it("refuses below 10^10 guesses and accepts above", () => {
    expect(MIN_GUESSES_LOG10).toBe(10);
    // zxcvbn puts these two just either side of the threshold.
    expect(estimateGuessability("purple monkey dishwasher", []).guessesLog10).toBeLessThan(MIN_GUESSES_LOG10);
    expect(codeOf("purple monkey dishwasher")).toBe("password_too_guessable");
    expect(estimateGuessability("purple monkey dishwasher sunrise", []).guessesLog10).toBeGreaterThanOrEqual(MIN_GUESSES_LOG10);
    expect(codeOf("purple monkey dishwasher sunrise")).toBe("accepted");
  });
});
