import { describe, expect, it } from "vitest";
import { keysToRetire, signerAt, type ScheduledKey } from "./key-schedule.js";

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 15, 10, 0, 0) + seconds * 1000);
const key = (kid: string, createdAt: number, activatesAt: number): ScheduledKey => ({ kid, createdAt: at(createdAt), activatesAt: at(activatesAt) });
const kids = (keys: ScheduledKey[]) => keys.map((k) => k.kid);

describe("signerAt", () => {
  const first = key("a", 0, 0);
  const second = key("b", 1000, 1360); // rotated at 1000, published 360 s before it signs

  it("keeps the old key signing until the new one activates, then the new one", () => {
    expect(signerAt([first, second], at(1000))?.kid).toBe("a");
    expect(signerAt([first, second], at(1359))?.kid).toBe("a");
    expect(signerAt([first, second], at(1360))?.kid).toBe("b");
    expect(signerAt([second, first], at(5000))?.kid).toBe("b"); // row order does not matter
  });

  it("breaks ties between keys activated at the same instant by creation time, then kid, the same way on every node", () => {
    const x = key("x", 10, 100);
    const y = key("y", 20, 100);
    const z = key("z", 20, 100);
    expect(signerAt([z, y, x], at(100))?.kid).toBe("z");
    expect(signerAt([x, z, y], at(100))?.kid).toBe("z");
  });

  it("signs with the first key to activate when none is active yet (a node whose clock lags), and with nothing when there is no key", () => {
    expect(signerAt([key("late", 100, 200), key("later", 150, 300)], at(50))?.kid).toBe("late");
    expect(signerAt([], at(0))).toBeNull();
  });
});

describe("keysToRetire", () => {
  const retain = 360; // token lifetime 300 s + 60 s clock tolerance

  it("keeps the signer and the key that signed before it while that key's tokens can still be valid", () => {
    const keys = [key("a", 0, 0), key("b", 1000, 1360)];
    expect(kids(keysToRetire(keys, at(2000), retain))).toEqual(["a"]); // b took over at 1360; a's last tokens died at 1720
    expect(kids(keysToRetire(keys, at(1500), retain))).toEqual([]); // a's tokens from 1359 are valid until 1719
  });

  it("withdraws a key that never signed: the new rotation supersedes it", () => {
    const keys = [key("a", 0, 0), key("b", 1000, 1360)];
    expect(kids(keysToRetire(keys, at(1100), retain))).toEqual(["b"]);
  });

  it("keeps every former signer whose tokens may still be valid after rotations in quick succession", () => {
    const keys = [key("a", 0, 0), key("b", 100, 460), key("c", 500, 860)];
    expect(kids(keysToRetire(keys, at(800), retain))).toEqual(["c"]); // a signed until 460: valid tokens until 820
    expect(kids(keysToRetire(keys, at(900), retain))).toEqual(["a"]); // b signed until 860: kept until 1220
  });
});
