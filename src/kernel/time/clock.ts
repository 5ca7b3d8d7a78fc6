/**
 * The one source of "now". Services receive a Clock so tests can move time forward instead of
 * sleeping or monkeypatching Date.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {
  now: () => new Date(Date.now()),
};

/** Adds seconds to a date without mutating it. */
export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

/** Whole seconds since the epoch, as JWT claims use. */
export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
