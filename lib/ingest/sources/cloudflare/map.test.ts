import { describe, expect, it } from "vitest";
import {
  type CloudflareTraceItem,
  type CloudflareTraceItemInput,
  ZCloudflareEnvelope,
  ZCloudflareTraceItem,
} from "../../../contracts/cloudflare.ts";
import { protectSpan } from "../../pipeline.ts";
import { makeRedactor, TRUNCATED_MARKER } from "../../protect.ts";
import {
  canonicalJson,
  eventKind,
  isSecretHeader,
  mapCloudflareTraceItem,
  outcomeStatus,
  redactHeaders,
  redactUrlIds,
  reviveBigints,
} from "./map.ts";

const NOW = new Date("2026-11-21T12:00:00.000Z");
const T = 1_763_726_400_000; // 2025-11-21T12:00:00Z

/** A fetch TraceItem as workerd sends it under Miniflare (key order and all). */
function fetchItem(over: Partial<CloudflareTraceItemInput> = {}): CloudflareTraceItemInput {
  return {
    wallTime: 0,
    cpuTime: 0,
    truncated: false,
    executionModel: "stateless",
    outcome: "ok",
    scriptName: null,
    diagnosticsChannelEvents: [],
    exceptions: [],
    logs: [
      { message: ["producer got", "GET", "/ok"], level: "log", timestamp: T },
      { message: [{ structured: true, n: 42 }], level: "info", timestamp: T },
    ],
    eventTimestamp: T,
    event: {
      request: {
        url: "http://example.com/ok",
        method: "GET",
        headers: { accept: "*/*", "user-agent": "undici" },
        cf: { colo: "DFW", asn: 395747 },
      },
      response: { status: 200 },
    },
    ...over,
  };
}

const parse = (item: unknown): CloudflareTraceItem => ZCloudflareTraceItem.parse(item);
const map = (item: CloudflareTraceItemInput) => mapCloudflareTraceItem(parse(item), NOW);
const root = (m: ReturnType<typeof map>) => m.spans.find((s) => s.parent_id === null)!;
const ofType = (m: ReturnType<typeof map>, type: string) => m.spans.filter((s) => s.type === type);

describe("cloudflare TraceItem contract", () => {
  it("accepts the item exactly as the local runtime sends it, optional production fields absent", () => {
    const r = ZCloudflareTraceItem.safeParse(fetchItem());
    expect(r.success).toBe(true);
  });

  it("accepts the production-only fields when present and keeps unknown ones", () => {
    const r = parse(
      fetchItem({
        scriptName: "api",
        entrypoint: "default",
        scriptVersion: { id: "v-1", tag: "release" },
        dispatchNamespace: "ns",
        scriptTags: ["a"],
        durableObjectId: "do1",
        preview: { id: "p" }, // a field this contract does not know (yet): kept
      }),
    );
    expect(r.scriptVersion?.id).toBe("v-1");
    expect((r as Record<string, unknown>).preview).toEqual({ id: "p" });
  });

  it("rejects an item without an outcome, naming the field", () => {
    const { outcome: _o, ...rest } = fetchItem();
    const r = ZCloudflareTraceItem.safeParse(rest);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(["outcome"]);
  });

  it("rejects a request without url and a log with a non-numeric timestamp", () => {
    const noUrl = ZCloudflareTraceItem.safeParse(
      fetchItem({ event: { request: { method: "GET", headers: {} } as never } }),
    );
    expect(noUrl.error?.issues[0].path).toEqual(["event", "request", "url"]);
    const badLog = ZCloudflareTraceItem.safeParse(
      fetchItem({ logs: [{ message: ["x"], level: "log", timestamp: "yesterday" }] }),
    );
    expect(badLog.error?.issues[0].path).toEqual(["logs", 0, "timestamp"]);
  });

  it("the envelope is an array of at most 1,000 items", () => {
    expect(ZCloudflareEnvelope.safeParse({ traces: [] }).success).toBe(false);
    expect(ZCloudflareEnvelope.safeParse(new Array(1001).fill({})).success).toBe(false);
    expect(ZCloudflareEnvelope.safeParse([{}]).success).toBe(true);
  });
});

