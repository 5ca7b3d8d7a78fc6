export interface HashQueueLimits {
  /** Hashes running at once (one per core). */
  running: number;
  /** Hashes waiting for a running place; beyond it `enter` refuses. */
  waiting: number;
  /** Hashes one requester may have running or waiting. */
  perRequester: number;
}

export interface HashSlot {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * A bounded FIFO of password hashes: `enter` either reserves a place (running or waiting) or
 * refuses at once, so the caller can answer "busy" instead of queueing without bound.
 */
export function createHashQueue(limits: HashQueueLimits) {
  let active = 0;
  const waiters: Array<() => void> = [];
  const byRequester = new Map<string, number>();

  const release = (requester: string | undefined) => {
    if (requester !== undefined) {
      const left = (byRequester.get(requester) ?? 1) - 1;
      if (left === 0) byRequester.delete(requester);
      else byRequester.set(requester, left);
    }
    const next = waiters.shift();
    if (next) next();
    else active--;
  };

  return {
    enter(requester?: string): HashSlot | null {
      if (active >= limits.running && waiters.length >= limits.waiting) return null;
      if (requester !== undefined && (byRequester.get(requester) ?? 0) >= limits.perRequester) return null;
      if (requester !== undefined) byRequester.set(requester, (byRequester.get(requester) ?? 0) + 1);
      const started = active < limits.running ? (active++, Promise.resolve()) : new Promise<void>((resolve) => waiters.push(resolve));
      return {
        async run(work) {
          await started;
          try {
            return await work();
          } finally {
            release(requester);
          }
        },
      };
    },
    /** Hashes running and waiting, for tests and metrics. */
    get size() {
      return active + waiters.length;
    },
  };
}
