import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OutageCache } from "./outage-cache.ts";

const down = () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("OutageCache", () => {
  const saved = { fresh: process.env.RUNLENS_SETTINGS_FRESH_MS, stale: process.env.RUNLENS_SETTINGS_STALE_MS };
  beforeEach(() => {
    process.env.RUNLENS_SETTINGS_FRESH_MS = "20";
    process.env.RUNLENS_SETTINGS_STALE_MS = "10000";
  });
  afterEach(() => {
    process.env.RUNLENS_SETTINGS_FRESH_MS = saved.fresh;
    process.env.RUNLENS_SETTINGS_STALE_MS = saved.stale;
    if (saved.fresh === undefined) delete process.env.RUNLENS_SETTINGS_FRESH_MS;
    if (saved.stale === undefined) delete process.env.RUNLENS_SETTINGS_STALE_MS;
  });

  it("reads again once a value is no longer fresh, and sees the change", async () => {
    const cache = new OutageCache<string, number>(10);
    expect(await cache.read("k", async () => 1)).toBe(1);
    await sleep(40);
    expect(await cache.read("k", async () => 2)).toBe(2);
  });

  it("serves the last value while the database is unavailable, but never past staleness, and never for other errors", async () => {
    const cache = new OutageCache<string, number>(10);
    await cache.read("k", async () => 1);
    await sleep(40);
    expect(await cache.read("k", down)).toBe(1);
    await expect(cache.read("never-read", down)).rejects.toThrow(/ECONNREFUSED/);

    const other = new OutageCache<string, number>(10);
    await other.read("k", async () => 1);
    await sleep(40);
    await expect(other.read("k", () => Promise.reject(new Error("relation does not exist")))).rejects.toThrow();

    process.env.RUNLENS_SETTINGS_STALE_MS = "30";
    const old = new OutageCache<string, number>(10);
    await old.read("k", async () => 1);
    await sleep(60);
    await expect(old.read("k", down)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("keeps at most its size, least recently used out first; forget drops entries at once", async () => {
    process.env.RUNLENS_SETTINGS_FRESH_MS = "60000";
    const cache = new OutageCache<string, number>(2);
    await cache.read("a", async () => 1);
    await cache.read("b", async () => 2);
    await cache.read("a", async () => -1); // a used again: b is now the oldest
    await cache.read("c", async () => 3);
    expect(await cache.read("a", async () => -1)).toBe(1);
    expect(await cache.read("b", async () => 20)).toBe(20);
    cache.forget((k) => k === "b");
    expect(await cache.read("b", async () => 200)).toBe(200);
  });
});
