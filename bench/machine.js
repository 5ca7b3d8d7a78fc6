/** What the figures were measured on: they mean nothing without it. */
import { readFileSync } from "node:fs";
import os from "node:os";

const versionOf = (pkg) => {
  try {
    return JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), "utf8")).version;
  } catch {
    return null;
  }
};

export function describeMachine() {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    libuvThreadPoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    packages: Object.fromEntries(
      ["fastify", "jose", "@node-rs/argon2", "@electric-sql/pglite", "pg", "drizzle-orm", "autocannon"].map((p) => [p, versionOf(p)]),
    ),
  };
}