describe("mapCloudflareTraceItem", () => {
  it("maps an ok fetch to a successful execution with an http_call span and one log span per console call", () => {
    const m = map(fetchItem());
    const r = root(m);
    expect(r).toMatchObject({
      type: "custom_execution",
      name: "GET /ok",
      status: "success",
      started_at: new Date(T).toISOString(),
      input: { method: "GET", url: "http://example.com/ok" },
      output: { status: 200 },
      error: null,
    });
    expect(m.context).toMatchObject({ execution_id: m.executionId, agent: "worker", agent_from_root: true });
    const [http] = ofType(m, "http_call");
    expect(http).toMatchObject({
      parent_id: r.id,
      http_method: "GET",
      http_url: "http://example.com/ok",
      http_status: 200,
      status: "success",
      input: { headers: { accept: "*/*", "user-agent": "undici" }, cf: { colo: "DFW", asn: 395747 } },
    });
    const logs = ofType(m, "log");
    expect(logs.map((l) => l.name)).toEqual(["log: producer got GET /ok", 'info: {"structured":true,"n":42}']);
    expect(logs[0]).toMatchObject({
      parent_id: r.id,
      input: ["producer got", "GET", "/ok"],
      metadata: { level: "log", timestamp: T },
      started_at: new Date(T).toISOString(),
    });
    expect(logs[1].input).toEqual([{ structured: true, n: 42 }]);
  });

  it("keeps every log level and each message array as sent", () => {
    const levels = ["debug", "info", "log", "warn", "error"];
    const m = map(
      fetchItem({
        logs: levels.map((level, i) => ({ level, message: [level, i, null, "[object Map]"], timestamp: T + i })),
      }),
    );
    const logs = ofType(m, "log");
    expect(logs.map((l) => (l.metadata as { level: string }).level)).toEqual(levels);
    expect(logs[4].input).toEqual(["error", 4, null, "[object Map]"]);
    expect(logs[4].started_at).toBe(new Date(T + 4).toISOString());
    expect(logs.every((l) => l.status === "success")).toBe(true);
  });

  it("a log without a level is a 'log' and a non-array message is kept as is", () => {
    const m = map(fetchItem({ logs: [{ message: "plain", timestamp: T }] }));
    expect(ofType(m, "log")[0]).toMatchObject({ name: "log: plain", input: "plain" });
  });

  it("scriptName names the agent; null falls back to 'worker'", () => {
    expect(map(fetchItem({ scriptName: "billing-api" })).context.agent).toBe("billing-api");
    expect(map(fetchItem({ scriptName: null })).context.agent).toBe("worker");
    const { scriptName: _s, ...absent } = fetchItem();
    expect(map(absent).context.agent).toBe("worker");
  });

  it("an exception outcome is an error execution showing the outcome and the first exception; no response", () => {
    const m = map(
      fetchItem({
        outcome: "exception",
        exceptions: [
          {
            stack: "    at Object.fetch (file:///w/producer.mjs:8:13)",
            name: "Error",
            message: "boom from producer",
            timestamp: T,
          },
        ],
        event: { request: { url: "http://example.com/throw", method: "GET", headers: {} } },
      }),
    );
    const r = root(m);
    expect(r.status).toBe("error");
    expect(r.output).toBeNull();
    expect(r.error).toEqual({
      name: "exception",
      message: "Error: boom from producer",
      stack: "    at Object.fetch (file:///w/producer.mjs:8:13)",
    });
    const [err] = ofType(m, "error");
    expect(err).toMatchObject({
      parent_id: r.id,
      name: "Error: boom from producer",
      status: "error",
      error: {
        name: "Error",
        message: "boom from producer",
        stack: "    at Object.fetch (file:///w/producer.mjs:8:13)",
      },
    });
    expect(ofType(m, "http_call")[0]).toMatchObject({ status: "error", http_status: null });
  });

  it("a rejected waitUntil: outcome ok with an exception is a success execution with an error span", () => {
    const m = map(
      fetchItem({
        exceptions: [{ name: "TypeError", message: "rejected in waitUntil", timestamp: T }],
      }),
    );
    expect(root(m).status).toBe("success");
    expect(root(m).error).toBeNull();
    expect(ofType(m, "error")[0].error).toEqual({ name: "TypeError", message: "rejected in waitUntil" });
  });

  it.each([
    ["ok", "success"],
    ["canceled", "cancelled"],
    ["exception", "error"],
    ["exceededCpu", "error"],
    ["exceededMemory", "error"],
    ["scriptNotFound", "error"],
    ["responseStreamDisconnected", "error"],
    ["unknown", "error"],
    ["killSwitch", "error"],
    ["someFutureOutcome", "error"],
  ] as const)("outcome %s -> %s, the outcome shown on error", (outcome, status) => {
    expect(outcomeStatus(outcome)).toBe(status);
    const r = root(map(fetchItem({ outcome })));
    expect(r.status).toBe(status);
    expect((r.metadata as { outcome: string }).outcome).toBe(outcome);
    if (status === "error") {
      expect((r.error as { name: string }).name).toBe(outcome);
      expect((r.error as { message: string }).message.length).toBeGreaterThan(0);
    } else expect(r.error).toBeNull();
  });

  it("a 5xx response is an error http span but the outcome decides the execution", () => {
    const m = map(
      fetchItem({
        event: { request: { url: "http://e.com/x", method: "post", headers: {} }, response: { status: 503 } },
      }),
    );
    expect(root(m)).toMatchObject({ status: "success", name: "POST /x", output: { status: 503 } });
    expect(ofType(m, "http_call")[0]).toMatchObject({ status: "error", http_status: 503, http_method: "POST" });
  });

  it("keeps wallTime, cpuTime, truncated, eventTimestamp and the production fields in the root metadata", () => {
    const m = map(
      fetchItem({
        wallTime: 1500,
        cpuTime: 12,
        truncated: true,
        scriptName: "api",
        entrypoint: "MyEntry",
        scriptVersion: { id: "abc" },
        dispatchNamespace: "tenants",
        scriptTags: ["t1"],
        durableObjectId: "do-1",
      }),
    );
    const r = root(m);
    expect(r.metadata).toMatchObject({
      source: "cloudflare",
      eventKind: "fetch",
      wallTime: 1500,
      cpuTime: 12,
      truncated: true,
      eventTimestamp: T,
      executionModel: "stateless",
      scriptName: "api",
      entrypoint: "MyEntry",
      scriptVersion: { id: "abc" },
      dispatchNamespace: "tenants",
      scriptTags: ["t1"],
      durableObjectId: "do-1",
    });
    // The invocation lasts its wall time.
    expect(r.ended_at).toBe(new Date(T + 1500).toISOString());
  });

  it("keeps fields it does not know in the root metadata under extra", () => {
    const m = map({ ...fetchItem(), tailAttributes: { region: "eu" } } as CloudflareTraceItemInput);
    expect(root(m).metadata).toMatchObject({ extra: { tailAttributes: { region: "eu" } } });
    expect(root(map(fetchItem())).metadata).not.toHaveProperty("extra");
  });

  it("absent optional fields are null in the metadata, and missing arrays are empty", () => {
    const m = map({ outcome: "ok", eventTimestamp: T, event: null });
    expect(m.spans).toHaveLength(1);
    expect(root(m).metadata).toMatchObject({
      truncated: false,
      wallTime: null,
      entrypoint: null,
      scriptVersion: null,
      scriptTags: null,
      durableObjectId: null,
      eventKind: "unknown",
    });
    expect(root(m).name).toBe("worker invocation");
  });

  it("an item without any timestamp starts when it was received", () => {
    const m = map({ outcome: "ok", event: null });
    expect(root(m).started_at).toBe(NOW.toISOString());
  });

  it("an item without eventTimestamp starts at its first log or exception", () => {
    const m = map({ outcome: "ok", logs: [{ message: ["a"], level: "log", timestamp: T + 5 }] });
    expect(root(m).started_at).toBe(new Date(T + 5).toISOString());
  });

  describe("event kinds", () => {
    const cases: [string, CloudflareTraceItemInput["event"], string, string][] = [
      ["scheduled", { cron: "*/5 * * * *", scheduledTime: 1_700_000_000_000 }, "scheduled */5 * * * *", "scheduled"],
      ["alarm", { scheduledTime: "2026-11-21T12:00:00.000Z" }, "alarm", "alarm"],
      ["queue", { queue: "jobs", batchSize: 10 }, "queue jobs", "queue"],
      ["email", { mailFrom: "a@x.test", rcptTo: "b@y.test", rawSize: 1234 }, "email", "email"],
      ["tail", { consumedEvents: [{ scriptName: "api" }] }, "tail", "tail"],
      ["rpc", { rpcMethod: "getUser" }, "rpc getUser", "rpc"],
      [
        "websocket",
        { getWebSocketEvent: { webSocketEventType: "close", code: 1000, wasClean: true } },
        "websocket close",
        "websocket",
      ],
      ["custom", {}, "worker invocation", "custom"],
    ];
    it.each(cases)("%s: root named from the event, the event as its input", (_label, event, name, kind) => {
      const m = map({ outcome: "ok", eventTimestamp: T, event, logs: [], exceptions: [] });
      const r = root(m);
      expect(eventKind(parse({ outcome: "ok", event }).event)).toBe(kind);
      expect(r.name).toBe(name);
      expect(r.input).toEqual(event);
      expect((r.metadata as { eventKind: string }).eventKind).toBe(kind);
      expect(ofType(m, "http_call")).toHaveLength(0);
    });
  });

  it("maps each diagnostics-channel event to a custom_event span", () => {
    const m = map(
      fetchItem({ diagnosticsChannelEvents: [{ channel: "portal:test", message: { hello: "dc" }, timestamp: T + 1 }] }),
    );
    const [d] = ofType(m, "custom_event");
    expect(d).toMatchObject({
      name: "diagnostics_channel portal:test",
      input: { hello: "dc" },
      metadata: { channel: "portal:test", timestamp: T + 1 },
      started_at: new Date(T + 1).toISOString(),
    });
  });

  it("the runtime's log-limit warning arrives as a warn log and truncated: true", () => {
    const warning =
      "Log size limit exceeded: More than 256KB of data (across console.log statements, exception, request metadata and headers) was logged during a single request.";
    const m = map(fetchItem({ truncated: true, logs: [{ message: [warning], level: "warn", timestamp: T }] }));
    expect((root(m).metadata as { truncated: boolean }).truncated).toBe(true);
    expect(ofType(m, "log")[0].name.startsWith("warn: Log size limit exceeded")).toBe(true);
  });

  it("a 300 KB log is mapped whole, then stored through the shared truncation with its marker", () => {
    const big = "x".repeat(300_000);
    const m = map(fetchItem({ logs: [{ message: [big], level: "log", timestamp: T }] }));
    const [log] = ofType(m, "log");
    expect(log.name.length).toBeLessThan(200);
    expect(log.input).toEqual([big]);
    const stored = protectSpan(log, makeRedactor([]), 200_000);
    expect(stored.input).toMatchObject({ [TRUNCATED_MARKER]: true, originalSize: 300_004 });
    expect((stored.input as { preview: string }).preview).toHaveLength(200_000);
  });

  it("revives {$bigint} values in logs, diagnostics and cf", () => {
    const m = map(
      fetchItem({
        logs: [
          { message: [{ $bigint: "10" }, { n: { $bigint: "123456789012345678901" } }], level: "log", timestamp: T },
        ],
        diagnosticsChannelEvents: [{ channel: "c", message: { size: { $bigint: "204" } }, timestamp: T }],
      }),
    );
    expect(ofType(m, "log")[0].input).toEqual([10, { n: "123456789012345678901" }]);
    expect(ofType(m, "custom_event")[0].input).toEqual({ size: 204 });
    expect(reviveBigints({ $bigint: "1", other: 2 })).toEqual({ $bigint: "1", other: 2 });
  });
});

