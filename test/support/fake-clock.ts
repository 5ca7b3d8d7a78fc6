import type { Clock } from "../../src/kernel/time/clock.js";

/** A clock tests move by hand: expiry is tested by advancing time, never by sleeping. */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: Date = new Date("2026-01-15T10:00:00.000Z")) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
}
