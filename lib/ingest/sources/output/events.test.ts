import { describe, expect, it } from "vitest";
import invoiceSync from "@/tests/fixtures/output/invoice-sync.members.json";
import leadEnrichment from "@/tests/fixtures/output/lead-enrichment.members.json";
import { FIXTURE_A_FILE, FIXTURE_B_FILE, readFixture } from "@/tests/fixtures/output/traces";
import {
  buildOutputTree,
  buildOutputTreeFromMembers,
  type OutputEvent,
  type OutputTreeNode,
  parseOutputEvent,
  UNFINISHED_ROOT_OUTPUT,
} from "./events";

const ROOT = "run-root";
const start = (id: string, parentId: string | undefined, t: number, kind = "step", details: unknown = null) =>
  ({ kind, action: "start", name: `${kind}:${id}`, id, parentId, timestamp: t, details }) as OutputEvent;
const end = (id: string, t: number, details: unknown = "ok") =>
  ({ action: "end", id, timestamp: t, details }) as OutputEvent;
const fail = (id: string, t: number, details: unknown = { message: "boom", name: "Error" }) =>
  ({ action: "error", id, timestamp: t, details }) as OutputEvent;
const ids = (n: OutputTreeNode) => n.children.map((c) => c.id);

describe("buildOutputTree", () => {
  // The spec's fixtures are the real output of Output's builder on those members.
  it("rebuilds a successful run exactly as Output writes it, with an add_attr sorted before its node's start", () => {
    const tree = buildOutputTreeFromMembers(leadEnrichment);
    // Same JSON text: same values and Output's key order.
    expect(JSON.stringify(tree)).toBe(JSON.stringify(readFixture(FIXTURE_A_FILE)));
  });

  it("rebuilds a failed run: error closes a node, an HTTP 401 error keeps its {status, statusText} shape", () => {
    const tree = buildOutputTreeFromMembers(invoiceSync);
    expect(JSON.stringify(tree)).toBe(JSON.stringify(readFixture(FIXTURE_B_FILE)));
    const step = tree!.children[1];
    expect(step.output).toBeUndefined();
    expect(step.error).toMatchObject({ name: "FatalError" });
    expect(step.children[0].error).toEqual({ status: 401, statusText: "Unauthorized" });
  });

  it("gives a root that has not ended Output's placeholder output and no end time", () => {
    const tree = buildOutputTree([start(ROOT, undefined, 1, "workflow", { a: 1 }), start("1", ROOT, 2), end("1", 3)]);
    expect(tree).toMatchObject({ id: ROOT, endedAt: null, output: UNFINISHED_ROOT_OUTPUT, input: { a: 1 } });
    expect(tree!.children[0]).toMatchObject({ id: "1", endedAt: 3, output: "ok" });
  });

  it("lists a retried step once per attempt, with the last attempt's times and both error and output", () => {
    const tree = buildOutputTree([
      start(ROOT, undefined, 1, "workflow"),
      start("2", ROOT, 10, "step", "first"),
      fail("2", 20),
      start("2", ROOT, 1030, "step", "second"),
      end("2", 1040),
      end(ROOT, 2000),
    ])!;
    expect(tree.children).toHaveLength(2);
    for (const c of tree.children)
      expect(c).toMatchObject({
        id: "2",
        input: "second",
        startedAt: 1030,
        endedAt: 1040,
        output: "ok",
        error: { message: "boom" },
      });
    // Copies, as in a file: changing one leaves the other alone.
    expect(tree.children[0]).not.toBe(tree.children[1]);
  });

  it("merges a child workflow's step '1' into the root's getTraceDestinations node, shown under both", () => {
    const tree = buildOutputTree([
      start(ROOT, undefined, 1, "workflow"),
      { ...start("1", ROOT, 2, "internal_step", { workflowId: "wf-1" }), name: "__internal#getTraceDestinations" },
      end("1", 3, { local: "/x.json" }),
      start("child-run", ROOT, 10, "workflow", { c: true }),
      start("1", "child-run", 11, "step", "child input"),
      end("1", 12, "child output"),
      end("child-run", 13),
      end(ROOT, 14),
    ])!;
    // The root's children are re-sorted only when one is pushed, so "1" keeps its first place.
    expect(ids(tree)).toEqual(["1", "child-run"]);
    const child = tree.children[1];
    expect(child).toMatchObject({ kind: "workflow", input: { c: true } });
    expect(child.children).toEqual([tree.children[0]]);
    expect(tree.children[0]).toMatchObject({
      name: "step:1",
      input: "child input",
      output: "child output",
      startedAt: 11,
    });
    expect(JSON.stringify(tree)).not.toContain("wf-1");
  });

  it("attaches child workflows to the parent workflow node, beside its steps, sorted by start time", () => {
    const tree = buildOutputTree([
      start(ROOT, undefined, 1, "workflow"),
      start("2", ROOT, 5),
      start("child-run", ROOT, 20, "workflow"),
      start("3", "child-run", 21),
      end("3", 22),
      end("child-run", 23),
      end("2", 30),
      end(ROOT, 40),
    ])!;
    expect(ids(tree)).toEqual(["2", "child-run"]);
    expect(ids(tree.children[1])).toEqual(["3"]);
  });

  it("sorts children by start time whatever order events arrive in, and keeps attributes seen before a start", () => {
    const tree = buildOutputTree([
      start(ROOT, undefined, 1, "workflow"),
      { action: "add_attr", id: "h2", parentId: "2", timestamp: 50, details: { type: "http:request:count", url: "u" } },
      start("2", ROOT, 10),
      start("h2", "2", 50, "http"),
      start("h1", "2", 20, "http"),
      end("h1", 60),
      end("h2", 70),
      end("2", 80),
    ])!;
    expect(ids(tree.children[0])).toEqual(["h1", "h2"]);
    expect(tree.children[0].children[1].attributes).toEqual({
      "http:request:count": { type: "http:request:count", url: "u" },
    });
  });

  it("keeps the arrival order of children that start in the same millisecond", () => {
    const tree = buildOutputTree([start(ROOT, undefined, 1, "workflow"), start("b", ROOT, 5), start("a", ROOT, 5)])!;
    expect(ids(tree)).toEqual(["b", "a"]);
  });

  it("lets a later attribute of the same type replace the earlier one", () => {
    const tree = buildOutputTree([
      start(ROOT, undefined, 1, "workflow"),
      start("h", ROOT, 2, "http"),
      { action: "add_attr", id: "h", parentId: ROOT, timestamp: 3, details: { type: "http:request:cost", total: 1 } },
      { action: "add_attr", id: "h", parentId: ROOT, timestamp: 4, details: { type: "http:request:cost", total: 2 } },
    ])!;
    expect(tree.children[0].attributes).toEqual({ "http:request:cost": { type: "http:request:cost", total: 2 } });
  });

  it("drops nodes never attached to the root, such as a root-level webhook (no parentId) or an unknown parent", () => {
    const tree = buildOutputTree([
      start(ROOT, undefined, 1, "workflow"),
      { action: "start", kind: "webhook", name: "resume", id: "wh", timestamp: 2 },
      start("x", "missing-parent", 3),
      end(ROOT, 4),
    ])!;
    expect(tree.children).toEqual([]);
  });

  it("takes the first event without parentId as the root, even a skewed activity end before the root start", () => {
    const tree = buildOutputTree([end("7", 0, "early"), start(ROOT, undefined, 1, "workflow"), start("7", ROOT, 2)])!;
    expect(tree.id).toBe("7");
    expect(tree.output).toBe("early");
  });

  it("returns null when every event has a parent (Output discards such a trace)", () => {
    expect(buildOutputTree([start("1", ROOT, 2), { ...end("1", 3), parentId: ROOT }])).toBeNull();
    expect(buildOutputTree([])).toBeNull();
  });

  it("cuts a cycle made by colliding ids instead of failing", () => {
    const tree = buildOutputTree([
      start(ROOT, undefined, 1, "workflow"),
      start("a", ROOT, 2),
      start("b", "a", 3),
      start("a", "b", 4),
    ])!;
    expect(JSON.stringify(tree)).toContain('"id":"b"');
  });
});

describe("parseOutputEvent", () => {
  it("reads `phase` (core before 0.3.0) as `action`", () => {
    expect(parseOutputEvent('{"phase":"end","id":"1","timestamp":5,"details":3}')).toEqual({
      action: "end",
      id: "1",
      timestamp: 5,
      details: 3,
      kind: undefined,
      name: undefined,
      parentId: undefined,
    });
  });

  it("skips members that are not Output events", () => {
    for (const m of ["not json", "[]", '{"action":"start"}', '{"action":"explode","id":"1"}', "null"])
      expect(parseOutputEvent(m)).toBeNull();
    const tree = buildOutputTreeFromMembers([
      "garbage",
      '{"kind":"workflow","action":"start","name":"w","id":"r","timestamp":1}',
    ]);
    expect(tree?.id).toBe("r");
  });
});