describe("redaction with Cloudflare's rules", () => {
  it.each([
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-auth-token",
    "x-authn",
    "x-secret",
    "x-jwt",
    "x-csrf-token",
    "x-access-key",
    "x-apikey",
    "x-api-key",
    "X-Amz-Security-Token",
  ])("the header %s is redacted", (name) => expect(isSecretHeader(name)).toBe(true));

  it.each([
    "x-password",
    "x-session-id",
    "x-signature",
    "x-forwarded-for",
    "referer",
    "user-agent",
    "cookies-accepted",
  ])("the header %s is kept", (name) => expect(isSecretHeader(name)).toBe(false));

  it("redacts header values, lower-cases names and accepts object, pair and entry forms", () => {
    expect(redactHeaders({ Authorization: "Bearer z", Cookie: "s=1", "X-Custom": "v" })).toEqual({
      authorization: "REDACTED",
      cookie: "REDACTED",
      "x-custom": "v",
    });
    expect(
      redactHeaders([
        ["x-a", "1"],
        ["X-A", "2"],
        ["x-token", "t"],
      ]),
    ).toEqual({ "x-a": "1, 2", "x-token": "REDACTED" });
    expect(redactHeaders([{ name: "x-secret", value: "s" }])).toEqual({ "x-secret": "REDACTED" });
  });

  const hex48 = "0123456789abcdef0123456789abcdef0123456789abcdef";
  const uuid = "550e8400-e29b-41d4-a716-446655440000";
  it("redacts hex and base-64 ids in the path and the query, by shape, not by name", () => {
    expect(
      redactUrlIds(`https://e.com/users/${hex48}/items/${uuid}?token=${hex48}&q=plain&api_key=secret123&id=${uuid}`),
    ).toBe("https://e.com/users/REDACTED/items/REDACTED?token=REDACTED&q=plain&api_key=secret123&id=REDACTED");
    expect(redactUrlIds("https://e.com/a/QWxhZGRpbjpPcGVuU2VzYW1lQWxhZGRpbjpPcGVu")).toBe("https://e.com/a/REDACTED");
    expect(
      redactUrlIds(
        "https://e.com/?t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.Sfl-KxwRJSMeKKF2QT4fwpM_eJf36POk6yJV_adQssw5c",
      ),
    ).toBe("https://e.com/?t=eyJhbGciOiJIUzI1NiJ9.REDACTED.REDACTED");
    expect(redactUrlIds("https://e.com/x/da39a3ee5e6b4b0d3255bfef95601890afd80709")).toBe("https://e.com/x/REDACTED");
  });

  it("keeps short hex, lower-case-and-digit runs, plain words and already-redacted urls", () => {
    const kept = [
      "https://e.com/a/0123456789abcdef",
      "https://e.com/a/0123456789abcdef0123",
      "https://e.com/a/abcdefghijklmnopqrstuvwxyzabcdef",
      "https://e.com/a/ab12cd34ef56gh78ij90kl12mn34op56",
      "https://e.com/a/12345678901234567890",
      "https://e.com/login?password=hunter2&secret=s3cr3t",
      "https://e.com/users/REDACTED?id=REDACTED",
    ];
    for (const u of kept) expect(redactUrlIds(u)).toBe(u);
  });

  it("a raw request forwarded with getUnredacted() is stored redacted, under the id of its runtime-redacted copy", () => {
    const raw = fetchItem({
      event: {
        request: {
          url: `https://e.com/users/${hex48}?id=${uuid}&q=plain`,
          method: "GET",
          headers: { authorization: "Bearer sk-live-123", cookie: "session=abc", "x-secret": "s", accept: "*/*" },
        },
        response: { status: 200 },
      },
    });
    const redacted = fetchItem({
      event: {
        request: {
          url: "https://e.com/users/REDACTED?id=REDACTED&q=plain",
          method: "GET",
          headers: { authorization: "REDACTED", cookie: "REDACTED", "x-secret": "REDACTED", accept: "*/*" },
        },
        response: { status: 200 },
      },
    });
    const m = map(raw);
    const text = JSON.stringify(m.spans);
    for (const secret of ["sk-live-123", "session=abc", hex48, uuid]) expect(text).not.toContain(secret);
    expect(ofType(m, "http_call")[0]).toMatchObject({
      http_url: "https://e.com/users/REDACTED?id=REDACTED&q=plain",
      input: { headers: { authorization: "REDACTED", cookie: "REDACTED", "x-secret": "REDACTED", accept: "*/*" } },
    });
    expect(map(redacted).executionId).toBe(m.executionId);
  });
});

describe("deterministic ids", () => {
  it("the same item, in any key order, maps to the same execution and span ids", () => {
    const a = map(fetchItem());
    const reordered = JSON.parse(canonicalJson(fetchItem())) as CloudflareTraceItemInput;
    const b = mapCloudflareTraceItem(parse(reordered), new Date(0));
    expect(b.executionId).toBe(a.executionId);
    expect(b.spans.map((s) => s.id)).toEqual(a.spans.map((s) => s.id));
    expect(a.executionId).toMatch(/^cf_[0-9a-f]{32}$/);
    expect(new Set(a.spans.map((s) => s.id)).size).toBe(a.spans.length);
    expect(a.spans.every((s) => s.execution_id === a.executionId && s.id.length <= 128)).toBe(true);
  });

  it("two invocations that differ in anything get different ids", () => {
    const base = map(fetchItem()).executionId;
    expect(map(fetchItem({ eventTimestamp: T + 1 })).executionId).not.toBe(base);
    expect(map(fetchItem({ scriptName: "other" })).executionId).not.toBe(base);
    expect(map(fetchItem({ logs: [] })).executionId).not.toBe(base);
  });

  it("canonicalJson sorts keys at every depth and skips undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });
});
