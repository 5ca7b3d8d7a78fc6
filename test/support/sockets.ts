import { readFileSync } from "node:fs";

/**
 * Whether this machine's kernel runs a keepalive timer on the TCP socket bound to local `port`
 * (IPv4), read from /proc/net/tcp: in its `tr` column 2 is the keepalive timer, 0 no timer at all.
 * Null when the socket is not there or the file is missing (not Linux).
 */
export function hasKeepaliveTimer(localPort: number): boolean | null {
  let table: string;
  try {
    table = readFileSync("/proc/net/tcp", "utf8");
  } catch {
    return null;
  }
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6) continue;
    const port = Number.parseInt(fields[1]!.split(":")[1]!, 16);
    const state = fields[3];
    if (port === localPort && state === "01") return fields[5]!.startsWith("02:"); // 01: ESTABLISHED
  }
  return null;
}
