import { commonLanguagePack } from "./language-packs.js";

let blocklist: Set<string> | null = null;

/**
 * ~49,000 of the most common passwords (the zxcvbn-ts common dictionary, MIT), compared
 * lower-cased: "Password1" is as guessable as "password1". Loaded on first use.
 */
export function isCommonPassword(password: string): boolean {
  blocklist ??= new Set((commonLanguagePack().dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));
  return blocklist.has(password.toLowerCase());
}

export function blocklistSize(): number {
  isCommonPassword("");
  return blocklist!.size;
}
