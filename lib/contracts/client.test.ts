import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { API_ENDPOINTS, ApiClientError, createApiClient, endpointPath, queryString, splitEndpoint } from "./client.ts";

/**
 * The API client against a real HTTP server on a free port: what the server receives is what the
 * client put on the wire (the raw request line, headers, body), and it answers what each case sets.
 */

type Seen = { method: string; url: string; headers: IncomingMessage["headers"]; body: string };
type Answer = { status: number; body?: string; headers?: Record<string, string> };

let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let answer: Answer = { status: 200, body: "{}" };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  answer = { status: 200, body: "{}" };
});

const client = (validate = false) =>
  createApiClient({
    baseUrl: `${baseUrl}/`,
    fetch: globalThis.fetch,
    headers: { authorization: "Bearer k" },
    validate,
  });

const REVIEW = {
  id: "r1",
  executionId: "e1",
  agentId: "a1",
  agent: "agent",
  rating: "good",
  comment: "",
  priority: "medium",
  tags: [],
  status: "open",
  actionTaken: null,
  resolutionNotes: null,
  correctedOutput: null,
  reviewedBy: "key",
  assigneeId: null,
  resolvedBy: null,
  resolvedAt: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

describe("URLs", () => {
  it("encodes each path id as one segment, whatever it holds", async () => {
    answer = { status: 204 };
    const odd = "a/b?c#d %e&f=g+h\u00e9\u{1F600}";
    await client().request("DELETE /api/v1/runtime/v1/reviews/[id]", { params: { id: odd } });
    expect(seen[0].method).toBe("DELETE");
    expect(seen[0].url).toBe(`/api/v1/runtime/v1/reviews/${encodeURIComponent(odd)}`);
    expect(seen[0].url).toBe("/api/v1/runtime/v1/reviews/a%2Fb%3Fc%23d%20%25e%26f%3Dg%2Bh%C3%A9%F0%9F%98%80");
    expect(endpointPath("/api/v1/observability/executions/[id]/spans/[spanId]", { id: "e 1", spanId: "s/2" })).toBe(
      "/api/v1/observability/executions/e%201/spans/s%2F2",
    );
  });

  it("refuses a path id it cannot address (empty, . or ..) before sending anything", async () => {
    for (const id of ["", ".", ".."]) {
      const failure = await client()
        .request("GET /api/v1/runtime/v1/reviews/[id]", { params: { id } })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ApiClientError);
      expect(failure).toMatchObject({ status: 0, code: "invalid_request", field: "id" });
    }
    expect(seen).toEqual([]);
  });

  it("builds the query from the schema's input: numbers, enums, Dates as ISO-8601, no undefined or null", async () => {
    answer = { status: 200, body: JSON.stringify({ data: [], nextCursor: null }) };
    await client().request("GET /api/v1/runtime/v1/reviews", {
      query: {
        agentId: "a&b=c d+e",
        status: "open",
        limit: 20,
        dateFrom: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
        dateTo: undefined,
        priority: null,
      },
    });
    const url = new URL(seen[0].url, baseUrl);
    expect(url.pathname).toBe("/api/v1/runtime/v1/reviews");
    expect([...url.searchParams]).toEqual([
      ["agentId", "a&b=c d+e"],
      ["status", "open"],
      ["limit", "20"],
      ["dateFrom", "2026-01-02T03:04:05.006Z"],
    ]);
    expect(queryString({})).toBe("");
    expect(queryString({ a: undefined })).toBe("");
    expect(
      queryString(
        new URLSearchParams([
          ["x", "1"],
          ["x", "2"],
        ]),
      ),
    ).toBe("?x=1&x=2");
  });
});

describe("requests", () => {
  it("sends JSON with its content type and the client's headers; none without a body", async () => {
    answer = { status: 201, body: JSON.stringify({ id: "r1", executionId: "e1" }) };
    const created = await client().request("POST /api/v1/runtime/v1/reviews", {
      body: { executionId: "e1", agentId: "a1", rating: "bad", comment: "" },
    });
    expect(created).toEqual({ id: "r1", executionId: "e1" });
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "/api/v1/runtime/v1/reviews",
      body: '{"executionId":"e1","agentId":"a1","rating":"bad","comment":""}',
    });
    expect(seen[0].headers).toMatchObject({ "content-type": "application/json", authorization: "Bearer k" });

    answer = { status: 200, body: JSON.stringify(REVIEW) };
    await client().request("GET /api/v1/runtime/v1/reviews/[id]", { params: { id: "r1" } });
    expect(seen[1].headers["content-type"]).toBeUndefined();
    expect(seen[1].headers.authorization).toBe("Bearer k");
  });

  it("sends a raw body as it is, with the caller's headers, and reads the status of the answer", async () => {
    answer = { status: 201, body: JSON.stringify({ executionId: "x", spans: 1 }) };
    const { status, data } = await client().call("POST /api/v1/ingest/output", {
      query: { workflowId: "wf 1" },
      body: new TextEncoder().encode('{"id":"n"}'),
      headers: { "content-type": "application/json", "x-output-file-name": "f.json" },
    });
    expect(status).toBe(201);
    expect(data).toEqual({ executionId: "x", spans: 1 });
    expect(seen[0]).toMatchObject({ url: "/api/v1/ingest/output?workflowId=wf+1", body: '{"id":"n"}' });
    expect(seen[0].headers["x-output-file-name"]).toBe("f.json");
  });

  it("answers undefined for a 204", async () => {
    answer = { status: 204 };
    expect(await client().request("DELETE /api/v1/members/[userId]", { params: { userId: "u" } })).toBeUndefined();
  });

  it("prepares a request without sending it (the SDK's transport sends its own)", () => {
    const { url, init } = client().prepare("POST /api/v1/runtime/v1/observability/traces", { body: { traces: [] } });
    expect(url).toBe(`${baseUrl}/api/v1/runtime/v1/observability/traces`);
    expect(init).toEqual({
      method: "POST",
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      body: '{"traces":[]}',
    });
    expect(seen).toEqual([]);
  });
});

