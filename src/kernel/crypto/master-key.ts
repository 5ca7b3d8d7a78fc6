import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomKeyBytes } from "./random.js";

/**
 * The master key: from GATEHOUSE_MASTER_KEY, or — outside production only, where loadConfig has
 * already refused a missing key — generated once into the data directory (mode 0600) so a local
 * install works with zero set-up and keeps its sealed data across restarts.
 */
export function resolveMasterKey(configured: string | null, dataDir: string): { key: Buffer; generatedAt?: string } {
  if (configured) return { key: Buffer.from(configured, "base64") };
  // An in-memory database keeps nothing across restarts, so neither does its key (and no "memory:" folder appears).
  if (dataDir === "memory://") return { key: randomKeyBytes(32) };
  const path = join(dataDir, "master.key");
  if (existsSync(path)) return { key: Buffer.from(readFileSync(path, "utf8").trim(), "base64") };
  mkdirSync(dataDir, { recursive: true });
  const key = randomKeyBytes(32);
  writeFileSync(path, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  return { key, generatedAt: path };
}
