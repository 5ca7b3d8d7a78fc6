import { describe, expect, it } from "vitest";
import { missingNodeFlags, serverNodeFlags } from "./node-flags.js";

describe("the server's Node flags", () => {
  it("trade throughput for memory by default, and leave V8 alone when told to", () => {
    expect(serverNodeFlags({ memorySaver: true, embeddedDatabase: true })).toEqual(["--memory-saver-mode", "--min-semi-space-size=4", "--liftoff-only"]);
    expect(serverNodeFlags({ memorySaver: true, embeddedDatabase: false })).toEqual(["--memory-saver-mode", "--min-semi-space-size=4"]);
    expect(serverNodeFlags({ memorySaver: false, embeddedDatabase: true })).toEqual([]);
  });

  it("are added only where the operator set nothing for the same setting, in any spelling", () => {
    const wanted = ["--memory-saver-mode", "--liftoff-only"];
    expect(missingNodeFlags(wanted, [], undefined)).toEqual(wanted);
    expect(missingNodeFlags(wanted, ["--memory-saver-mode", "--liftoff-only"], undefined)).toEqual([]); // after the re-exec: no loop
    expect(missingNodeFlags(wanted, ["--no-liftoff-only"], undefined)).toEqual(["--memory-saver-mode"]);
    expect(missingNodeFlags(wanted, ["--inspect"], "--memory_saver_mode=false --max-old-space-size=512")).toEqual(["--liftoff-only"]);
    expect(missingNodeFlags(["--max-semi-space-size=16"], ["--max-semi-space-size=4"], "")).toEqual([]);
  });
});
