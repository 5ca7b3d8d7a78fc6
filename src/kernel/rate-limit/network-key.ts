import { isIPv4, isIPv6 } from "node:net";

/**
 * The network a client address is counted under. An IPv4 address is one subscriber; an IPv6
 * subscriber is routinely given a whole /64 (RFC 6177), so counting single IPv6 addresses would let
 * one client rotate through 2^64 of them. IPv4-mapped IPv6 addresses count as their IPv4 address.
 */
export function networkKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, lower-case hex without leading zeros. */
function expandIPv6(ip: string): string[] {
  const withoutZone = ip.split("%")[0]!;
  const [head = "", tail] = withoutZone.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill("0"), ...right].map((g) => Number.parseInt(g, 16).toString(16));
}
