import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Runlens, RunlensDeliveryError } from "@/sdk/src/index";
import { BatchTransport, type Clock, DEFAULT_RETRY, type TransportOptions } from "@/sdk/src/transport";

/**
 * How the SDK's transport delivers, against small real HTTP servers that answer what a test needs
 * (207 with rejected items, 503 with Retry-After, or nothing at all). Time is an injected clock
 * where waits matter, so no assertion depends on how fast this machine is.
 */

type Received = { ids: string[]; records: { id: string; status?: string }[]; at: number; answered: boolean };
type Respond = (res: http.ServerResponse, ids: string[], n: number) => void;

/** A local server that records every request (its record ids, its time on `clock`) and lets `respond` answer. */
async function scriptedServer(respond: Respond, clock: { now(): number } = Date) {
  const received: Received[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, { id: string }[]>;
    const sent = Object.values(body)[0];
    const entry: Received = { ids: sent.map((r) => r.id), records: sent, at: clock.now(), answered: false };
    received.push(entry);
    res.on("finish", () => {
      entry.answered = true;
    });
    respond(res, entry.ids, received.length);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}
const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

/** A 207 giving each id the status listed for it (201 unless listed). */
function multiStatus(res: http.ServerResponse, ids: string[], statuses: Record<string, number>) {
  const results = ids.map((id) => {
    const status = statuses[id] ?? 201;
    if (status === 201) return { id, status };
    const code = status >= 500 ? "storage_unavailable" : "validation_error";
    const message = status >= 500 ? "Could not store the item; retry." : "Invalid item: check name.";
    return { id, status, error: { code, message } };
  });
  const accepted = results.filter((r) => r.status === 201).length;
  json(res, 207, { accepted, rejected: results.length - accepted, results });
}

/** Waits advance the clock instead of passing real time. */
function manualClock(): Clock & { sleeps: number[] } {
  let now = Date.UTC(2026, 0, 1);
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
  };
}

function transportTo(url: string, overrides: Partial<TransportOptions> = {}) {
  const warnings: string[] = [];
  const errors: RunlensDeliveryError[] = [];
  const transport = new BatchTransport<{ id: string }>({
    apiUrl: () => url,
    apiKey: () => "rl_test",
    fetch: () => fetch,
    envelope: "traces",
    maxBatch: 200,
    flushIntervalMs: 60_000,
    maxBuffered: () => 10_000,
    requestTimeoutMs: () => 10_000,
    flushTimeoutMs: () => 60_000,
    warn: (m) => warnings.push(m),
    onError: (e) => errors.push(e),
    clock: manualClock(),
    ...overrides,
  });
  return { transport, warnings, errors };
}

const records = (...ids: string[]) => ids.map((id) => ({ id }));

