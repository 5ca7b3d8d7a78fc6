import { availableParallelism } from "node:os";
import { Algorithm, hash, verify } from "@node-rs/argon2";
import pLimit from "p-limit";

export interface Argon2Parameters {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

/**
 * argon2id hashing. @node-rs/argon2 runs on the libuv thread pool, so hashing never blocks the
 * event loop. `verifyAgainstNothing` spends the same work as a real verification so that a
 * sign-in for an unknown account cannot be told apart by its latency.
 *
 * At most one hash per core runs at once. More would not finish more hashes per second, but would
 * take every libuv thread, so the work that shares that pool (WebCrypto JWT signing, DNS, files)
 * would queue behind them, and each hash would take longer, which lengthens the tail latency.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  verifyAgainstNothing(password: string): Promise<void>;
  /** True when a stored hash was made with weaker parameters than the current ones. */
  needsRehash(passwordHash: string): boolean;
}

export function createPasswordHasher(
  params: Argon2Parameters,
  observe?: (seconds: number) => void,
  concurrency = availableParallelism(),
): PasswordHasher {
  const options = {
    algorithm: Algorithm.Argon2id,
    memoryCost: params.memoryKib,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  };
  let dummyHash: Promise<string> | null = null;
  const slot = pLimit(concurrency);
  const timed = <T>(work: () => Promise<T>): Promise<T> =>
    slot(async () => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        observe?.((performance.now() - started) / 1000);
      }
    });
  const currentPrefix = `$argon2id$v=19$m=${params.memoryKib},t=${params.iterations},p=${params.parallelism}$`;
  return {
    hash: (password) => timed(() => hash(password, options)),
    async verify(passwordHash, password) {
      try {
        return await timed(() => verify(passwordHash, password, options));
      } catch {
        return false; // a malformed stored hash never authenticates
      }
    },
    async verifyAgainstNothing(password) {
      dummyHash ??= slot(() => hash("gatehouse-timing-equaliser", options));
      const againstHash = await dummyHash;
      await timed(() => verify(againstHash, password, options)).catch(() => false);
    },
    needsRehash: (passwordHash) => !passwordHash.startsWith(currentPrefix),
  };
}