describe("errors", () => {
  it("turns the API's error body into one typed error: status, code, message, field", async () => {
    const body = {
      error: {
        code: "validation_error",
        message: "Invalid request body.",
        details: [{ path: "rating", message: "Invalid option" }],
      },
    };
    answer = { status: 400, body: JSON.stringify(body) };
    const failure = await client()
      .request("PATCH /api/v1/runtime/v1/reviews/[id]", { params: { id: "r1" }, body: { rating: "good" } })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiClientError);
    const e = failure as ApiClientError;
    expect([e.status, e.code, e.message, e.field, e.fieldError("rating"), e.fromApi]).toEqual([
      400,
      "validation_error",
      "Invalid request body.",
      "rating",
      "Invalid option",
      true,
    ]);
    expect(e.body).toEqual(body);
  });

  it("maps any other error answer (text, HTML, a foreign JSON) to http_<status>, keeping the body", async () => {
    for (const [status, text, body] of [
      [502, "<html>Bad gateway</html>", "<html>Bad gateway</html>"],
      [503, "", undefined],
      [429, '{"message":"slow down"}', { message: "slow down" }],
    ] as const) {
      answer = { status, body: text };
      const e = (await client()
        .request("GET /api/v1/agents")
        .catch((x: unknown) => x)) as ApiClientError;
      expect(e).toBeInstanceOf(ApiClientError);
      expect([e.status, e.code, e.message, e.fromApi, e.details]).toEqual([
        status,
        `http_${status}`,
        `Request failed (${status}).`,
        false,
        [],
      ]);
      expect(e.body).toEqual(body);
    }
  });

  it("fetch() hands back the unread answer of a success, and throws the same error on a failure", async () => {
    answer = { status: 200, body: '{"a":1}\n', headers: { "content-type": "application/x-ndjson" } };
    const res = await client().fetch("GET /api/v1/runtime/v1/reviews/export", { query: { format: "jsonl" } });
    expect(await res.text()).toBe('{"a":1}\n');
    expect(seen[0].url).toBe("/api/v1/runtime/v1/reviews/export?format=jsonl");
    answer = { status: 403, body: JSON.stringify({ error: { code: "forbidden", message: "No." } }) };
    await expect(client().fetch("GET /api/v1/runtime/v1/reviews/export")).rejects.toMatchObject({
      status: 403,
      code: "forbidden",
    });
  });
});

describe("response validation", () => {
  it("off: the JSON is returned as it came, even when it breaks the contract", async () => {
    answer = { status: 200, body: JSON.stringify({ ...REVIEW, status: "lost", extra: 1 }) };
    const review = await client(false).request("GET /api/v1/runtime/v1/reviews/[id]", { params: { id: "r1" } });
    expect(review).toMatchObject({ status: "lost", extra: 1 });
  });

  it("on: a mismatch throws invalid_response naming the fields; a match returns the JSON unchanged", async () => {
    answer = { status: 200, body: JSON.stringify({ ...REVIEW, status: "lost" }) };
    const e = (await client(true)
      .request("GET /api/v1/runtime/v1/reviews/[id]", { params: { id: "r1" } })
      .catch((x: unknown) => x)) as ApiClientError;
    expect(e).toBeInstanceOf(ApiClientError);
    expect([e.status, e.code, e.field]).toEqual([200, "invalid_response", "status"]);

    answer = { status: 200, body: JSON.stringify(REVIEW) };
    expect(await client(true).request("GET /api/v1/runtime/v1/reviews/[id]", { params: { id: "r1" } })).toEqual(REVIEW);
  });

  it("an answer that is not JSON is invalid_response, validation or not", async () => {
    answer = { status: 200, body: "<html>proxy login</html>" };
    await expect(client().request("GET /api/v1/agents")).rejects.toMatchObject({
      status: 200,
      code: "invalid_response",
      body: "<html>proxy login</html>",
    });
  });
});

describe("the endpoint table", () => {
  it("types each call by its route's schemas (tsc checks the refusals below)", () => {
    const c = client();
    // @ts-expect-error: no such endpoint
    expect(() => c.url("GET /api/v1/nothing")).toThrow(ApiClientError);
    // @ts-expect-error: the path id is required
    expect(() => c.url("GET /api/v1/runtime/v1/reviews/[id]")).toThrow(ApiClientError);
    // @ts-expect-error: a status outside the contract's enum
    expect(c.url("GET /api/v1/runtime/v1/reviews", { query: { status: "lost" } })).toMatch(/status=lost$/);
    // @ts-expect-error: a body without the contract's required fields
    expect(c.prepare("POST /api/v1/runtime/v1/reviews", { body: { executionId: "e" } }).init.method).toBe("POST");
    expect(c.url("GET /api/v1/runtime/v1/reviews/[id]", { params: { id: "r" } })).toBe(
      `${baseUrl}/api/v1/runtime/v1/reviews/r`,
    );
  });

  it("keys every endpoint by a method and an /api path, once", () => {
    const keys = Object.keys(API_ENDPOINTS);
    for (const key of keys) {
      const { method, path } = splitEndpoint(key);
      expect(["GET", "POST", "PUT", "PATCH", "DELETE"]).toContain(method);
      expect(path).toMatch(/^\/api\/[\w\-/[\]]+$/);
    }
    expect(new Set(keys).size).toBe(keys.length);
  });
});
