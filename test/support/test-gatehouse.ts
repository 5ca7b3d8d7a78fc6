import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { createGatehouse, type Gatehouse, type GatehouseOptions } from "../../src/gatehouse.js";
import { loadConfig, type Config } from "../../src/kernel/config/load-config.js";
import { buildServer } from "../../src/server.js";
import { checkResponsesAgainstDocument } from "./documented-responses.js";
import { FakeClock } from "./fake-clock.js";
import type { DatabaseTarget, TestDatabase } from "./test-database.js";

export const TEST_BASE_URL = "http://gatehouse.test";

export interface TestGatehouse {
  gatehouse: Gatehouse;
  app: FastifyInstance;
  clock: FakeClock;
  config: Readonly<Config>;
  databaseUrl: string | null;
  close(): Promise<void>;
}

/**
 * Test configuration: production rules, except argon2 parameters cheap enough for a test suite,
 * no node-wide slow-down of failed sign-ins (a test file fails many sign-ins in one fake minute;
 * the slow-down has its own test), and the development mailbox switched on explicitly:
 * TEST_BASE_URL is not a loopback address, and most tests read their mail from it. Tests that set
 * SMTP_URL or NODE_ENV=production (which refuse it) get the default instead;
 * `GATEHOUSE_DEV_MAILBOX: ""` asks for the default too.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  const mailbox = env.SMTP_URL || env.NODE_ENV === "production" ? {} : { GATEHOUSE_DEV_MAILBOX: "true" };
  const config = loadConfig({
    NODE_ENV: "test",
    GATEHOUSE_BASE_URL: TEST_BASE_URL,
    GATEHOUSE_MASTER_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "silent",
    GATEHOUSE_SIGN_IN_SLOWDOWN_MS: "0",
    ...mailbox,
    ...env,
  });
  return { ...config, passwords: { ...config.passwords, argon2: { memoryKib: 256, iterations: 1, parallelism: 1 } } };
}

/**
 * A Gatehouse on a fresh database of `target`, with a fake clock, its HTTP app ready for
 * `inject`, and jobs stopped (tests run them with `gatehouse.jobs.runNow`). Every answer `inject`
 * gets from a documented route must be in /openapi.json (documented-responses.ts).
 */
export async function startTestGatehouse(target: DatabaseTarget, options: TestGatehouseOptions = {}): Promise<TestGatehouse> {
  return startTestGatehouseOn(await target.create(), options);
}

export type TestGatehouseOptions = { env?: Record<string, string>; config?: (config: Config) => Config } & Omit<GatehouseOptions, "database" | "clock">;

/** The same on a database the test opened itself (e.g. through a proxy); `close()` disposes of it. */
export async function startTestGatehouseOn(database: TestDatabase, options: TestGatehouseOptions = {}): Promise<TestGatehouse> {
  const clock = new FakeClock();
  const base = testConfig(options.env);
  const config = options.config ? options.config(base) : base;
  const gatehouse = await createGatehouse(config, { startJobs: false, ...options, database: database.handle, clock });
  const app = await buildServer(gatehouse);
  checkResponsesAgainstDocument(app);
  return {
    gatehouse,
    app,
    clock,
    config,
    databaseUrl: database.url,
    async close() {
      await app.close();
      await gatehouse.close();
      await database.dispose();
    },
  };
}
