import { beforeAll, describe, expect, it } from "vitest";
import { POST as postOtlp } from "@/app/api/otel/v1/traces/route";
import { GET as detailsGet } from "@/app/api/v1/runtime/v1/observability/executions/[id]/details/route";
import { GET as listGet } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { GET as threadsGet } from "@/app/api/v1/runtime/v1/observability/threads/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { POST as recomputePost } from "@/app/api/v1/settings/models/recompute/route";
import { GET as modelsGet, PUT as modelsPut } from "@/app/api/v1/settings/models/route";
import type { Execution, Span } from "@/lib/contracts/executions";
import type { ModelPricesResponse } from "@/lib/contracts/models";
import { ctx, drained, ORIGIN, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

const BASE = "/api/v1/runtime/v1/observability";
const at = (s: number) => new Date(Date.parse("2026-03-02T10:00:00.000Z") + s * 1000).toISOString();
const perMillion = (tokens: number, usd: number) => (tokens * usd) / 1_000_000;

function llm(id: string, executionId: string, model: string, input: number, output: number, extra = {}) {
  return {
    id,
    executionId,
    parentId: `${executionId}-root`,
    type: "llm_call",
    name: model,
    startedAt: at(1),
    endedAt: at(2),
    llm: { model, usage: { inputTokens: input, outputTokens: output }, ...extra },
  };
}

function execution(id: string, thread: string, calls: object[]) {
  return [
    {
      id: `${id}-root`,
      executionId: id,
      type: "agent_execution",
      name: "answer",
      agent: "support",
      threadId: thread,
      startedAt: at(0),
      endedAt: at(3),
    },
    ...calls,
  ];
}

describe("LLM cost", () => {
  const app = withAppDb();
  let key = "";

  const send = async (traces: object[]) => {
    const res = await postTraces(request(`${BASE}/traces`, { body: { traces }, bearer: key }));
    expect(res.status).toBe(207);
    expect((await res.json()).rejected).toBe(0);
    await drained();
  };
  const details = async (id: string) => {
    const res = await detailsGet(request(`${BASE}/executions/${id}/details`, { bearer: key }), ctx({ id }));
    expect(res.status).toBe(200);
    return (await res.json()) as { execution: Execution; traces: Span[] };
  };
  const models = async () =>
    (await (await modelsGet(request("/api/v1/settings/models", { bearer: key }))).json()) as ModelPricesResponse;

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "Costs"));
    await send([
      ...execution("e1", "t1", [
        llm("e1-a", "e1", "gpt-4o-mini-2024-07-18", 1000, 500),
        llm("e1-b", "e1", "claude-3-5-sonnet-20241022", 2000, 100, { cost: 0.5 }),
        llm("e1-c", "e1", "my-finetune", 300, 30),
      ]),
      ...execution("e2", "t1", [llm("e2-a", "e2", "gpt-4o", 4000, 1000)]),
    ]);
  });

  it("prices each call from the built-in table when it is stored, and keeps a client-sent cost", async () => {
    const { execution: e, traces } = await details("e1");
    const byId = new Map(traces.map((s) => [s.id, s]));
    const mini = byId.get("e1-a")!.llm!;
    expect(mini.cost).toBeCloseTo(perMillion(1000, 0.15) + perMillion(500, 0.6), 12);
    expect(mini.price).toMatchObject({ model: "gpt-4o-mini*", input: 0.15, output: 0.6 });
    // The client's own figure wins, and no table price is shown for it.
    expect(byId.get("e1-b")!.llm!.cost).toBe(0.5);
    expect(byId.get("e1-b")!.llm!.price).toBeUndefined();
    // A model the table does not know has no cost.
    expect(byId.get("e1-c")!.llm!.cost ?? null).toBeNull();
    // The execution's cost is the sum of its calls'; its time in model calls, their durations.
    expect(e.cost).toBeCloseTo(mini.cost! + 0.5, 12);
    expect(e.llmDurationMs).toBe(3000);
  });

  it("rolls costs up to the executions list and to threads", async () => {
    const list = await (await listGet(request(`${BASE}/executions?threadId=t1`, { bearer: key }))).json();
    const costs = Object.fromEntries(list.executions.map((e: Execution) => [e.id, e.cost]));
    expect(costs.e2).toBeCloseTo(perMillion(4000, 2.5) + perMillion(1000, 10), 12);
    const threads = await (await threadsGet(request(`${BASE}/threads`, { bearer: key }))).json();
    const t1 = threads.threads.find((t: { threadId: string }) => t.threadId === "t1");
    expect(t1.cost).toBeCloseTo(costs.e1 + costs.e2, 12);
  });

  it("lists models no price matches", async () => {
    const m = await models();
    expect(m.custom).toBe(false);
    expect(m.unpriced).toEqual([expect.objectContaining({ model: "my-finetune", calls: 1 })]);
  });

  it("a price edit applies to new calls at once, to stored ones after a recompute, and never to calls before its date", async () => {
    const prices = [
      ...(await models()).defaults,
      { model: "my-finetune", input: 10, output: 20 },
      // A new gpt-4o price from a day after the stored calls: they keep the old one.
      { model: "gpt-4o*", input: 100, output: 100, startsAt: "2026-03-03" },
      // gpt-4o-mini doubles from before the calls: a recompute changes them.
      { model: "gpt-4o-mini*", input: 0.3, output: 1.2, startsAt: "2026-01-01" },
    ];
    const put = await modelsPut(request("/api/v1/settings/models", { method: "PUT", body: { prices }, bearer: key }));
    expect(put.status).toBe(200);
    expect(((await put.json()) as ModelPricesResponse).custom).toBe(true);
    const before = (await details("e1")).execution.cost!;

    const res = await recomputePost(request("/api/v1/settings/models/recompute", { method: "POST", bearer: key }));
    expect(res.status).toBe(202);
    for (let i = 0; (await models()).recompute.state !== "done"; i++) {
      expect(i, "recompute did not finish").toBeLessThan(400);
      expect((await models()).recompute.state).not.toBe("failed");
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await models()).recompute.spans).toBe(2);
    const { execution: e1, traces } = await details("e1");
    const mini = perMillion(1000, 0.3) + perMillion(500, 1.2);
    const finetune = perMillion(300, 10) + perMillion(30, 20);
    expect(traces.find((s) => s.id === "e1-a")!.llm!.cost).toBeCloseTo(mini, 12);
    expect(e1.cost).toBeCloseTo(mini + 0.5 + finetune, 12);
    expect(e1.cost).not.toBeCloseTo(before, 12);
    // The price dated after the calls did not apply.
    expect((await details("e2")).execution.cost).toBeCloseTo(perMillion(4000, 2.5) + perMillion(1000, 10), 12);
    expect((await models()).unpriced).toEqual([]);

    // New calls are priced with the edited table, by their own day.
    await send(
      execution("e3", "t2", [
        { ...llm("e3-a", "e3", "gpt-4o", 1000, 1000), startedAt: at(86_400), endedAt: at(86_401) },
      ]),
    );
    expect((await details("e3")).execution.cost).toBeCloseTo(perMillion(2000, 100), 12);
  });

  it("refuses a price table it cannot use, naming the field", async () => {
    const res = await modelsPut(
      request("/api/v1/settings/models", {
        method: "PUT",
        body: { prices: [{ model: "gpt 4", input: -1, output: 1 }] },
        bearer: key,
      }),
    );
    expect(res.status).toBe(400);
    const paths = (await res.json()).error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["prices[0].model", "prices[0].input"]));
  });

  it("goes back to the built-in table", async () => {
    const res = await modelsPut(
      request("/api/v1/settings/models", { method: "PUT", body: { prices: null }, bearer: key }),
    );
    expect(((await res.json()) as ModelPricesResponse).custom).toBe(false);
  });

  it("OpenTelemetry: a GenAI span's gen_ai.usage.cost is kept as sent, another is priced by its model", async () => {
    const at = (ms: number) => `${BigInt(Date.parse("2026-03-02T10:00:00.000Z") + ms) * 1_000_000n}`;
    const attr = (key: string, v: string | number) => ({
      key,
      value:
        typeof v === "number"
          ? Number.isInteger(v)
            ? { intValue: String(v) }
            : { doubleValue: v }
          : { stringValue: v },
    });
    const chat = (id: string, extra: object[]) => ({
      traceId: "c".repeat(32),
      spanId: id,
      parentSpanId: "",
      name: "chat",
      kind: 3,
      startTimeUnixNano: at(0),
      endTimeUnixNano: at(500),
      attributes: [
        attr("gen_ai.operation.name", "chat"),
        attr("gen_ai.request.model", "gpt-4o-mini"),
        attr("gen_ai.usage.input_tokens", 1000),
        attr("gen_ai.usage.output_tokens", 1000),
        ...extra,
      ],
    });
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [attr("service.name", "otel-costs")] },
          scopeSpans: [{ spans: [chat("d".repeat(16), [attr("gen_ai.usage.cost", 0.25)]), chat("e".repeat(16), [])] }],
        },
      ],
    };
    const res = await postOtlp(
      new Request(`${ORIGIN}/api/otel/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      }),
    );
    expect(res.status).toBe(200);
    await drained();
    const { execution, traces } = await details("c".repeat(32));
    const byId = new Map(traces.map((s) => [s.id, s.llm?.cost]));
    expect(byId.get("d".repeat(16))).toBe(0.25);
    const priced = perMillion(1000, 0.15) + perMillion(1000, 0.6);
    expect(byId.get("e".repeat(16))).toBeCloseTo(priced, 12);
    expect(execution.cost).toBeCloseTo(0.25 + priced, 12);
  });
});
