import { beforeAll, describe, expect, it } from "vitest";
import { POST as importOutput } from "@/app/api/v1/ingest/output/route";
import type { OutputNode } from "@/lib/contracts/output";
import { ingestOutputTrace, OUTPUT_SLICE_UNITS } from "@/lib/ingest/sources/output/receive";
import { request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * Large Output trace files (docs/performance.md › Edge): read, checked, mapped and written in slices
 * of the server's thread, with the event loop turning between them, and still stored whole or not
 * at all. Counted, never timed.
 */

const T0 = Date.parse("2026-01-01T00:00:00Z");
/** Children per node in these trees: bounds how many nodes one visit of a parent touches. */
const FAN_OUT = 10;

const step = (id: string, i: number, children?: OutputNode[]): OutputNode => ({
  id,
  kind: "step",
  name: `flow#step ${i}`,
  startedAt: T0 + i,
  endedAt: T0 + i + 1,
  input: { i, text: "x".repeat(40) },
  output: { ok: true },
  ...(children ? { children } : {}),
});

/** A workflow run of 1 + 10 + 100 + ... nodes, `levels` below the root, FAN_OUT children each. */
function bigRun(runId: string, levels: number): { root: OutputNode; nodes: number } {
  let nodes = 1;
  const level = (depth: number, prefix: string): OutputNode[] =>
    Array.from({ length: FAN_OUT }, (_, i) => {
      nodes++;
      const id = `${prefix}${i}`;
      return step(id, nodes, depth < levels ? level(depth + 1, `${id}.`) : undefined);
    });
  const children = level(1, "");
  return { root: { id: runId, kind: "workflow", name: "flow", startedAt: T0, endedAt: T0 + 1e6, children }, nodes };
}

describe("a large Output trace file", () => {
  const app = withAppDb();
  let key = "";
  let workspaceId = "";

  const post = async (body: unknown) => {
    const res = await importOutput(request("/api/v1/ingest/output", { body, bearer: key }));
    await app.drained(120_000);
    return res;
  };
  const stored = async (executionId: string) => ({
    spans: await app.db().prisma.span.count({ where: { workspaceId, executionId } }),
    execution: await app.db().prisma.execution.findUnique({
      where: { workspaceId_id: { workspaceId, id: executionId } },
      select: { spanCount: true, status: true },
    }),
  });

  beforeAll(async () => {
    ({ apiKey: key, workspaceId } = await createKeyedWorkspace(app.db(), "Large"));
  });

  it("is stored whole, a part per statement in one batch, and a re-import changes nothing", async () => {
    const { root, nodes } = bigRun("big-run", 4); // 11,111 nodes: 23 parts
    const res = await post(root);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ executionId: "big-run", spans: nodes, workflowId: null });
    expect(await stored("big-run")).toEqual({ spans: nodes, execution: { spanCount: nodes, status: "success" } });

    const again = await post(root);
    expect(again.status).toBe(200);
    expect(await stored("big-run")).toEqual({ spans: nodes, execution: { spanCount: nodes, status: "success" } });
  }, 180_000);

  it("with one bad node deep inside, is refused naming that node's field, and stores nothing", async () => {
    const { root } = bigRun("broken-run", 4);
    root.children![9].children![9].children![9].children![7].endedAt = "later" as unknown as number;
    const res = await post(root);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("validation_error");
    expect(error.details).toEqual([
      { path: "children[9].children[9].children[9].children[7].endedAt", message: expect.any(String) },
    ]);
    expect(await stored("broken-run")).toEqual({ spans: 0, execution: null });
  }, 180_000);

  it("lets the event loop turn while it is mapped and serialized: at most a slice of nodes between two turns", async () => {
    const { root, nodes } = bigRun("sliced-run", 4);
    // Each node counts once, when the import first reads it (a parent's visit reads its children).
    let touched = 0;
    const probe = (node: OutputNode) => {
      const { name } = node;
      let seen = false;
      Object.defineProperty(node, "name", {
        enumerable: true,
        get() {
          if (!seen) {
            seen = true;
            touched++;
          }
          return name;
        },
      });
      for (const child of node.children ?? []) probe(child);
    };
    probe(root);
    const touchedAtTurns = [touched];
    let running = true;
    const turn = () => {
      touchedAtTurns.push(touched);
      if (running) setImmediate(turn);
    };
    setImmediate(turn);
    const result = await ingestOutputTrace(app.db(), workspaceId, root);
    running = false;
    await app.drained(120_000);
    expect(result).toMatchObject({ spans: nodes, created: true });
    expect(touched).toBe(nodes);
    const between = touchedAtTurns.slice(1).map((n, i) => n - touchedAtTurns[i]);
    // A slice visits at most OUTPUT_SLICE_UNITS nodes, each reading its FAN_OUT children.
    // (Not Math.max(...between): on a quiet machine the write's idle turns are over 100,000 arguments.)
    expect(between.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(OUTPUT_SLICE_UNITS * (FAN_OUT + 1));
    expect(between.filter((n) => n > 0).length).toBeGreaterThanOrEqual(nodes / (OUTPUT_SLICE_UNITS * (FAN_OUT + 1)));
    expect(await stored("sliced-run")).toEqual({ spans: nodes, execution: { spanCount: nodes, status: "success" } });
  }, 180_000);
});
