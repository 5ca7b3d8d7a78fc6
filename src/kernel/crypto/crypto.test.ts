import { describe, expect, it } from "vitest";
import { createPasswordHasher } from "./password-hasher.js";
import { digestToken, generateNumericCode, generateSecretToken } from "./random.js";

describe("password hasher at production parameters", () => {
  it("hashes with argon2id at OWASP parameters and verifies exactly as typed", async () => {
    const hasher = createPasswordHasher({ memoryKib: 19456, iterations: 2, parallelism: 1 });
    const hash = await hasher.hash("Correct Horse Battery Staple");
    expect(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$")).toBe(true);
    expect(await hasher.verify(hash, "Correct Horse Battery Staple")).toBe(true);
    expect(await hasher.verify(hash, "correct horse battery staple")).toBe(false);
    expect(await hasher.verify(hash, "Correct Horse Battery Staple ")).toBe(false);
    expect(await hasher.verify("not a hash", "x")).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
    expect(createPasswordHasher({ memoryKib: 65536, iterations: 3, parallelism: 1 }).needsRehash(hash)).toBe(true);
  });

  it("does not block the event loop while hashing", async () => {
    const hasher = createPasswordHasher({ memoryKib: 19456, iterations: 2, parallelism: 1 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all([hasher.hash("one long password here"), hasher.hash("another long password")]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe("random secrets", () => {
  it("carries 256 bits, base64url", () => {
    const token = generateSecretToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(Array.from({ length: 100 }, () => generateSecretToken())).size).toBe(100);
  });

  it("stores SHA-256 digests (known answer)", () => {
    expect(digestToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("makes zero-padded numeric codes", () => {
    for (let i = 0; i < 50; i++) expect(generateNumericCode(6)).toMatch(/^\d{6}$/);
  });
});

describe("the password hash queue", () => {
  const cheap = { memoryKib: 256, iterations: 1, parallelism: 1 };

  it("runs at most one hash per running place and refuses what does not fit in the queue, at once", async () => {
    const hasher = createPasswordHasher(cheap, { running: 2, waiting: 3, perRequester: 100 });
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => hasher.hash(`password number ${i}`, { ip: `198.51.100.${i}` })));
    const refused = outcomes.filter((o) => o.status === "rejected");
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const outcome of refused) {
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: "server_busy", status: 503, retryAfterSeconds: 1 });
    }
  });

  it("gives one client network no more than its share of the queue, and counts an IPv6 /64 as one network", async () => {
    const hasher = createPasswordHasher(cheap, { running: 1, waiting: 50, perRequester: 2 });
    const from = (ip: string, i: number) => hasher.hash(`password number ${i}`, { ip });
    const flood = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => from(`2001:db8:1:2::${i + 1}`, i)));
    expect(flood.filter((o) => o.status === "fulfilled")).toHaveLength(2);
    // Another network still gets through while the first one is being refused.
    const [first, other, second, third] = await Promise.allSettled([
      from("2001:db8:1:2::99", 1),
      from("203.0.113.9", 2),
      from("2001:db8:1:2::98", 3),
      from("2001:db8:1:2::97", 4),
    ]);
    expect([first, other, second, third].map((o) => o!.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected"]);
  });
});
