import type { Logger } from "../logging/logger.js";

export interface PeriodicJob {
  name: string;
  intervalSeconds: number;
  run(): Promise<unknown>;
}

/**
 * Runs periodic maintenance in-process. Every job's state lives in the database, so any number of
 * nodes may run the same jobs: they are idempotent (deletes of expired rows, claims with SKIP LOCKED).
 */
export interface JobRunner {
  start(): void;
  /** Stops scheduling and waits for running jobs to finish. */
  stop(): Promise<void>;
  /** Runs a job now (tests, the CLI); resolves when it finishes. */
  runNow(name: string): Promise<void>;
}

export function createJobRunner(jobs: PeriodicJob[], logger: Logger): JobRunner {
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();
  let stopped = true;

  const execute = (job: PeriodicJob): Promise<void> => {
    const inFlight = running.get(job.name);
    if (inFlight) return inFlight;
    const promise = job
      .run()
      .then(() => undefined)
      .catch((error: unknown) => logger.error({ err: error, job: job.name }, "job failed"))
      .finally(() => running.delete(job.name));
    running.set(job.name, promise);
    return promise;
  };

  const schedule = (job: PeriodicJob) => {
    if (stopped) return;
    const timer = setTimeout(() => void execute(job).finally(() => schedule(job)), job.intervalSeconds * 1000);
    timer.unref();
    timers.set(job.name, timer);
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      for (const job of jobs) schedule(job);
    },
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.all(running.values());
    },
    async runNow(name) {
      const job = jobs.find((j) => j.name === name);
      if (!job) throw new Error(`unknown job ${name}`);
      await execute(job);
    },
  };
}
