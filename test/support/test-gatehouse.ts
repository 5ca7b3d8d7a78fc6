import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { createGatehouse, type Gatehouse, type GatehouseOptions } from "../../src/gatehouse.js";
import { loadConfig, type Config } from "../../src/kernel/config/load-config.js";
import { buildServer } from "../../src/server.js";
import { FakeClock } from "./fake-clock.js";
import type { DatabaseTarget } from "./test-database.js";

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
 * Test configuration: production rules, except argon2 parameters cheap enough for a test suite and
 * no node-wide slow-down of failed sign-ins (a test file fails many sign-ins in one fake minute;
 * the slow-down has its own test).
 */
export function testConfig(env: Record<string, string> = {}): Config {
  const config = loadConfig({
    NODE_ENV: "test",
    GATEHOUSE_BASE_URL: TEST_BASE_URL,
    GATEHOUSE_MASTER_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "silent",
    GATEHOUSE_SIGN_IN_SLOWDOWN_MS: "0",
    ...env,
  });
  return { ...config, passwords: { ...config.passwords, argon2: { memoryKib: 256, iterations: 1, parallelism: 1 } } };
}

/**
 * A Gatehouse on a fresh database of `target`, with a fake clock, its HTTP app ready for
 * `inject`, and jobs stopped (tests run them with `gatehouse.jobs.runNow`).
 */
export async function startTestGatehouse(
  target: DatabaseTarget,
  options: { env?: Record<string, string>; config?: (config: Config) => Config } & Omit<GatehouseOptions, "database" | "clock"> = {},
): Promise<TestGatehouse> {
  const database = await target.create();
  const clock = new FakeClock();
  const base = testConfig(options.env);
  const config = options.config ? options.config(base) : base;
  const gatehouse = await createGatehouse(config, { startJobs: false, ...options, database: database.handle, clock });
  const app = await buildServer(gatehouse);
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
