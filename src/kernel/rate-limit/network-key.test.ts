import { describe, expect, it } from "vitest";
import { networkKey } from "./network-key.js";

describe("networkKey", () => {
  it("counts an IPv4 address, and an IPv4-mapped IPv6 address, as itself", () => {
    expect(networkKey("203.0.113.7")).toBe("203.0.113.7");
    expect(networkKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts every address of an IPv6 /64 as one network, however it is written", () => {
    const a = networkKey("2001:db8:85a3:8d3:1319:8a2e:370:7348");
    expect(a).toBe("2001:db8:85a3:8d3::/64");
    expect(networkKey("2001:0db8:85a3:08d3::1")).toBe(a);
    expect(networkKey("2001:DB8:85A3:8D3:ffff:ffff:ffff:ffff")).toBe(a);
    expect(networkKey("2001:db8:85a3:8d4::1")).not.toBe(a);
    expect(networkKey("::1")).toBe("0:0:0:0::/64");
    expect(networkKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });
});
