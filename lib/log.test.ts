import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createLogger, type LogSettings, logSettings, withLogContext } from "./log";
import { MemoryQueue } from "./queue/memory";
import { installEdgeStamp } from "./server/edge-stamp";

/** A logger whose lines are kept, and those lines parsed (JSON format). */
function capture(settings: Partial<LogSettings> = {}) {
  const lines: string[] = [];
  const log = createLogger({ level: "info", format: "json", ...settings }, { write: (l) => lines.push(l) });
  return { log, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("structured logs", () => {
  it("are one JSON object per line: level name, ISO time, component, message and fields", () => {
    const { log, lines, entries } = capture();
    log.child({ component: "api" }).error({ reason: "connection refused" }, "database unavailable");
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith("}\n")).toBe(true);
    expect(entries()[0]).toMatchObject({
      level: "error",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      component: "api",
      msg: "database unavailable",
      reason: "connection refused",
    });
  });

  it("carry their context's fields, also in async work the context started, and none outside it", async () => {
    const { log, entries } = capture();
    log.info("before");
    await withLogContext({ requestId: "req_1" }, async () => {
      log.info("inside");
      await new Promise((r) => setTimeout(r, 1));
      await withLogContext({ jobId: "7" }, async () => log.info("nested"));
      setImmediate(() => log.info("later, from a callback the request started"));
    });
    await new Promise((r) => setImmediate(r));
    log.info("after");
    expect(entries().map((e) => [e.msg, e.requestId, e.jobId])).toEqual([
      ["before", undefined, undefined],
      ["inside", "req_1", undefined],
      ["nested", "req_1", "7"],
      ["later, from a callback the request started", "req_1", undefined],
      ["after", undefined, undefined],
    ]);
  });

  it("take the level and format from the environment: JSON in production, readable elsewhere", () => {
    expect(logSettings({ NODE_ENV: "production" })).toEqual({ level: "info", format: "json" });
    expect(logSettings({ NODE_ENV: "development" })).toEqual({ level: "info", format: "pretty" });
    expect(logSettings({ NODE_ENV: "production", RUNLENS_LOG_LEVEL: "DEBUG", RUNLENS_LOG_FORMAT: "pretty" })).toEqual({
      level: "debug",
      format: "pretty",
    });
    expect(logSettings({ RUNLENS_LOG_LEVEL: "loud" })).toEqual({
      level: "info",
      format: "pretty",
      problem: expect.stringContaining("RUNLENS_LOG_LEVEL=loud is not one of"),
    });

    const { log, entries } = capture({ level: "warn" });
    log.info("hidden");
    log.debug("hidden too");
    log.warn("shown");
    expect(entries().map((e) => e.msg)).toEqual(["shown"]);
  });

  it("in the readable format: time, level, component, message, fields, then the error's stack", () => {
    const { log, lines } = capture({ format: "pretty" });
    withLogContext({ requestId: "req_2" }, () =>
      log.child({ component: "api" }).error({ err: new Error("boom"), path: "/x" }, "unhandled error"),
    );
    const [first, ...stack] = lines[0].trimEnd().split("\n");
    expect(first).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR api: unhandled error requestId=req_2 path=\/x$/);
    expect(stack[0]).toBe("    Error: boom");
    expect(stack.slice(1).every((l) => l.startsWith("        at ") || l.startsWith("    at "))).toBe(true);
  });

  it("of a queued job carry its queue, its id and the request that enqueued it", async () => {
    const { log, entries } = capture();
    const queue = new MemoryQueue<{ requestId?: string; n: number }>("ingest-test");
    const done = new Promise<void>((resolve) => {
      let seen = 0;
      queue.startWorker(async (data) => {
        await new Promise((r) => setTimeout(r, 1));
        log.info(`job ${data.n}`);
        if (++seen === 2) resolve();
      });
    });
    const first = await queue.enqueue({ requestId: "req_3", n: 1 });
    const second = await queue.enqueue({ n: 2 });
    await done;
    await queue.close();
    expect(entries().map((e) => [e.msg, e.queue, e.jobId, e.requestId])).toEqual([
      ["job 1", "ingest-test", first, "req_3"],
      ["job 2", "ingest-test", second, undefined],
    ]);
  });

  it("of a served request carry its id, which the response tells in x-request-id", async () => {
    installEdgeStamp();
    const { log, entries } = capture();
    const server = http.createServer(async (req, res) => {
      log.info(`start ${req.url}`);
      await new Promise((r) => setTimeout(r, req.url === "/slow" ? 30 : 1));
      log.info(`end ${req.url}`);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const ids = await Promise.all(
        ["/slow", "/fast"].map(async (p) => [
          p,
          (await fetch(`http://127.0.0.1:${port}${p}`)).headers.get("x-request-id"),
        ]),
      );
      const idOf = Object.fromEntries(ids);
      expect(idOf["/slow"]).toMatch(/^req_[0-9a-f-]{36}$/);
      expect(idOf["/fast"]).toMatch(/^req_[0-9a-f-]{36}$/);
      expect(idOf["/slow"]).not.toBe(idOf["/fast"]);
      for (const e of entries()) expect(e.requestId).toBe(idOf[String(e.msg).split(" ")[1]]);
      expect(entries()).toHaveLength(4);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
