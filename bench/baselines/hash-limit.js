/**
 * Baseline "hash limit": argon2id verifications per second at the given parameters and concurrency,
 * with no HTTP and no database. @node-rs/argon2 runs on the libuv thread pool, as in Gatehouse, so
 * this is the most password checks the machine can do. Counted like autocannon counts responses:
 * operations that complete within the measured window.
 *
 * Usage: node hash-limit.js '{"memoryKib":19456,"iterations":2,"parallelism":1,"concurrency":50,"durationSeconds":6}'
 * Prints one JSON line.
 */
import { Algorithm, hash, verify } from "@node-rs/argon2";

const spec = JSON.parse(process.argv[2]);
const options = { algorithm: Algorithm.Argon2id, memoryCost: spec.memoryKib, timeCost: spec.iterations, parallelism: spec.parallelism };

// Several distinct passwords and salts, as for many users.
const passwords = Array.from({ length: 8 }, (_, i) => `hash-limit-password-${i}-correct-horse`);
const hashes = await Promise.all(passwords.map((p) => hash(p, options)));

// Workers run without a break from warm-up through measurement; only completions inside the
// measured window count, and the process exits at its end instead of draining the 50 in flight.
const windowStart = performance.now() + (spec.warmupSeconds ?? 0) * 1000;
const windowEnd = windowStart + spec.durationSeconds * 1000;
const latencies = [];
let failures = 0;
let next = 0;
const worker = async () => {
  for (;;) {
    const i = next++ % passwords.length;
    const t0 = performance.now();
    const ok = await verify(hashes[i], passwords[i], options);
    const t1 = performance.now();
    if (t1 > windowEnd) return;
    if (t1 < windowStart) continue;
    if (ok) latencies.push(t1 - t0);
    else failures++;
  }
};
await Promise.race(Array.from({ length: spec.concurrency }, worker));
latencies.sort((a, b) => a - b);
const at = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : null);
const result = {
  ok: latencies.length,
  errors: failures,
  durationSeconds: spec.durationSeconds,
  rps: latencies.length / spec.durationSeconds,
  latency: { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? null },
};
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
