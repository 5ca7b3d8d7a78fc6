import { describe, expect, it } from "vitest";
import { lockoutMemorySeconds, lockoutSecondsFor } from "./magic-codes.js";

const HOUR = 3600;
const DAY = 24 * HOUR;
const defaults = { lockoutSeconds: HOUR, lockoutMaxSeconds: DAY };

describe("code lockouts", () => {
  it("doubles from the first lockout up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => lockoutSecondsFor(n, defaults))).toEqual([HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, DAY, DAY, DAY]);
    expect(lockoutSecondsFor(1, { lockoutSeconds: DAY, lockoutMaxSeconds: DAY })).toBe(DAY);
  });

  it("remembers failures for (doublings to the cap + 1) caps: 6 days with the defaults", () => {
    expect(lockoutMemorySeconds(defaults)).toBe(6 * DAY);
    expect(lockoutMemorySeconds({ lockoutSeconds: 60, lockoutMaxSeconds: DAY })).toBe(12 * DAY);
    expect(lockoutMemorySeconds({ lockoutSeconds: DAY, lockoutMaxSeconds: DAY })).toBe(DAY);
  });

  // An attacker who makes `attempts` guesses whenever unlocked, stops after n lockouts and waits for
  // the row to be forgotten, versus one who never stops: waiting must never give more guesses a day.
  it.each([
    [HOUR, DAY],
    [60, DAY],
    [60, 7 * DAY],
    [5 * HOUR, DAY],
    [DAY, 7 * DAY],
  ])("never lets waiting to be forgotten beat guessing at the capped rate (first lockout %i s, cap %i s)", (lockoutSeconds, lockoutMaxSeconds) => {
    const config = { lockoutSeconds, lockoutMaxSeconds };
    const memory = lockoutMemorySeconds(config);
    const cappedRate = 1 / lockoutMaxSeconds;
    let lockedFor = 0;
    for (let n = 1; n <= 40; n++) {
      expect(n / (lockedFor + memory)).toBeLessThanOrEqual(cappedRate);
      lockedFor += lockoutSecondsFor(n, config);
    }
  });
});
