import { describe, expect, it } from "vitest";
import { depthFirst } from "./read";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const span = (id: string, parentId: string | null, s: number) => ({ id, parentId, startedAt: at(s) });

describe("depthFirst", () => {
  it("orders children by start under their parent, with depths", () => {
    const out = depthFirst([span("c2", "root", 3), span("root", null, 0), span("c1", "root", 1), span("g1", "c1", 2)]);
    expect(out.map((s) => `${s.id}:${s.depth}`)).toEqual(["root:0", "c1:1", "g1:2", "c2:1"]);
  });

  it("keeps orphans and cycles: every span appears exactly once", () => {
    const out = depthFirst([
      span("a", "b", 0),
      span("b", "a", 1),
      span("orphan", "missing", 2),
      span("self", "self", 3),
    ]);
    expect(out.map((s) => s.id).sort()).toEqual(["a", "b", "orphan", "self"]);
    expect(out.find((s) => s.id === "orphan")!.depth).toBe(0);
  });

  it("walks a 50,000-deep chain without overflowing the stack", () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => span(`s${i}`, i === 0 ? null : `s${i - 1}`, i));
    const out = depthFirst(rows);
    expect(out).toHaveLength(50_000);
    expect(out.at(-1)!.depth).toBe(49_999);
  });
});
