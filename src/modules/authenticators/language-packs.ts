import { createRequire } from "node:module";

/**
 * The zxcvbn-ts word lists, loaded on first use and then kept: about 60 MB of resident memory
 * once the estimator is built (docs/security.md), which a server that never sets a password (say,
 * passwordless only) should not pay at start-up. `require` is synchronous, so the password policy
 * stays a plain function. Both the blocklist and the estimator read the lists from here, so they
 * share one copy rather than one per module system.
 */
const require = createRequire(import.meta.url);

type CommonPack = typeof import("@zxcvbn-ts/language-common");
type EnglishPack = typeof import("@zxcvbn-ts/language-en");

let common: CommonPack | null = null;
let english: EnglishPack | null = null;

/** Passwords (~49,000), diceware words and keyboard layouts. */
export function commonLanguagePack(): CommonPack {
  common ??= require("@zxcvbn-ts/language-common") as CommonPack;
  return common;
}

/** English words, names, Wikipedia terms and the feedback texts. */
export function englishLanguagePack(): EnglishPack {
  english ??= require("@zxcvbn-ts/language-en") as EnglishPack;
  return english;
}
