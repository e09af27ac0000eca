import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.ts";

const raw = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

describe("cursors", () => {
  it("round-trip the sort key of a page", () => {
    const at = "2026-01-02T03:04:05.678Z";
    expect(decodeCursor(encodeCursor([at, "exec-1"]), 2)).toEqual([at, "exec-1"]);
  });

  it("are refused with 400 before use when they would fail in Postgres", () => {
    for (const bad of [
      raw(["-271821-04-20T00:00:00.000Z", "x"]), // a date JavaScript reads and Postgres rejects
      raw(["+010000-01-01T00:00:00.000Z", "x"]),
      raw(["2026-01-01T00:00:00.000Z", "a\u0000b"]),
      raw(["2026-01-01T00:00:00.000Z", "\ud800"]),
      raw(["2026-01-01T00:00:00.000Z"]),
      raw({ a: 1 }),
      "%%%not-base64",
    ]) {
      expect(() => decodeCursor(bad, 2), bad).toThrow(expect.objectContaining({ status: 400 }));
    }
  });

  it("pass the timestamp on as ISO-8601, whatever form Date.parse accepted", () => {
    expect(decodeCursor(raw(["Jan 2 2026 03:04:05 GMT", "x"]), 2)).toEqual(["2026-01-02T03:04:05.000Z", "x"]);
  });
});
