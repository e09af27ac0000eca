import { beforeAll, describe, expect, it } from "vitest";
import { GET as overviewGet } from "@/app/api/v1/overview/route";
import { GET as listGet } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import type { ExecutionList } from "@/lib/contracts/executions";
import type { Overview } from "@/lib/contracts/overview";
import { LATENCY_RELATIVE_ERROR } from "@/lib/overview/histogram";
import { drained, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

const BASE = "/api/v1/runtime/v1/observability";
// 2026-03-10 in Kolkata (+05:30) runs from 2026-03-09T18:30Z to 2026-03-10T18:30Z.
const DAY1 = Date.parse("2026-03-09T19:00:00.000Z");
const DAY2 = Date.parse("2026-03-10T19:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

type Run = { id: string; start: number; ms: number; error?: string; agent?: string; tokens?: number };
const RUNS: Run[] = [
  { id: "o1", start: DAY1, ms: 100, tokens: 1_000_000 },
  { id: "o2", start: DAY1 + 60_000, ms: 200, error: "card declined" },
  { id: "o3", start: DAY1 + 120_000, ms: 300, error: "card declined" },
  { id: "o4", start: DAY2, ms: 400, error: "timeout" },
  { id: "o5", start: DAY2 + 60_000, ms: 1000, tokens: 2000 },
  { id: "o6", start: DAY2 + 120_000, ms: 50, agent: "other" },
];

function traces() {
  return RUNS.flatMap((r) => {
    const root = {
      id: `${r.id}-root`,
      executionId: r.id,
      type: "agent_execution",
      name: r.id,
      agent: r.agent ?? "support",
      status: r.error ? "error" : "success",
      startedAt: iso(r.start),
      endedAt: iso(r.start + r.ms),
      ...(r.error ? { error: { name: "PaymentError", message: r.error } } : {}),
    };
    if (!r.tokens) return [root];
    return [
      root,
      {
        id: `${r.id}-llm`,
        executionId: r.id,
        parentId: root.id,
        type: "llm_call",
        name: "answer",
        startedAt: iso(r.start + 1),
        endedAt: iso(r.start + 2),
        llm: { model: "gpt-4o-mini", usage: { inputTokens: r.tokens, outputTokens: 0 } },
      },
    ];
  });
}

/** Nearest rank (percentile_disc): the value at rank ceil(p * n). */
function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(p * s.length)) - 1];
}
/** The overview's percentiles come from log-bucket histograms, within their stated bound. */
function expectNear(estimate: number | null, exact: number) {
  expect(Math.abs((estimate ?? Number.NaN) - exact)).toBeLessThanOrEqual(exact * LATENCY_RELATIVE_ERROR + 1e-9);
}

describe("overview", () => {
  const app = withAppDb();
  let key = "";
  let otherKey = "";
  const get = async (qs: string, bearer = key) => {
    const res = await overviewGet(request(`/api/v1/overview?${qs}`, { bearer }));
    return { status: res.status, body: (await res.json()) as Overview & { error?: { details: { path: string }[] } } };
  };
  const RANGE = `from=${iso(DAY1 - 3_600_000)}&to=${iso(DAY2 + 3_600_000)}`;

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "Overview"));
    ({ apiKey: otherKey } = await createKeyedWorkspace(app.db(), "Elsewhere"));
    const res = await postTraces(request(`${BASE}/traces`, { body: { traces: traces() }, bearer: key }));
    expect((await res.json()).rejected).toBe(0);
    await drained();
  });

  it("totals, percentiles within their bound, tokens and cost of the range", async () => {
    const { status, body } = await get(`${RANGE}&timezone=Asia/Kolkata&interval=day`);
    expect(status).toBe(200);
    expect(body.executions).toBe(6);
    expect(body.errors).toBe(3);
    expect(body.errorRate).toBeCloseTo(0.5, 12);
    const durations = RUNS.map((r) => r.ms);
    for (const [k, p] of [
      ["p50", 0.5],
      ["p90", 0.9],
      ["p95", 0.95],
      ["p99", 0.99],
    ] as const)
      expectNear(body.latency[k], percentile(durations, p));
    // Both LLM calls (o1's and o5's) take 1 ms.
    expect(body.models.map((m) => [m.model, m.calls])).toEqual([["gpt-4o-mini", 2]]);
    expectNear(body.models[0].p50, 1);
    expectNear(body.models[0].p99, 1);
    expect(body.agents.map((a) => [a.agent, a.executions, a.errors])).toEqual([
      ["support", 5, 3],
      ["other", 1, 0],
    ]);
    expect(body.tokens).toBe(1_002_000);
    expect(body.cost).toBeCloseTo((1_002_000 * 0.15) / 1e6, 12);
  });

  it("buckets by local day of the viewer's zone, empty buckets included", async () => {
    const { body } = await get(`${RANGE}&timezone=Asia/Kolkata&interval=day`);
    // The range starts at 23:30 local on the 9th: that day is a bucket of its own, empty.
    expect(body.series.map((s) => [s.bucket, s.executions, s.errors])).toEqual([
      ["2026-03-08T18:30:00.000Z", 0, 0],
      ["2026-03-09T18:30:00.000Z", 3, 2],
      ["2026-03-10T18:30:00.000Z", 3, 1],
    ]);
    expect(body.series[0].p50).toBeNull();
    expectNear(body.series[1].p50, 200);
    const hourly = await get(`${RANGE}&timezone=Asia/Kolkata&interval=hour`);
    // 26 hours from 23:30 local, in hours from the local hour boundary (23:00): 27 buckets.
    expect(hourly.body.series).toHaveLength(27);
    expect(hourly.body.series.reduce((n, s) => n + s.executions, 0)).toBe(6);
    expect(hourly.body.series[0].bucket).toBe("2026-03-09T17:30:00.000Z");
  });

  it("groups the top errors, and their link's filter finds exactly those executions", async () => {
    const { body } = await get(RANGE);
    expect(body.topErrors.map((e) => [e.name, e.message, e.count])).toEqual([
      ["PaymentError", "card declined", 2],
      ["PaymentError", "timeout", 1],
    ]);
    const res = await listGet(request(`${BASE}/executions?status=error&errorMessage=card%20declined`, { bearer: key }));
    const list = (await res.json()) as ExecutionList;
    expect(list.executions.map((e) => e.id).sort()).toEqual(["o2", "o3"]);
  });

  it("lists the slowest and the most expensive executions, and filters by agent", async () => {
    const { body } = await get(RANGE);
    expect(body.slowest.map((e) => e.id)).toEqual(["o5", "o4", "o3", "o2", "o1"]);
    expect(body.costliest.map((e) => e.id)).toEqual(["o1", "o5"]);
    const other = await get(`${RANGE}&agent=other`);
    expect(other.body.executions).toBe(1);
  });

  it("shows another workspace nothing, and refuses a zone Postgres does not know", async () => {
    expect((await get(RANGE, otherKey)).body.executions).toBe(0);
    const bad = await get(`${RANGE}&timezone=US/Pacific-New`);
    expect(bad.status).toBe(400);
    expect(bad.body.error!.details[0].path).toBe("timezone");
    const crossed = await get(`from=${iso(DAY2)}&to=${iso(DAY1)}`);
    expect(crossed.status).toBe(400);
    expect(crossed.body.error!.details[0].path).toBe("to");
  });
});
