import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Readable } from "node:stream";
import { Log, LogLevel, Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Execution, Span } from "@/lib/contracts/executions";
import { closeQueues } from "@/lib/queue";
import { drained } from "../helpers/app";
import { createTestDb, redisUrl, type TestDb, testServerUrl } from "../helpers/db";
import { type RunningServer, startPortal } from "../helpers/server";

/**
 * Cloudflare's own runtime end to end: Miniflare runs workerd with a producer Worker traced by a
 * tail consumer Worker (tests/fixtures/cloudflare), which POSTs each invocation's TraceItems to a
 * real portal process (`next start`; Postgres and Redis when configured). The consumer then
 * reports what it sent and Runlens's answer to a tap here, because tail failures are silent.
 * Everything stored is checked through the read API.
 */

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/cloudflare");
const HEX = "0123456789abcdef0123456789abcdef0123456789abcdef";
const UUID = "550e8400-e29b-41d4-a716-446655440000";

type Tapped = { status: number; response: string; sent: Record<string, unknown>[] };
type Details = { execution: Execution; traces: Span[] };

describe("Cloudflare tail Worker (real workerd) -> running portal", () => {
  let db: TestDb | null = null;
  let server: RunningServer;
  let mf: Miniflare;
  let tap: http.Server;
  const tapped: Tapped[] = [];

  beforeAll(async () => {
    if (testServerUrl()) db = await createTestDb();
    // The portal's queue, so that drained() here waits for its workers.
    process.env.RUNLENS_QUEUE_PREFIX = `runlens-cf-${Date.now()}`;
    server = await startPortal({
      databaseUrl: db?.url ?? null,
      env: redisUrl ? { REDIS_URL: redisUrl, RUNLENS_QUEUE_PREFIX: process.env.RUNLENS_QUEUE_PREFIX } : {},
    });
    tap = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        tapped.push(JSON.parse(body) as Tapped);
        res.end("ok");
      });
    });
    await new Promise<void>((r) => tap.listen(0, "127.0.0.1", r));
    mf = new Miniflare({
      cf: false,
      // Tail consumer failures are visible only here.
      log: process.env.DEBUG_MINIFLARE ? new Log(LogLevel.DEBUG) : undefined,
      // The producer's console output (250 KB of it) is checked in the traces, not printed.
      handleRuntimeStdio: process.env.DEBUG_MINIFLARE
        ? undefined
        : (stdout: Readable, stderr: Readable) => {
            stdout.resume();
            stderr.resume();
          },
      workers: [
        {
          name: "producer",
          modules: true,
          scriptPath: path.join(FIXTURES, "producer.mjs"),
          compatibilityDate: "2025-01-01",
          compatibilityFlags: ["nodejs_compat"],
          tails: ["tail"],
        },
        {
          name: "tail",
          modules: true,
          scriptPath: path.join(FIXTURES, "tail.mjs"),
          compatibilityDate: "2025-01-01",
          bindings: {
            RUNLENS_URL: server.url,
            RUNLENS_API_KEY: server.apiKey,
            TAP_URL: `http://127.0.0.1:${(tap.address() as AddressInfo).port}/`,
          },
        },
        // The same producer tailed by the documented recipe, as is.
        {
          name: "plain",
          modules: true,
          scriptPath: path.join(FIXTURES, "producer.mjs"),
          compatibilityDate: "2025-01-01",
          compatibilityFlags: ["nodejs_compat"],
          tails: ["recipe"],
        },
        {
          name: "recipe",
          modules: true,
          scriptPath: path.join(FIXTURES, "tail-recipe.mjs"),
          compatibilityDate: "2025-01-01",
          bindings: { RUNLENS_URL: server.url, RUNLENS_API_KEY: server.apiKey },
        },
      ],
    });
    await mf.ready;
  }, 300_000);

  afterAll(async () => {
    await mf?.dispose();
    await closeQueues();
    await new Promise((r) => (tap ? tap.close(r) : r(undefined)));
    await server?.stop();
    await db?.drop();
  });

  /** Runs one invocation and waits (with a timeout) for its tail POST and Runlens's answer. */
  async function traced(invoke: () => Promise<unknown>): Promise<Tapped> {
    const n = tapped.length;
    await invoke();
    const deadline = Date.now() + 20_000;
    while (tapped.length <= n) {
      if (Date.now() > deadline) throw new Error("no tail POST arrived (run with DEBUG_MINIFLARE=1 to see why)");
      await new Promise((r) => setTimeout(r, 20));
    }
    return tapped[n];
  }

  /** A Worker's entry points (Miniflare's declared Fetcher type is missing them). */
  type WorkerStub = {
    fetch(url: string, init: { headers: Record<string, string> }): Promise<Response>;
    scheduled(o: { cron: string; scheduledTime: Date }): Promise<unknown>;
  };
  const worker = async (name: string) => (await mf.getWorker(name)) as unknown as WorkerStub;

  const fetchPath = (p: string, headers: Record<string, string> = {}) =>
    traced(() => mf.dispatchFetch(`http://example.com${p}`, { headers }));

  const api = async (p: string) =>
    fetch(`${server.url}/api/v1/runtime/v1/observability${p}`, {
      headers: { authorization: `Bearer ${server.apiKey}` },
    });

  /** The stored execution of the tapped POST's only item, once written (the queue may be in between). */
  async function stored(t: Tapped): Promise<Details> {
    expect(t.status).toBe(207);
    const body = JSON.parse(t.response) as { accepted: number; results: { id: string }[] };
    expect(body.accepted).toBe(1);
    const id = body.results[0].id;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await api(`/executions/${id}/details`);
      if (res.status === 200) return (await res.json()) as Details;
      if (Date.now() > deadline) throw new Error(`execution ${id} not stored: ${res.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const spans = (d: Details, type: string) => d.traces.filter((s) => s.type === type);

  it("an ok fetch: a successful execution with its request, response, logs and diagnostics-channel event", async () => {
    const t = await fetchPath("/ok");
    expect(t.sent[0].scriptName).toBeNull();
    const d = await stored(t);
    expect(d.execution).toMatchObject({
      agent: "worker",
      name: "GET /ok",
      status: "success",
      source: "cloudflare",
      output: { status: 200 },
    });
    expect(spans(d, "http_call")[0]).toMatchObject({
      status: "success",
      http: { method: "GET", url: "http://example.com/ok", statusCode: 200 },
    });
    const logs = spans(d, "log");
    expect(logs.map((l) => (l.metadata as { level: string }).level)).toEqual(["log", "info", "warn"]);
    expect(logs.map((l) => l.input)).toEqual([
      ["producer got", "GET", "/ok"],
      [{ structured: true, n: 42 }],
      ["careful"],
    ]);
    expect(spans(d, "custom_event")[0]).toMatchObject({
      name: "diagnostics_channel runlens:test",
      input: { hello: "dc", path: "/ok" },
    });
    const root = d.traces.find((s) => s.parentId === null)!;
    expect(root.metadata).toMatchObject({
      outcome: "ok",
      eventKind: "fetch",
      wallTime: 0,
      cpuTime: 0,
      truncated: false,
      executionModel: "stateless",
      scriptName: null,
      eventTimestamp: t.sent[0].eventTimestamp,
    });
  });

  it("a thrown exception: an error execution showing the outcome, with the exception's name, message and stack", async () => {
    const d = await stored(await fetchPath("/throw"));
    expect(d.execution).toMatchObject({
      name: "GET /throw",
      status: "error",
      output: null,
      error: { name: "exception", message: "Error: boom from producer" },
    });
    const [err] = spans(d, "error");
    expect(err.status).toBe("error");
    expect(err.error).toMatchObject({ name: "Error", message: "boom from producer" });
    expect(err.error?.stack).toContain("producer.mjs");
    expect(spans(d, "log").map((l) => (l.metadata as { level: string }).level)).toEqual(["log", "error"]);
  });

  it("a rejected waitUntil: outcome ok, so a successful execution, with the rejection as an error span", async () => {
    const d = await stored(await fetchPath("/reject"));
    expect(d.execution.status).toBe("success");
    expect(spans(d, "error")[0].error).toMatchObject({ name: "TypeError", message: "rejected in waitUntil" });
  });

  it("a 250 KB console.log arrives whole and is stored through the shared truncation, with its marker", async () => {
    const t = await fetchPath("/log-250k");
    expect(JSON.stringify(t.sent).length).toBeGreaterThan(250_000);
    const d = await stored(t);
    const big = spans(d, "log").find((l) => l.name.startsWith("log: yyy"))!;
    expect(big.input).toMatchObject({ __runlens_truncated: true, originalSize: 250_004 });
  });

  it("a 300 KB console.log: the runtime drops it and sets truncated; the warning and flag are stored", async () => {
    const t = await fetchPath("/log-300k");
    expect(t.sent[0].truncated).toBe(true);
    const d = await stored(t);
    const root = d.traces.find((s) => s.parentId === null)!;
    expect(root.metadata).toMatchObject({ truncated: true });
    const warn = spans(d, "log").find((l) => (l.metadata as { level: string }).level === "warn")!;
    expect(warn.name).toMatch(/^warn: Log size limit exceeded/);
  });

  it("secret headers and URL ids forwarded raw by the consumer (getUnredacted) are stored redacted", async () => {
    const t = await fetchPath(`/users/${HEX}/items/${UUID}?token=${HEX}&q=plain&id=${UUID}`, {
      authorization: "Bearer sk-live-abc",
      cookie: "session=s3cr3t-cookie",
      "x-api-key": "key-value-123",
      "x-secret": "hush-hush",
      "x-custom": "visible",
    });
    // The consumer really sent them unredacted...
    const sent = JSON.stringify(t.sent);
    for (const secret of ["sk-live-abc", "s3cr3t-cookie", "key-value-123", "hush-hush", HEX, UUID])
      expect(sent).toContain(secret);
    // ...and none of them is stored with the request (what the producer itself logs is stored as
    // written: Cloudflare does not redact log messages either).
    const d = await stored(t);
    const request = JSON.stringify([d.execution, ...d.traces.filter((s) => s.type !== "log")]);
    for (const secret of ["sk-live-abc", "s3cr3t-cookie", "key-value-123", "hush-hush", HEX, UUID])
      expect(request).not.toContain(secret);
    expect(spans(d, "log")[0].input).toEqual(["producer got", "GET", `/users/${HEX}/items/${UUID}`]);
    const [http] = spans(d, "http_call");
    expect(http.http?.url).toBe("http://example.com/users/REDACTED/items/REDACTED?token=REDACTED&q=plain&id=REDACTED");
    expect((http.input as { headers: Record<string, string> }).headers).toMatchObject({
      // "authorization" is also one of the workspace's default redaction keys, applied on top.
      authorization: "[REDACTED]",
      cookie: "REDACTED",
      "x-api-key": "REDACTED",
      "x-secret": "REDACTED",
      "x-custom": "visible",
    });
    expect(d.execution.name).toBe("GET /users/REDACTED/items/REDACTED");
  });

  it("a cron trigger: a scheduled execution with its cron and scheduled time", async () => {
    const scheduledTime = new Date("2026-11-21T12:00:00.000Z");
    const producer = await worker("producer");
    const t = await traced(() => producer.scheduled({ cron: "*/5 * * * *", scheduledTime }));
    const d = await stored(t);
    expect(d.execution).toMatchObject({
      name: "scheduled */5 * * * *",
      status: "success",
      input: { cron: "*/5 * * * *", scheduledTime: scheduledTime.getTime() },
    });
    expect(spans(d, "log")[0].input).toEqual(["cron ran", "*/5 * * * *"]);
    expect(spans(d, "http_call")).toHaveLength(0);
  });

  it("resending every body the consumer sent changes no count", async () => {
    const totals = async () => {
      const res = await api("/executions?source=cloudflare&limit=200");
      const { executions } = (await res.json()) as { executions: Execution[] };
      return { executions: executions.length, spans: executions.reduce((n, e) => n + e.spanCount, 0) };
    };
    const before = await totals();
    expect(before.executions).toBe(tapped.length);
    for (const t of tapped) {
      const res = await fetch(`${server.url}/api/v1/ingest/cloudflare`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${server.apiKey}` },
        body: JSON.stringify(t.sent),
      });
      const body = await res.json();
      expect(body.results.map((r: { id: string }) => r.id)).toEqual(
        JSON.parse(t.response).results.map((r: { id: string }) => r.id),
      );
    }
    await drained();
    expect(await totals()).toEqual(before);
  });

  it("the documented recipe, unchanged, sends runtime-redacted requests that are stored as such", async () => {
    const listed = async () => {
      const res = await api("/executions?source=cloudflare&limit=200");
      return ((await res.json()) as { executions: Execution[] }).executions;
    };
    const before = new Set((await listed()).map((e) => e.id));
    const plain = await worker("plain");
    await plain.fetch(`http://example.com/users/${HEX}?id=${UUID}`, { headers: { "x-auth-token": "tok-123" } });
    // Tail failures are silent: wait for the execution with a timeout.
    const deadline = Date.now() + 20_000;
    let fresh: Execution[] = [];
    while (fresh.length === 0) {
      if (Date.now() > deadline) throw new Error("the recipe's POST never arrived");
      await new Promise((r) => setTimeout(r, 100));
      fresh = (await listed()).filter((e) => !before.has(e.id));
    }
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatchObject({ agent: "worker", name: "GET /users/REDACTED", status: "success" });
    const res = await api(`/executions/${fresh[0].id}/details`);
    const d = (await res.json()) as Details;
    const [http] = spans(d, "http_call");
    expect(http.http?.url).toBe("http://example.com/users/REDACTED?id=REDACTED");
    expect((http.input as { headers: Record<string, string> }).headers["x-auth-token"]).toBe("REDACTED");
  });
});
