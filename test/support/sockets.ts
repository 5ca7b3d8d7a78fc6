import { readFileSync } from "node:fs";

/**
 * The timer the kernel runs on the established IPv4 TCP socket from local port `localPort` to
 * remote port `remotePort`, read from /proc/net/tcp (its `tr` column): "keepalive" (2), "retransmit"
 * (1: data in flight right now, which hides the keepalive timer for a moment), "none" (0), or
 * "probe" (4). Null when there is no such socket or no such file (not Linux).
 */
export function socketTimer(localPort: number, remotePort: number): "none" | "retransmit" | "keepalive" | "probe" | null {
  let table: string;
  try {
    table = readFileSync("/proc/net/tcp", "utf8");
  } catch {
    return null;
  }
  const port = (address: string) => Number.parseInt(address.split(":")[1]!, 16);
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6 || fields[3] !== "01") continue; // 01: ESTABLISHED
    if (port(fields[1]!) !== localPort || port(fields[2]!) !== remotePort) continue;
    return (["none", "retransmit", "keepalive", "none", "probe"] as const)[Number.parseInt(fields[5]!.split(":")[0]!, 16)] ?? "none";
  }
  return null;
}