describe("SDK delivery", () => {
  it("reports a rejected item of a 207 (warning with id and reason, counter, onError) and sends nothing again", async () => {
    const server = await scriptedServer((res, ids) => multiStatus(res, ids, { "t-2": 400 }));
    const { transport, warnings, errors } = transportTo(server.url);
    for (const r of records("t-1", "t-2", "t-3")) transport.add(r);
    await transport.flush();

    expect(server.received).toHaveLength(1);
    expect(transport.rejected).toBe(1);
    expect(transport.delivered).toBe(2);
    expect(transport.pending).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RunlensDeliveryError);
    expect(errors[0]).toMatchObject({
      kind: "rejected",
      envelope: "traces",
      ids: ["t-2"],
      count: 1,
      status: 400,
      code: "validation_error",
    });
    expect(errors[0].message).toContain("Invalid item: check name.");
    expect(warnings).toEqual(["the server rejected 1 traces (400 validation_error: Invalid item: check name.): t-2"]);
  });

  it("retries only the 5xx items of a 207, after a backoff; 4xx items are not retried", async () => {
    const server = await scriptedServer((res, ids, n) =>
      n === 1 ? multiStatus(res, ids, { "t-2": 400, "t-3": 503, "t-5": 500 }) : multiStatus(res, ids, {}),
    );
    const clock = manualClock();
    const { transport, errors } = transportTo(server.url, { clock });
    for (const r of records("t-1", "t-2", "t-3", "t-4", "t-5")) transport.add(r);
    await transport.flush();

    expect(server.received.map((r) => r.ids)).toEqual([
      ["t-1", "t-2", "t-3", "t-4", "t-5"],
      ["t-3", "t-5"],
    ]);
    expect(clock.sleeps).toHaveLength(1);
    expect(errors.map((e) => [e.kind, e.ids])).toEqual([["rejected", ["t-2"]]]);
    expect(transport.rejected).toBe(1);
    expect(transport.pending).toBe(0);
  });

  it("keeps 5xx items of a 207 buffered, ahead of newer records, when their retries run out", async () => {
    const server = await scriptedServer((res, ids) => multiStatus(res, ids, { "t-2": 503 }));
    const clock = manualClock();
    const { transport, errors } = transportTo(server.url, { clock, retry: { ...DEFAULT_RETRY, retries: 2 } });
    for (const r of records("t-1", "t-2")) transport.add(r);
    await transport.flush();

    expect(server.received.map((r) => r.ids)).toEqual([["t-1", "t-2"], ["t-2"], ["t-2"]]);
    // Exponential backoff (250, 500 ms) with the clock's jitter of 0.75.
    expect(clock.sleeps).toEqual([188, 375]);
    expect(errors.map((e) => [e.kind, e.ids, e.status, e.code])).toEqual([
      ["failed", ["t-2"], 503, "storage_unavailable"],
    ]);
    expect(transport.rejected).toBe(0);
    expect(transport.pending).toBe(1);
  });

  it("reports a whole-request 4xx as rejected once, with the server's code, without retrying", async () => {
    const server = await scriptedServer((res) =>
      json(res, 401, { error: { code: "unauthorized", message: "Invalid API key." } }),
    );
    const { transport, errors, warnings } = transportTo(server.url);
    for (const r of records("t-1", "t-2")) transport.add(r);
    await transport.flush();

    expect(server.received).toHaveLength(1);
    expect(errors.map((e) => [e.kind, e.ids, e.status, e.code])).toEqual([
      ["rejected", ["t-1", "t-2"], 401, "unauthorized"],
    ]);
    expect(warnings[0]).toBe("the server rejected 2 traces (401 unauthorized: Invalid API key.): t-1, t-2");
    expect(transport.rejected).toBe(2);
  });

  it("honours Retry-After in seconds on a 503: the next attempt comes no sooner", async () => {
    const clock = manualClock();
    const server = await scriptedServer(
      (res, ids, n) => (n === 1 ? json(res, 503, {}, { "retry-after": "7" }) : multiStatus(res, ids, {})),
      clock,
    );
    const { transport } = transportTo(server.url, { clock });
    transport.add({ id: "t-1" });
    await transport.flush();

    const [first, second] = server.received;
    expect(second.ids).toEqual(["t-1"]);
    // Without Retry-After the first backoff would be 250 ms * 0.75 here.
    expect(second.at - first.at).toBeGreaterThanOrEqual(7000);
  });

  it("honours Retry-After as an HTTP date on a 429", async () => {
    const clock = manualClock();
    const until = new Date(clock.now() + 20_000);
    const server = await scriptedServer(
      (res, ids, n) =>
        n === 1 ? json(res, 429, {}, { "retry-after": until.toUTCString() }) : multiStatus(res, ids, {}),
      clock,
    );
    const { transport } = transportTo(server.url, { clock });
    transport.add({ id: "t-1" });
    await transport.flush();

    expect(server.received).toHaveLength(2);
    expect(server.received[1].at).toBeGreaterThanOrEqual(until.getTime());
  });

  it("does not sleep through a Retry-After beyond its cap, and sends nothing before it", async () => {
    const clock = manualClock();
    const server = await scriptedServer((res) => json(res, 503, {}, { "retry-after": "3600" }), clock);
    const { transport, errors } = transportTo(server.url, { clock });
    transport.add({ id: "t-1" });
    await transport.flush();
    // A second flush before the hour has passed does not reach the server either.
    await transport.flush();

    expect(server.received).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(errors.map((e) => [e.kind, e.code])).toEqual([
      ["failed", "retry_after"],
      ["failed", "retry_after"],
    ]);
    expect(errors[0].message).toContain("the server asked to wait 3600 s");
    expect(transport.pending).toBe(1);
  });

  it("aborts a request the server never answers after requestTimeoutMs, retries it, then keeps the records", async () => {
    // Never answers: without a request timeout, flush() would wait forever.
    const server = await scriptedServer(() => undefined);
    const { transport, errors } = transportTo(server.url, {
      requestTimeoutMs: () => 50,
      retry: { ...DEFAULT_RETRY, retries: 1 },
    });
    transport.add({ id: "t-1" });
    await transport.flush();

    expect(server.received.map((r) => [r.ids, r.answered])).toEqual([
      [["t-1"], false],
      [["t-1"], false],
    ]);
    expect(errors.map((e) => [e.kind, e.ids, e.code, e.message])).toEqual([
      [
        "failed",
        ["t-1"],
        "request_timeout",
        "could not send 1 traces (request_timeout: no answer within 50 ms); kept for a later retry: t-1",
      ],
    ]);
    expect(transport.pending).toBe(1);
  });

  it("aborts a request whose answer stalls mid-body after requestTimeoutMs, as one never answered", async () => {
    // The status and part of the body come at once, the rest never.
    const server = await scriptedServer((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"accepted":');
    });
    const { transport, errors } = transportTo(server.url, {
      requestTimeoutMs: () => 50,
      retry: { ...DEFAULT_RETRY, retries: 0 },
    });
    transport.add({ id: "t-1" });
    await transport.flush();

    expect(server.received).toHaveLength(1);
    expect(errors.map((e) => [e.kind, e.ids, e.code])).toEqual([["failed", ["t-1"], "request_timeout"]]);
    expect(transport.delivered).toBe(0);
    expect(transport.pending).toBe(1);
  });

  it("end() resolves after flushTimeoutMs while the server still holds the request, and reports what is pending", async () => {
    const held: (() => void)[] = [];
    const server = await scriptedServer((res, ids) => {
      held.push(() => multiStatus(res, ids, {}));
    });
    const errors: RunlensDeliveryError[] = [];
    const client = new Runlens({
      apiUrl: server.url,
      apiKey: "rl_test",
      warnings: false,
      requestTimeoutMs: 60_000,
      flushTimeoutMs: 50,
      onError: (e) => errors.push(e),
    });
    const exec = client.startExecution({ name: "slow-server" });
    await exec.end();

    // end() returned while the only request is still unanswered; it holds the execution once, as
    // ended (its "running" start was replaced while buffered).
    expect(server.received.map((r) => r.answered)).toEqual([false]);
    expect(server.received[0].records).toMatchObject([{ id: exec.id, status: "success" }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: "timeout", code: "flush_timeout", count: 1, ids: [exec.id] });

    // The send goes on in the background and completes once the server answers.
    held[0]();
    client.configure({ flushTimeoutMs: 60_000 });
    await client.flush();
    expect(server.received.map((r) => r.answered)).toEqual([true]);
    expect(client.stats()).toMatchObject({ tracesPending: 0, tracesRejected: 0, traceRequests: 1 });
    expect(errors).toHaveLength(1);
  });

  it("holds a running version until it is sendRunningAfterMs old, unless its end replaces it first or flush() is called", async () => {
    const server = await scriptedServer((res, ids) => multiStatus(res, ids, {}));
    const clock = manualClock();
    const { transport } = transportTo(server.url, {
      clock,
      provisional: { is: (r) => (r as { status?: string }).status === "running", holdMs: () => 1000 },
    });
    const t = transport as unknown as BatchTransport<{ id: string; status: string }>;
    const sent = () => server.received.flatMap((r) => r.records.map((x) => `${x.id}:${x.status}`));

    t.add({ id: "a", status: "running" });
    t.add({ id: "done", status: "success" });
    await t.flush(true, false); // the timer's flush: the start is too young
    expect(sent()).toEqual(["done:success"]);
    expect(t.pending).toBe(1);
    await clock.sleep(1000);
    await t.flush(true, false);
    expect(sent()).toEqual(["done:success", "a:running"]);

    // Ended before it was old enough: sent once, as ended, where the start was.
    t.add({ id: "b", status: "running" });
    t.add({ id: "c", status: "success" });
    await clock.sleep(500);
    t.add({ id: "b", status: "error" });
    await t.flush(true, false);
    expect(server.received.at(-1)!.records.map((x) => `${x.id}:${x.status}`)).toEqual(["b:error", "c:success"]);

    // An explicit flush sends young starts too; a later end is sent as its own record.
    t.add({ id: "d", status: "running" });
    await t.flush();
    t.add({ id: "d", status: "success" });
    await t.flush();
    expect(sent().slice(-2)).toEqual(["d:running", "d:success"]);
    expect(t.pending).toBe(0);
  });

  it("an execution's end() sends its own ended records and leaves another execution's young start buffered", async () => {
    const server = await scriptedServer((res, ids) => multiStatus(res, ids, {}));
    const client = new Runlens({ apiUrl: server.url, apiKey: "rl_test", warnings: false, sendRunningAfterMs: 60_000 });
    const other = client.startExecution({ name: "still-running" });
    const exec = client.startExecution({ name: "short" });
    const span = client.startSpan("step");
    span.end({ output: "ok" });
    await exec.end({ output: "done" });
    const records = server.received.flatMap((r) => r.records);
    expect(records.map((r) => r.status)).toEqual(["success", "success"]);
    expect(new Set(records.map((r) => r.id))).toEqual(new Set([exec.id, span.traceId]));
    expect(client.stats()).toMatchObject({ tracesPending: 1, tracesDelivered: 2 });
    await client.flush(); // an explicit flush sends the other execution's start
    expect(server.received.at(-1)!.records).toMatchObject([{ id: other.id, status: "running" }]);
    expect(client.stats()).toMatchObject({ tracesPending: 0, tracesDelivered: 3 });
    await other.end();
  });

  it("sends at most maxBatchTraces traces a request (default 500), in the order they were recorded", async () => {
    for (const [opts, size] of [
      [{}, 500],
      [{ maxBatchTraces: 120 }, 120],
    ] as const) {
      const server = await scriptedServer((res, ids) => multiStatus(res, ids, {}));
      const client = new Runlens({ apiUrl: server.url, apiKey: "rl_test", warnings: false, ...opts });
      const exec = client.startExecution({ name: "many steps" });
      for (let i = 0; i < 1_100; i++) client.startSpan(`step ${i}`).end({ output: i });
      await exec.end({ output: "done" });
      await client.flush();
      const sizes = server.received.map((r) => r.ids.length);
      expect(Math.max(...sizes)).toBe(size);
      const ids = server.received.flatMap((r) => r.ids);
      expect(ids).toHaveLength(1_101);
      expect(new Set(ids).size).toBe(1_101);
      expect(client.stats()).toMatchObject({ tracesPending: 0, tracesDelivered: 1_101 });
    }
  });

  it("a throwing onError does not break delivery", async () => {
    const server = await scriptedServer((res, ids) => multiStatus(res, ids, { "t-1": 400 }));
    const { transport, warnings } = transportTo(server.url, {
      onError: () => {
        throw new Error("bug in the callback");
      },
    });
    for (const r of records("t-1", "t-2")) transport.add(r);
    await expect(transport.flush()).resolves.toBeUndefined();
    expect(warnings.at(-1)).toBe("onError threw: bug in the callback");
    expect(transport.pending).toBe(0);
  });
});
