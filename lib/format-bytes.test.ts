import { describe, expect, it } from "vitest";
import { readConfig } from "./config.ts";
import { formatBytes, parseByteSize } from "./format.ts";

describe("byte sizes", () => {
  it("reads decimal and binary units and plain bytes", () => {
    expect(parseByteSize("50GB")).toBe(50e9);
    expect(parseByteSize("500MB")).toBe(500e6);
    expect(parseByteSize("500 mb")).toBe(500e6);
    expect(parseByteSize("1.5TB")).toBe(1.5e12);
    expect(parseByteSize("2GiB")).toBe(2 * 2 ** 30);
    expect(parseByteSize("4096")).toBe(4096);
    expect(parseByteSize("10B")).toBe(10);
  });
  it("refuses what is not a size", () => {
    for (const bad of ["", "GB", "50 GBs", "-1GB", "0", "0GB", "1.5", "1.5B", "12 parsecs", "1e9", "50G", "9999999PB"])
      expect(parseByteSize(bad), bad).toBeNull();
  });
  it("formats for people", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1500)).toBe("1.5 KB");
    expect(formatBytes(50e9)).toBe("50.0 GB");
    expect(formatBytes(123e9)).toBe("123 GB");
  });
  it("RUNLENS_STORAGE_BUDGET is parsed strictly at startup", () => {
    expect(readConfig({}).storageBudgetBytes).toBeNull();
    expect(readConfig({ RUNLENS_STORAGE_BUDGET: "50GB" }).storageBudgetBytes).toBe(50e9);
    expect(() => readConfig({ RUNLENS_STORAGE_BUDGET: "50 gigs" })).toThrow(/RUNLENS_STORAGE_BUDGET must be a size/);
  });
});
