import { createRequire } from "node:module";
import type { ZxcvbnFactory as Zxcvbn } from "@zxcvbn-ts/core";
import { FAMOUS_PASSPHRASES } from "./famous-passphrases.js";
import { commonLanguagePack, englishLanguagePack } from "./language-packs.js";

/**
 * A password is refused below 10^10 guesses as estimated by zxcvbn (its score 4). zxcvbn's slow-hash
 * scenario, 10^4 guesses a second, is about what one GPU gets through argon2id at the OWASP
 * parameters Gatehouse uses: 10^10 guesses is ~12 days per account of offline cracking. A single
 * pattern (a repeat, a sequence, a keyboard walk, a common password or phrase) scores under 10^5,
 * and two or three of them together (a date and a word, three common words) 10^8 to 10^10: a
 * lower threshold would let those through. Measured over random samples (docs/security.md): four
 * random diceware words score at least 10^12 and random 15-character strings at least 10^10, so
 * none is refused; three diceware words drawn from the commonest ones can be.
 */
export const MIN_GUESSES_LOG10 = 10;

/**
 * zxcvbn's cost grows faster than the length (the l33t matcher rewrites the password up to
 * `L33T_VARIANTS` times and looks up every substring of each rewrite, up to the longest dictionary
 * word), and it runs on the event loop. Only the first `SCORED_LENGTH` code points are scored, separators
 * removed: 48 letters are nine or ten words, and a password whose start is unguessable is
 * unguessable. Bounded so, a 1,024-character password costs ~55 ms of CPU, against ~1.4 s with
 * zxcvbn's defaults (256 characters, 100 respellings); fewer respellings miss more l33t spellings
 * of common passwords (docs/security.md).
 */
export const SCORED_LENGTH = 48;
const L33T_VARIANTS = 20;

// Passphrase crackers join dictionary words with or without a separator at no extra cost, but
// zxcvbn prices every separated word as a further match; scoring the words run together keeps
// "hello world hello" as guessable as "helloworldhello", and lets famous phrases match however
// they are punctuated.
const SEPARATORS = /[\s\-_.,'’]+/gu;

export interface Guessability {
  guessesLog10: number;
  /** Why the password is guessable, when zxcvbn can say (English). */
  warning: string | null;
  /** What to do instead (English). */
  suggestions: string[];
}

const require = createRequire(import.meta.url);
let estimator: Zxcvbn | null = null;

/** Built once, on first use: building ranks ~240,000 words (~150 ms). */
function zxcvbn(): Zxcvbn {
  if (estimator) return estimator;
  const { ZxcvbnFactory, Options } = require("@zxcvbn-ts/core") as typeof import("@zxcvbn-ts/core");
  const common = commonLanguagePack();
  const english = englishLanguagePack();
  const defaults = new Options().timeEstimationValues;
  estimator = new ZxcvbnFactory({
    translations: english.translations,
    graphs: common.adjacencyGraphs,
    // A name containing "passwords" gets zxcvbn's "This is a heavily used password." warning.
    dictionary: { ...common.dictionary, ...english.dictionary, "passwords-famous": [...FAMOUS_PASSPHRASES] },
    maxLength: SCORED_LENGTH,
    l33tMaxSubstitutions: L33T_VARIANTS,
    // zxcvbn explains only scores 0–2; moving the top of score 2 to the refusal threshold makes it
    // explain every password this policy refuses. The score itself is not used.
    timeEstimationValues: { ...defaults, scoring: { 0: 1e3, 1: 1e6, 2: 10 ** MIN_GUESSES_LOG10, 3: 1e12 } },
  });
  return estimator;
}

/**
 * Estimates how many guesses a password takes, knowing the user's own words (email, username,
 * name): zxcvbn's dictionary (with l33t and reversed spellings), keyboard, repeat, sequence and
 * date matchers. Feedback comes from zxcvbn's fixed texts: it never quotes the password.
 */
export function estimateGuessability(password: string, userInputs: string[]): Guessability {
  const scored = [...password.replace(SEPARATORS, "")].slice(0, SCORED_LENGTH).join("");
  const result = zxcvbn().check(scored, userInputs);
  const english = englishLanguagePack().translations;
  const suggestions = result.feedback.suggestions.length > 0 ? result.feedback.suggestions : [english.suggestions.anotherWord];
  return { guessesLog10: result.guessesLog10, warning: result.feedback.warning, suggestions };
}
