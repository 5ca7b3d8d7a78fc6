import { describe, expect, it } from "vitest";
import { createChangeFeedSource } from "./change-feed.js";
import { createRowCache } from "./row-cache.js";

function setup(options: { maxEntries?: number; maxAgeMs?: number; live?: boolean } = {}) {
  const feed = createChangeFeedSource(options.live ?? true);
  const cache = createRowCache<string>(feed, { table: "users", maxEntries: options.maxEntries ?? 10, maxAgeMs: options.maxAgeMs ?? 60_000 });
  const loads: string[] = [];
  const loader =
    (id: string, value: string | null = `row ${id}`) =>
    async () => {
      loads.push(id);
      return value;
    };
  return { feed, cache, loads, loader };
}

describe("row cache", () => {
  it("serves a loaded row until its table announces a change to it", async () => {
    const { feed, cache, loads, loader } = setup();
    expect(await cache.get("a", loader("a"))).toBe("row a");
    expect(await cache.get("a", loader("a", "changed"))).toBe("row a");
    feed.deliver("sessions:a"); // another table's row with the same id
    expect(await cache.get("a", loader("a", "changed"))).toBe("row a");
    feed.deliver("users:a");
    expect(await cache.get("a", loader("a", "changed"))).toBe("changed");
    expect(loads).toEqual(["a", "a"]);
  });

  it("does not keep a row whose load raced with a change", async () => {
    const { feed, cache, loads } = setup();
    let release!: () => void;
    const slowLoad = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return "read before the change";
    };
    const pending = cache.get("a", slowLoad);
    feed.deliver("users:a");
    release();
    expect(await pending).toBe("read before the change");
    expect(await cache.get("a", async () => "after")).toBe("after");
    expect(loads).toEqual([]);
  });

  it("drops a row evicted by the node that changed it, without waiting for the notification", async () => {
    const { cache, loads, loader } = setup();
    await cache.get("a", loader("a"));
    cache.evict("a");
    expect(await cache.get("a", loader("a", "changed"))).toBe("changed");
    expect(await cache.get("a", loader("a", "changed again"))).toBe("changed");
    expect(loads).toEqual(["a", "a"]);
  });

  it("does not keep a row whose load raced with a local eviction", async () => {
    const { cache } = setup();
    let release!: () => void;
    const pending = cache.get("a", async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return "read before the commit";
    });
    cache.evict("a"); // the change commits while the load is in flight, and its notification never comes
    release();
    expect(await pending).toBe("read before the commit");
    expect(await cache.get("a", async () => "after")).toBe("after");
  });

  it("reads the database every time while the feed is not live, and starts empty when it is back", async () => {
    const { feed, cache, loads, loader } = setup();
    await cache.get("a", loader("a"));
    feed.setLive(false);
    await cache.get("a", loader("a"));
    await cache.get("a", loader("a"));
    feed.setLive(true);
    await cache.get("a", loader("a"));
    await cache.get("a", loader("a"));
    expect(loads).toEqual(["a", "a", "a", "a"]);
  });

  it("never caches a missing row, and with maxEntries 0 caches nothing", async () => {
    const missing = setup();
    await missing.cache.get("a", missing.loader("a", null));
    await missing.cache.get("a", missing.loader("a", null));
    expect(missing.loads).toEqual(["a", "a"]);
    const off = setup({ maxEntries: 0 });
    await off.cache.get("a", off.loader("a"));
    await off.cache.get("a", off.loader("a"));
    expect(off.loads).toEqual(["a", "a"]);
  });

  it("drops the least recently used row beyond maxEntries, and rows older than maxAgeMs", async () => {
    const { cache, loads, loader } = setup({ maxEntries: 2 });
    await cache.get("a", loader("a"));
    await cache.get("b", loader("b"));
    await cache.get("a", loader("a")); // a is now the most recent
    await cache.get("c", loader("c")); // evicts b
    await cache.get("a", loader("a"));
    await cache.get("b", loader("b"));
    expect(loads).toEqual(["a", "b", "c", "b"]);

    const aged = setup({ maxAgeMs: 20 });
    await aged.cache.get("a", aged.loader("a"));
    await new Promise((resolve) => setTimeout(resolve, 40));
    await aged.cache.get("a", aged.loader("a"));
    expect(aged.loads).toEqual(["a", "a"]);
  });
});
