import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { checkOutputTrace, OUTPUT_MAX_CHILDREN, ZOutputTraceFile } from "./output.ts";

/** A fixed seed (OUTPUT_CHECK_SEED to explore others). */
const PROPERTY = { numRuns: 400, seed: Number(process.env.OUTPUT_CHECK_SEED ?? 20_261_206) };

/** Runs the walk to its end, counting its yields. */
function walk(root: unknown): { issues: z.core.$ZodIssue[]; yields: number } {
  const work = checkOutputTrace(root);
  for (let yields = 0; ; yields++) {
    const next = work.next();
    if (next.done) return { issues: next.value, yields };
  }
}

/** What a check reports, comparably: code, path and message of each issue, in order. */
const viaZod = (root: unknown) => {
  const parsed = ZOutputTraceFile.safeParse(root);
  return parsed.success ? [] : parsed.error.issues.map((i) => [i.code, i.path, i.message]);
};
const viaWalk = (root: unknown) => walk(root).issues.map((i) => [i.code, i.path, i.message]);

const node = (o: Record<string, unknown> = {}) => ({ id: "n", kind: "step", name: "s", startedAt: 1, ...o });

// Mostly valid values, sometimes of the wrong type or out of range (type errors and failed checks
// differ in zod: the first stop its refinements, the second do not).
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: bad });
const id = mostly(
  fc.constantFrom("a", "b", "run-1"),
  fc.constantFrom("", "x".repeat(513), "x".repeat(200), "\u0000", 5),
);
const kind = mostly(fc.constantFrom("workflow", "step", "llm"), fc.constantFrom(7, "k".repeat(129)));
const ms = mostly(fc.constantFrom(0, 1, 1.5, 1_767_225_600_000), fc.constantFrom("soon", 1e20, -1e17, null));
const { tree } = fc.letrec((tie) => ({
  tree: fc
    .record(
      {
        id,
        kind,
        name: mostly(fc.constantFrom("w", "w#step"), fc.constant(3)),
        startedAt: ms,
        endedAt: mostly(fc.constantFrom(2, null), fc.constantFrom("later", 1e20)),
        input: fc.jsonValue({ maxDepth: 1 }),
        error: mostly(fc.constant(undefined), fc.constantFrom({ message: "x" }, "boom")),
        children: mostly(
          fc.array(mostly(tie("tree"), fc.constantFrom(5, null, [], "child")), { maxLength: 3 }),
          fc.constantFrom({ not: "an array" }, 4, null),
        ),
        attributes: mostly(
          fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
          fc.constantFrom(5, []),
        ),
      },
      { requiredKeys: [] },
    )
    .filter((n) => n.error !== undefined || !("error" in n)),
}));

describe("checkOutputTrace", () => {
  it("reports what ZOutputTraceFile reports, in the same order, for any tree", () => {
    fc.assert(
      fc.property(fc.oneof(tree, fc.constantFrom(null, undefined, [], 5, "x")), (root) => {
        expect(viaWalk(root)).toEqual(viaZod(root));
      }),
      PROPERTY,
    );
  });

  it("reports a node with too many children once, not each child (as zod)", () => {
    const crowded = Array.from({ length: OUTPUT_MAX_CHILDREN + 1 }, () => node({ startedAt: "soon" }));
    const root = node({
      kind: "workflow",
      name: 5,
      children: [node({ children: crowded }), node({ id: 5 })],
      attributes: 3,
    });
    expect(viaWalk(root)).toEqual(viaZod(root));
    expect(viaWalk(root).map(([, path]) => (path as unknown[]).join("."))).toEqual([
      "name",
      "children.0.children",
      "children.1.id",
      "attributes",
    ]);
  });

  it("walks a deep tree without recursion, one yield per node", () => {
    let root: Record<string, unknown> = node();
    for (let i = 0; i < 20_000; i++) root = node({ kind: i === 19_999 ? "workflow" : "step", children: [root] });
    expect(walk(root)).toEqual({ issues: [], yields: 20_001 });
  });
});
