import { beforeAll, describe, expect, it } from "vitest";
import { GET as listGet } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import type { Execution, ExecutionList } from "@/lib/contracts/executions";
import { drained, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

const BASE = "/api/v1/runtime/v1/observability";
const T0 = Date.parse("2026-05-01T12:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

/** id, duration (null: still running), gpt-4o-mini tokens in and out (null: no model call). */
const RUNS: [string, number | null, [number, number] | null][] = [
  ["r1", 1200, [1000, 100]],
  ["r2", 300, [50_000, 2000]],
  ["r3", 5000, null],
  ["r4", null, [10, 10]],
  ["r5", 300, [1000, 100]],
  ["r6", 800, [400_000, 0]],
];

function traces() {
  return RUNS.flatMap(([id, duration, tokens], i) => {
    const start = i * 10_000;
    const root = {
      id: `${id}-root`,
      executionId: id,
      type: "agent_execution",
      name: id,
      agent: "sorter",
      status: duration === null ? "running" : "success",
      startedAt: at(start),
      ...(duration === null ? {} : { endedAt: at(start + duration) }),
    };
    if (!tokens) return [root];
    const call = {
      id: `${id}-llm`,
      executionId: id,
      parentId: root.id,
      type: "llm_call",
      name: "answer",
      startedAt: at(start + 1),
      endedAt: at(start + 2),
      llm: { model: "gpt-4o-mini", usage: { inputTokens: tokens[0], outputTokens: tokens[1] } },
    };
    return [root, call];
  });
}

describe("sorting and filtering executions by duration, cost and tokens", () => {
  const app = withAppDb();
  let key = "";
  const list = async (qs: string) => {
    const res = await listGet(request(`${BASE}/executions?${qs}`, { bearer: key }));
    return {
      status: res.status,
      body: (await res.json()) as ExecutionList & { error?: { details: { path: string }[] } },
    };
  };
  /** Every page, one row a page, so each row is reached through a cursor. */
  const all = async (qs: string) => {
    const ids: string[] = [];
    let cursor = "";
    for (let page = 0; page < 20; page++) {
      const { status, body } = await list(`${qs}&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(status).toBe(200);
      ids.push(...body.executions.map((e: Execution) => e.id));
      if (!body.nextCursor) return ids;
      cursor = body.nextCursor;
    }
    throw new Error("too many pages");
  };

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "Sorting"));
    const res = await postTraces(request(`${BASE}/traces`, { body: { traces: traces() }, bearer: key }));
    expect((await res.json()).rejected).toBe(0);
    await drained();
  });

  it("sorts by each key both ways, ties by id, rows without the value last, across pages", async () => {
    expect(await all("sort=duration&order=desc")).toEqual(["r3", "r1", "r6", "r5", "r2", "r4"]);
    expect(await all("sort=duration&order=asc")).toEqual(["r2", "r5", "r6", "r1", "r3", "r4"]);
    expect(await all("sort=cost&order=desc")).toEqual(["r6", "r2", "r5", "r1", "r4", "r3"]);
    expect(await all("sort=cost&order=asc")).toEqual(["r4", "r1", "r5", "r2", "r6", "r3"]);
    expect(await all("sort=tokens&order=desc")).toEqual(["r6", "r2", "r5", "r1", "r4", "r3"]);
    expect(await all("sort=startedAt&order=asc")).toEqual(["r1", "r2", "r3", "r4", "r5", "r6"]);
    expect(await all("order=desc")).toEqual(["r6", "r5", "r4", "r3", "r2", "r1"]);
  });

  it("filters by ranges of duration and cost", async () => {
    expect(await all("sort=duration&order=asc&minDurationMs=300&maxDurationMs=1200")).toEqual(["r2", "r5", "r6", "r1"]);
    // gpt-4o-mini: 400k input tokens cost $0.06; 50k in + 2k out $0.0087.
    expect(await all("sort=cost&minCost=0.005")).toEqual(["r6", "r2"]);
    expect(await all("sort=cost&maxCost=0.001")).toEqual(["r5", "r1", "r4"]);
  });

  it("refuses a cursor of another sort and crossed bounds, naming the field", async () => {
    const first = await list("sort=cost&limit=1");
    const cursor = first.body.nextCursor!;
    const crossed = await list(`sort=duration&cursor=${cursor}`);
    expect(crossed.status).toBe(400);
    expect(crossed.body.error!.details[0].path).toBe("cursor");
    const bounds = await list("minCost=2&maxCost=1");
    expect(bounds.status).toBe(400);
    expect(bounds.body.error!.details[0].path).toBe("maxCost");
    const sort = await list("sort=name");
    expect(sort.status).toBe(400);
    expect(sort.body.error!.details[0].path).toBe("sort");
  });
});
