import { availableParallelism } from "node:os";
import { Algorithm, hash, verify } from "@node-rs/argon2";
import { AppError } from "../errors/app-error.js";
import { KernelErrors } from "../errors/kernel-errors.js";
import { networkKey } from "../rate-limit/network-key.js";
import { createHashQueue, type HashQueueLimits } from "./hash-queue.js";

export interface Argon2Parameters {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

/** Who a hash is for: its client's address, so one network cannot take every place in the queue. */
export interface HashRequester {
  ip: string;
}

/**
 * argon2id hashing. @node-rs/argon2 runs on the libuv thread pool, so hashing never blocks the
 * event loop. `verifyAgainstNothing` spends the same work as a real verification so that a
 * sign-in for an unknown account cannot be told apart by its latency.
 *
 * At most one hash per core runs at once. More would not finish more hashes per second, but would
 * take every libuv thread, so the work that shares that pool (WebCrypto JWT signing, DNS, files)
 * would queue behind them, and each hash would take longer, which lengthens the tail latency.
 * Waiting hashes are bounded too, in all and per client network: past the bound a request is
 * refused at once with `server_busy` (503, Retry-After) instead of waiting behind a flood, so
 * latency and memory stay bounded (argon2's memory is only taken by the running hashes).
 */
export interface PasswordHasher {
  hash(password: string, requester?: HashRequester): Promise<string>;
  verify(passwordHash: string, password: string, requester?: HashRequester): Promise<boolean>;
  verifyAgainstNothing(password: string, requester?: HashRequester): Promise<void>;
  /** True when a stored hash was made with weaker parameters than the current ones. */
  needsRehash(passwordHash: string): boolean;
}

export interface PasswordHasherOptions extends Partial<HashQueueLimits> {
  /** Called with the duration of every hash or verification. */
  observe?: (seconds: number) => void;
}

export function createPasswordHasher(params: Argon2Parameters, options: PasswordHasherOptions = {}): PasswordHasher {
  const argon2 = {
    algorithm: Algorithm.Argon2id,
    memoryCost: params.memoryKib,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  };
  const running = options.running ?? availableParallelism();
  const queue = createHashQueue({ running, waiting: options.waiting ?? running * 16, perRequester: options.perRequester ?? running * 2 });
  let dummyHash: Promise<string> | null = null;
  const timed = async <T>(requester: HashRequester | undefined, work: () => Promise<T>): Promise<T> => {
    const slot = queue.enter(requester ? networkKey(requester.ip) : undefined);
    if (!slot) throw new AppError(KernelErrors.server_busy, { retryAfterSeconds: 1 });
    return slot.run(async () => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        options.observe?.((performance.now() - started) / 1000);
      }
    });
  };
  const currentPrefix = `$argon2id$v=19$m=${params.memoryKib},t=${params.iterations},p=${params.parallelism}$`;
  return {
    hash: (password, requester) => timed(requester, () => hash(password, argon2)),
    async verify(passwordHash, password, requester) {
      const matched = await timed(requester, () => verify(passwordHash, password, argon2).catch(() => false));
      return matched; // a malformed stored hash never authenticates
    },
    async verifyAgainstNothing(password, requester) {
      dummyHash ??= hash("gatehouse-timing-equaliser", argon2);
      const againstHash = await dummyHash;
      await timed(requester, () => verify(againstHash, password, argon2).catch(() => false));
    },
    needsRehash: (passwordHash) => !passwordHash.startsWith(currentPrefix),
  };
}
