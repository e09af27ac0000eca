import { beforeAll, describe, expect, it } from "vitest";
import { POST as postCloudflare } from "@/app/api/v1/ingest/cloudflare/route";
import { GET as getDetails } from "@/app/api/v1/runtime/v1/observability/executions/[id]/details/route";
import { GET as listExecutions } from "@/app/api/v1/runtime/v1/observability/executions/route";
import type { CloudflareTraceItemInput } from "@/lib/contracts/cloudflare";
import type { Execution, Span } from "@/lib/contracts/executions";
import { ctx, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

/** The Cloudflare ingest route on a real database (and queue, with REDIS_URL), called directly. */

const PATH = "/api/v1/ingest/cloudflare";
const T = Date.parse("2026-03-01T10:00:00.000Z");

function item(over: Partial<CloudflareTraceItemInput> = {}): CloudflareTraceItemInput {
  return {
    wallTime: 12,
    cpuTime: 3,
    truncated: false,
    executionModel: "stateless",
    outcome: "ok",
    scriptName: "billing-api",
    diagnosticsChannelEvents: [],
    exceptions: [],
    logs: [{ message: ["charged", { amount: 10, password: "hunter2" }], level: "info", timestamp: T }],
    eventTimestamp: T,
    event: {
      request: {
        url: "https://api.example.com/charge",
        method: "POST",
        headers: { accept: "*/*" },
        cf: { colo: "GRU" },
      },
      response: { status: 201 },
    },
    ...over,
  };
}

describe("POST /api/v1/ingest/cloudflare", () => {
  const app = withAppDb();
  let key = "";
  let workspaceId = "";
  let otherKey = "";
  let otherWorkspaceId = "";

  const send = async (body: unknown, init: { bearer?: string; headers?: Record<string, string> } = {}) => {
    const res = await postCloudflare(request(PATH, { body, bearer: init.bearer ?? key, headers: init.headers }));
    await app.drained();
    return res;
  };
  const counts = async (ws = workspaceId) => ({
    spans: await app.db().prisma.span.count({ where: { workspaceId: ws } }),
    executions: await app.db().prisma.execution.count({ where: { workspaceId: ws } }),
  });
  const details = async (id: string, bearer = key) => {
    const res = await getDetails(
      request(`/api/v1/runtime/v1/observability/executions/${id}/details`, { bearer }),
      ctx({ id }),
    );
    return { status: res.status, body: (await res.json()) as { execution: Execution; traces: Span[] } };
  };

  beforeAll(async () => {
    ({ apiKey: key, workspaceId } = await createKeyedWorkspace(app.db(), "Cloudflare"));
    ({ apiKey: otherKey, workspaceId: otherWorkspaceId } = await createKeyedWorkspace(app.db(), "Other"));
    await app.db().prisma.workspace.update({ where: { id: workspaceId }, data: { redactionKeys: ["password"] } });
  });

  it("stores one execution per TraceItem, readable through the read API with source cloudflare", async () => {
    const res = await send([item(), item({ outcome: "exceededCpu", eventTimestamp: T + 1000, logs: [] })]);
    expect(res.status).toBe(207);
    const body = await res.json();
    expect(body).toMatchObject({ accepted: 2, rejected: 0 });
    const [okId, cpuId] = body.results.map((r: { id: string }) => r.id);
    expect(okId).toMatch(/^cf_/);

    const ok = await details(okId);
    expect(ok.status).toBe(200);
    expect(ok.body.execution).toMatchObject({
      agent: "billing-api",
      name: "POST /charge",
      status: "success",
      source: "cloudflare",
      spanCount: 3,
      durationMs: 12,
      input: { method: "POST", url: "https://api.example.com/charge" },
      output: { status: 201 },
    });
    const http = ok.body.traces.find((s) => s.type === "http_call")!;
    expect(http).toMatchObject({ http: { method: "POST", url: "https://api.example.com/charge", statusCode: 201 } });
    const log = ok.body.traces.find((s) => s.type === "log")!;
    // Workspace redaction keys apply on top of Cloudflare's rules.
    expect(log.input).toEqual(["charged", { amount: 10, password: "[REDACTED]" }]);

    const cpu = await details(cpuId);
    expect(cpu.body.execution).toMatchObject({ status: "error", error: { name: "exceededCpu" } });

    const list = await listExecutions(
      request("/api/v1/runtime/v1/observability/executions?source=cloudflare&status=error", { bearer: key }),
    );
    const { executions } = (await list.json()) as { executions: Execution[] };
    expect(executions.map((e) => e.id)).toEqual([cpuId]);
  });

  it("a resent body changes no count and no stored value", async () => {
    const body = [item({ eventTimestamp: T + 5000 }), item({ eventTimestamp: T + 6000, outcome: "canceled" })];
    const first = await (await send(body)).json();
    const before = await counts();
    const stored = await details(first.results[1].id);
    expect(stored.body.execution.status).toBe("cancelled");
    const again = await (await send(JSON.parse(JSON.stringify(body)))).json();
    expect(again.results.map((r: { id: string }) => r.id)).toEqual(first.results.map((r: { id: string }) => r.id));
    expect(await counts()).toEqual(before);
    const after = await details(first.results[1].id);
    expect(after.body.execution).toEqual(stored.body.execution);
  });

  it("stores a raw (getUnredacted) request redacted with Cloudflare's rules", async () => {
    const hex = "0123456789abcdef0123456789abcdef0123456789abcdef";
    const uuid = "550e8400-e29b-41d4-a716-446655440000";
    const res = await send([
      item({
        eventTimestamp: T + 7000,
        event: {
          request: {
            url: `https://api.example.com/users/${hex}?id=${uuid}&q=plain`,
            method: "GET",
            headers: { authorization: "Bearer sk-live-1", cookie: "sid=s3", "x-api-key": "k-9", "x-custom": "v" },
          },
          response: { status: 200 },
        },
      }),
    ]);
    const id = (await res.json()).results[0].id;
    const { body } = await details(id);
    const text = JSON.stringify(body);
    for (const secret of [hex, uuid, "sk-live-1", "sid=s3", "k-9"]) expect(text).not.toContain(secret);
    const http = body.traces.find((s) => s.type === "http_call")!;
    expect(http.http?.url).toBe("https://api.example.com/users/REDACTED?id=REDACTED&q=plain");
    expect((http.input as { headers: unknown }).headers).toEqual({
      authorization: "REDACTED",
      cookie: "REDACTED",
      "x-api-key": "REDACTED",
      "x-custom": "v",
    });
  });

  it("stores a 300 KB log through the shared truncation, with its marker", async () => {
    const res = await send([
      item({ eventTimestamp: T + 8000, logs: [{ message: ["x".repeat(300_000)], level: "log", timestamp: T + 8000 }] }),
    ]);
    expect((await res.json()).accepted).toBe(1);
    const executionId = (
      await app.db().prisma.execution.findFirstOrThrow({
        where: { workspaceId, startedAt: new Date(T + 8000) },
      })
    ).id;
    const span = await app.db().prisma.span.findFirstOrThrow({ where: { workspaceId, id: `${executionId}.log.0` } });
    expect(span.input).toMatchObject({ __runlens_truncated: true, originalSize: 300_004 });
  });

  it("names the bad field of an invalid item and writes nothing of it", async () => {
    const before = await counts();
    const res = await send([item({ eventTimestamp: T + 9000 }), { scriptName: "x", event: null }]);
    expect(res.status).toBe(207);
    const body = await res.json();
    expect(body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(body.results[1]).toMatchObject({ id: null, status: 400, error: { code: "validation_error" } });
    expect(body.results[1].error.details[0].path).toBe("outcome");
    const after = await counts();
    expect(after.executions).toBe(before.executions + 1);
  });

  it("refuses a body that is not an array, too many items, no key and a body over 5 MB", async () => {
    const before = await counts();
    const notArray = await send({ traces: [item()] });
    expect(notArray.status).toBe(400);
    expect((await notArray.json()).error.details[0].path).toBe("(root)");
    const tooMany = await send(Array.from({ length: 1001 }, () => ({ outcome: "ok" })));
    expect(tooMany.status).toBe(400);
    const anon = await postCloudflare(request(PATH, { body: [item()] }));
    expect(anon.status).toBe(401);
    const wrong = await send([item()], { bearer: "rl_nope" });
    expect(wrong.status).toBe(401);
    const huge = await send([item({ logs: [{ message: ["z".repeat(5_300_000)], level: "log", timestamp: T }] })]);
    expect(huge.status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it("accepts the key as x-runlens-api-key, and one workspace never sees another's executions", async () => {
    const res = await postCloudflare(
      request(PATH, { body: [item({ eventTimestamp: T + 10_000 })], headers: { "x-runlens-api-key": otherKey } }),
    );
    await app.drained();
    expect(res.status).toBe(207);
    const id = (await res.json()).results[0].id;
    expect((await counts(otherWorkspaceId)).executions).toBe(1);
    expect((await details(id, otherKey)).status).toBe(200);
    expect((await details(id, key)).status).toBe(404);
  });
});
