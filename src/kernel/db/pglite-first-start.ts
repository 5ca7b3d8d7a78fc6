import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Creates a new embedded database in a short-lived child process. PGlite runs initdb in a second,
 * temporary PostgreSQL instance and copies its files over; in the server's own process that left
 * about 75 MB of freed memory glibc never returns (fragmented heap), for the life of the server
 * (docs/benchmarks.md, Memory). A child gives all of it back when it exits. The caller holds the
 * directory's lock; the child is its helper and takes none.
 */
export async function createPgliteDatabaseIfAbsent(pgliteDir: string, startParams: string[]): Promise<void> {
  if (existsSync(join(pgliteDir, "PG_VERSION"))) return;
  const script = `
    const [moduleUrl, dir, params] = process.argv.slice(1);
    const pglite = await import(moduleUrl);
    const PGlite = pglite.PGlite ?? pglite.default.PGlite;
    const db = new PGlite(dir, { startParams: JSON.parse(params) });
    await db.waitReady;
    await db.close();`;
  const args = [
    "--liftoff-only",
    "--input-type=module",
    "-e",
    script,
    pathToFileURL(createRequire(import.meta.url).resolve("@electric-sql/pglite")).href,
    pgliteDir,
    JSON.stringify(startParams),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`could not create the embedded database in ${pgliteDir} (exit code ${code}): ${stderr.trim()}`);
}
