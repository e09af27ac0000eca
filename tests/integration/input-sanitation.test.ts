import { beforeAll, describe, expect, it } from "vitest";
import { POST as postOtlp } from "@/app/api/otel/v1/traces/route";
import { POST as postCloudflare } from "@/app/api/v1/ingest/cloudflare/route";
import { POST as postOutput } from "@/app/api/v1/ingest/output/route";
import { GET as feed } from "@/app/api/v1/metrics/events/route";
import { GET as spanGet } from "@/app/api/v1/observability/executions/[id]/spans/[spanId]/route";
import { POST as postEvents } from "@/app/api/v1/runtime/v1/observability/events/route";
import { GET as detailsGet } from "@/app/api/v1/runtime/v1/observability/executions/[id]/details/route";
import { GET as listExecutions } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { GET as threadMessages } from "@/app/api/v1/runtime/v1/observability/threads/[threadId]/messages/route";
import { GET as listThreads } from "@/app/api/v1/runtime/v1/observability/threads/route";
import { POST as postTraces } from "@/app/api/v1/runtime/v1/observability/traces/route";
import { GET as reviewGet, PATCH as reviewPatch } from "@/app/api/v1/runtime/v1/reviews/[id]/route";
import { POST as createReview, GET as listReviews } from "@/app/api/v1/runtime/v1/reviews/route";
import { ctx, request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

/** The bad inputs of issue 17 that answered 500, one by one: each is a 4xx now, and nothing is written. */

const EXECUTIONS = "/api/v1/runtime/v1/observability/executions";
const nested = (depth: number, leaf = "1") => `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`;
const cursor = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString("base64url");

describe("input sanitation", () => {
  const app = withAppDb();
  let key = "";
  let reviewId = "";

  beforeAll(async () => {
    ({ apiKey: key } = await createKeyedWorkspace(app.db(), "Sanitation"));
    const traces = [
      {
        id: "root",
        executionId: "exec",
        type: "agent_execution",
        name: "run",
        agent: "bot",
        startedAt: "2026-01-01T00:00:00Z",
        threadId: "t1",
      },
      {
        id: "msg",
        executionId: "exec",
        parentId: "root",
        type: "conversation_message",
        name: "user",
        startedAt: "2026-01-01T00:00:01Z",
        message: JSON.parse('{"role":"user","content":"hi","metadata":{"__proto__":{"kept":true},"channel":"web"}}'),
      },
    ];
    expect(
      (await postTraces(request("/api/v1/runtime/v1/observability/traces", { body: { traces }, bearer: key }))).status,
    ).toBe(207);
    await app.drained();
    const review = await createReview(
      request("/api/v1/runtime/v1/reviews", {
        body: { executionId: "exec", agentId: "bot", rating: "bad", comment: "long enough comment" },
        bearer: key,
      }),
    );
    reviewId = (await review.json()).reviewId;
  });

  it("a path id with U+0000 or a lone surrogate answers exactly like a missing id", async () => {
    for (const bad of ["ex\u0000ec", "\ud800", "exec\udfff"]) {
      const missing = await detailsGet(
        request(`${EXECUTIONS}/missing/details`, { bearer: key }),
        ctx({ id: "missing" }),
      );
      const res = await detailsGet(request(`${EXECUTIONS}/x/details`, { bearer: key }), ctx({ id: bad }));
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual(await missing.json());
    }
    const span = await spanGet(request("/x", { bearer: key }), ctx({ id: "exec", spanId: "ro\u0000ot" }));
    expect((await span.json()).error.code).toBe("span_not_found");
    const thread = await threadMessages(request("/x", { bearer: key }), ctx({ threadId: "t\u00001" }));
    expect((await thread.json()).error.code).toBe("thread_not_found");
    const review = await reviewGet(request("/x", { bearer: key }), ctx({ id: "\ud83d" }));
    expect((await review.json()).error.code).toBe("review_not_found");
    // Credentials still come first, as for any id.
    expect((await detailsGet(request("/x"), ctx({ id: "\u0000" }))).status).toBe(401);
  });

  it("a query parameter with U+0000 is a 400 naming it", async () => {
    for (const [route, path] of [
      [listExecutions, `${EXECUTIONS}?agent=a%00b`],
      [listThreads, "/api/v1/runtime/v1/observability/threads?q=%00"],
      [listReviews, "/api/v1/runtime/v1/reviews?tag=x%00"],
      [feed, "/api/v1/metrics/events?agent=%00"],
    ] as const) {
      const res = await route(request(path, { bearer: key }));
      expect(res.status, path).toBe(400);
      expect((await res.json()).error.details[0].path).toBe(new URL(path, "http://x").searchParams.keys().next().value);
    }
  });

  it("dates outside the storable range are a 400 naming the parameter", async () => {
    for (const [route, param, value] of [
      [listExecutions, "from", "-271821-04-20T00:00:00.000Z"],
      [listExecutions, "to", "99999999999999999"],
      [listReviews, "dateFrom", "+275760-09-13T00:00:00.000Z"],
      [listReviews, "dateTo", "0000-01-01T00:00:00Z"],
    ] as const) {
      const base = route === listExecutions ? EXECUTIONS : "/api/v1/runtime/v1/reviews";
      const res = await route(request(`${base}?${param}=${encodeURIComponent(value)}`, { bearer: key }));
      expect(res.status, `${param}=${value}`).toBe(400);
      expect((await res.json()).error.details.map((d: { path: string }) => d.path)).toEqual([param]);
    }
  });

  it("a cursor decoding to a date Postgres rejects, or to U+0000, is a 400", async () => {
    for (const c of [cursor(["-271821-04-20T00:00:00.000Z", "x"]), cursor(["2026-01-01T00:00:00Z", "\u0000"])]) {
      const res = await listExecutions(request(`${EXECUTIONS}?cursor=${c}`, { bearer: key }));
      expect(res.status).toBe(400);
      expect((await res.json()).error.details[0].path).toBe("cursor");
    }
  });

  it("a lone surrogate in review tags is a 400 and the review is unchanged", async () => {
    const res = await reviewPatch(
      request(`/api/v1/runtime/v1/reviews/${reviewId}`, {
        method: "PATCH",
        body: '{"tags":["ok","\\ud800"]}',
        bearer: key,
      }),
      ctx({ id: reviewId }),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.details[0].path).toBe("tags[1]");
    expect((await app.db().prisma.review.findUniqueOrThrow({ where: { id: reviewId } })).tags).toEqual([]);
  });

  it("deep nesting is refused before parsing: an SDK input, a Cloudflare item, Output children", async () => {
    const before = await app.db().prisma.span.count();
    const sdk = `{"traces":[{"id":"deep","executionId":"deep","type":"agent_execution","name":"d","startedAt":0,"input":${nested(6000)}}]}`;
    const cloudflare = `[{"scriptName":"w","eventTimestamp":1767225600000,"outcome":"ok","logs":[{"message":${nested(5000)}}]}]`;
    let output = '{"id":"out","kind":"workflow","name":"w","startedAt":1767225600000}';
    for (let i = 0; i < 2000; i++)
      output = `{"id":"n${i}","kind":"step","name":"s","startedAt":1767225600000,"children":[${output}]}`;
    output = `{"id":"root","kind":"workflow","name":"w","startedAt":1767225600000,"children":[${output}]}`;
    for (const [route, path, body] of [
      [postTraces, "/api/v1/runtime/v1/observability/traces", sdk],
      [postCloudflare, "/api/v1/ingest/cloudflare", cloudflare],
      [postOutput, "/api/v1/ingest/output", output],
    ] as const) {
      const res = await route(request(path, { body, bearer: key }));
      expect(res.status, path).toBe(400);
      const { error } = await res.json();
      expect(error.code).toBe("too_deep");
      expect(error.message).toContain("128");
    }
    const otlp = await postOtlp(request("/api/otel/v1/traces", { body: nested(3000), bearer: key }));
    expect(otlp.status).toBe(400);
    expect((await otlp.json()).message).toContain("128");
    expect(await app.db().prisma.span.count()).toBe(before);
  });

  it("an OTLP/JSON parentSpanId of 7 bytes rejects its span instead of making it a root", async () => {
    const body = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "5b8efff798038103d269b633813fc60c",
                  spanId: "eee19b7ec3c1b174",
                  parentSpanId: "eee19b7ec3c1b1",
                  name: "child",
                  startTimeUnixNano: "1767225600000000000",
                  endTimeUnixNano: "1767225601000000000",
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await postOtlp(request("/api/otel/v1/traces", { body, bearer: key }));
    expect(res.status).toBe(200);
    const { partialSuccess } = await res.json();
    expect(partialSuccess.rejectedSpans).toBe("1");
    expect(partialSuccess.errorMessage).toMatch(/parentSpanId must be empty or 8 bytes/);
    expect(await app.db().prisma.span.count({ where: { id: "eee19b7ec3c1b174" } })).toBe(0);
  });

  it("__proto__ is stored as an ordinary key in event properties and message metadata", async () => {
    const events = JSON.parse(
      '[{"name":"proto_event","agent":"bot","properties":{"__proto__":{"x":1},"constructor":"c"}}]',
    );
    expect(
      (await postEvents(request("/api/v1/runtime/v1/observability/events", { body: { events }, bearer: key }))).status,
    ).toBe(207);
    await app.drained();
    const listed = await (await feed(request("/api/v1/metrics/events?agent=bot", { bearer: key }))).json();
    const properties = listed.events.find((e: { name: string }) => e.name === "proto_event").properties;
    expect(Object.keys(properties)).toEqual(["__proto__", "constructor"]);
    expect(JSON.stringify(properties)).toBe('{"__proto__":{"x":1},"constructor":"c"}');
    const messages = await (await threadMessages(request("/x", { bearer: key }), ctx({ threadId: "t1" }))).json();
    expect(Object.keys(messages.messages[0].metadata).sort()).toEqual(["__proto__", "channel"]);
  });
});
