import { beforeAll, describe, expect, it } from "vitest";
import { GET as outlineGet } from "@/app/api/v1/observability/executions/[id]/outline/route";
import { GET as portalGet } from "@/app/api/v1/observability/executions/[id]/route";
import { GET as spanGet } from "@/app/api/v1/observability/executions/[id]/spans/[spanId]/route";
import { GET as detailsGet } from "@/app/api/v1/runtime/v1/observability/executions/[id]/details/route";
import { GET as listGet } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { getExecutionForPortal } from "@/lib/traces/details";
import { ctx, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

const T0 = Date.parse("2026-04-01T08:00:00.000Z");
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const BASE = "/api/v1/runtime/v1/observability/executions";

/** A tree of `n` spans: root, then children and grandchildren in shuffled send order. */
function tree(executionId: string, n: number) {
  const spans = [
    {
      id: `${executionId}-0`,
      executionId,
      parentId: null as string | null,
      type: "workflow_execution",
      name: "root",
      startedAt: iso(0),
      endedAt: iso(n * 10),
    },
  ];
  for (let i = 1; i < n; i++) {
    const parent = i < 10 ? 0 : i % 10;
    spans.push({
      id: `${executionId}-${i}`,
      executionId,
      parentId: `${executionId}-${parent}`,
      type: "workflow_step",
      name: `step ${i}`,
      startedAt: iso(i),
      endedAt: iso(i + 5),
    });
  }
  return spans.sort(
    (a, b) =>
      ((a.id.length * 7 + a.id.charCodeAt(a.id.length - 1)) % 13) -
      ((b.id.length * 7 + b.id.charCodeAt(b.id.length - 1)) % 13),
  );
}

describe("reading executions", () => {
  const app = withAppDb();
  let key = "";
  let otherKey = "";

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "Reader"));
    ({ apiKey: otherKey } = await createKeyedWorkspace(app.db(), "Other"));
    const spans = tree("big", 1234);
    for (let i = 0; i < spans.length; i += 500) {
      const res = await postTraces(
        request("/api/v1/runtime/v1/observability/traces", { body: { traces: spans.slice(i, i + 500) }, bearer: key }),
      );
      expect(res.status).toBe(207);
    }
    const small = [
      {
        id: "a1",
        executionId: "alpha",
        type: "agent_execution",
        name: "refund request",
        agent: "billing",
        status: "error",
        startedAt: iso(100_000),
        endedAt: iso(100_500),
        threadId: "t-9",
        input: { text: "I want my money back" },
        error: { message: "card declined" },
      },
      {
        id: "b1",
        executionId: "beta",
        type: "agent_execution",
        name: "greeting",
        agent: "support",
        startedAt: iso(200_000),
        endedAt: iso(200_100),
        sessionId: "s-1",
        companyId: "c-1",
        output: "Olá!",
      },
    ];
    await postTraces(request("/api/v1/runtime/v1/observability/traces", { body: { traces: small }, bearer: key }));
    await app.drained();
  });

  const details = (id: string, qs: string, bearer = key) =>
    detailsGet(request(`${BASE}/${id}/details${qs}`, { bearer }), ctx({ id }));

  it("pages every span exactly once, in depth-first order", async () => {
    const seen: { id: string; parentId: string | null; depth: number }[] = [];
    let offset = 0;
    for (;;) {
      const res = await details("big", `?offset=${offset}&limit=300`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.tracesTotal).toBe(1234);
      expect(body.tracesOffset).toBe(offset);
      seen.push(...body.traces);
      offset += body.traces.length;
      if (!body.tracesHasMore) break;
    }
    expect(seen).toHaveLength(1234);
    expect(new Set(seen.map((s) => s.id)).size).toBe(1234);
    // Depth-first: each span's parent appears before it, and depth is the parent's + 1.
    const index = new Map(seen.map((s, i) => [s.id, i]));
    for (const s of seen) {
      if (!s.parentId) continue;
      expect(index.get(s.parentId)!).toBeLessThan(index.get(s.id)!);
      expect(s.depth).toBe(seen[index.get(s.parentId)!].depth + 1);
    }
    // Subtrees are contiguous: step 1's children directly follow it.
    const i1 = index.get("big-1")!;
    expect(seen[i1 + 1].parentId).toBe("big-1");
  });

  it("uses 500 by default and refuses more than 1,000 a page", async () => {
    expect((await (await details("big", "")).json()).traces).toHaveLength(500);
    const res = await details("big", "?limit=1001");
    expect(res.status).toBe(400);
    expect((await res.json()).error.details[0].path).toBe("limit");
  });

  it("returns each trace with its fields", async () => {
    const body = await (await details("alpha", "")).json();
    expect(body.execution).toMatchObject({
      id: "alpha",
      agent: "billing",
      status: "error",
      threadId: "t-9",
      spanCount: 1,
      source: "sdk",
    });
    expect(body.traces[0]).toMatchObject({
      id: "a1",
      depth: 0,
      parentId: null,
      type: "agent_execution",
      error: { message: "card declined" },
      durationMs: 500,
    });
  });

  it("answers 404 for an unknown execution and for another workspace's", async () => {
    expect((await details("nope", "")).status).toBe(404);
    const foreign = await details("alpha", "", otherKey);
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).error.code).toBe("execution_not_found");
    expect(
      (await portalGet(request("/api/v1/observability/executions/alpha", { bearer: otherKey }), ctx({ id: "alpha" })))
        .status,
    ).toBe(404);
  });

  it("the portal read returns all spans up to its cap and says when it truncated", async () => {
    const res = await portalGet(request("/api/v1/observability/executions/big", { bearer: key }), ctx({ id: "big" }));
    const body = await res.json();
    expect(body.traces).toHaveLength(1234);
    expect(body.truncated).toBe(false);
    const ws = await app.db().prisma.workspace.findFirstOrThrow({ where: { name: "Reader" } });
    const capped = await getExecutionForPortal(app.db(), ws.id, "big", 100);
    expect(capped.traces).toHaveLength(100);
    expect(capped.truncated).toBe(true);
  });

  it("lists newest first with filters and a cursor", async () => {
    const list = async (qs: string) =>
      (await (await listGet(request(`${BASE}${qs}`, { bearer: key }))).json()).executions.map(
        (e: { id: string }) => e.id,
      );
    expect(await list("")).toEqual(["beta", "alpha", "big"]);
    expect(await list("?status=error")).toEqual(["alpha"]);
    expect(await list("?agent=support")).toEqual(["beta"]);
    expect(await list("?threadId=t-9")).toEqual(["alpha"]);
    expect(await list("?sessionId=s-1&companyId=c-1")).toEqual(["beta"]);
    expect(await list(`?from=${encodeURIComponent(iso(150_000))}`)).toEqual(["beta"]);
    expect(await list(`?to=${T0 + 150_000}`)).toEqual(["alpha", "big"]);
    expect(await list("?q=REFUND")).toEqual(["alpha"]);
    expect(await list("?q=money")).toEqual(["alpha"]);
    const first = await (await listGet(request(`${BASE}?limit=2`, { bearer: key }))).json();
    expect(first.executions.map((e: { id: string }) => e.id)).toEqual(["beta", "alpha"]);
    const second = await (await listGet(request(`${BASE}?limit=2&cursor=${first.nextCursor}`, { bearer: key }))).json();
    expect(second.executions.map((e: { id: string }) => e.id)).toEqual(["big"]);
    expect(second.nextCursor).toBeNull();
    expect(await (await listGet(request(BASE, { bearer: otherKey }))).json()).toEqual({
      executions: [],
      nextCursor: null,
    });
  });

  it("the explorer's outline pages narrow spans depth-first; a span's payload loads alone", async () => {
    const outline = (qs: string, bearer = key) =>
      outlineGet(request(`/api/v1/observability/executions/big/outline${qs}`, { bearer }), ctx({ id: "big" }));
    const first = await (await outline("?limit=1000")).json();
    const rest = await (await outline("?offset=1000&limit=1000")).json();
    expect([first.total, first.hasMore, rest.hasMore]).toEqual([1234, true, false]);
    const all = [...first.spans, ...rest.spans];
    const viaDetails: string[] = [];
    for (let offset = 0; offset < 1234; offset += 1000) {
      viaDetails.push(
        ...(await (await details("big", `?offset=${offset}&limit=1000`)).json()).traces.map(
          (t: { id: string }) => t.id,
        ),
      );
    }
    expect(all.map((s: { id: string }) => s.id)).toEqual(viaDetails);
    expect(Object.keys(first.spans[0]).sort()).toEqual([
      "depth",
      "endedAt",
      "httpStatus",
      "id",
      "llmModel",
      "name",
      "parentId",
      "startedAt",
      "status",
      "stepType",
      "tokensTotal",
      "type",
    ]);
    expect((await outline("?limit=20001")).status).toBe(400);
    expect((await outline("", otherKey)).status).toBe(404);

    const one = await spanGet(
      request("/api/v1/observability/executions/alpha/spans/a1", { bearer: key }),
      ctx({ id: "alpha", spanId: "a1" }),
    );
    expect((await one.json()).span).toMatchObject({
      id: "a1",
      input: { text: "I want my money back" },
      error: { message: "card declined" },
    });
    const foreign = await spanGet(
      request("/api/v1/observability/executions/alpha/spans/a1", { bearer: otherKey }),
      ctx({ id: "alpha", spanId: "a1" }),
    );
    expect(foreign.status).toBe(404);
  });
});
