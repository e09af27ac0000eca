import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTransaction } from "@/lib/db/transaction";
import { rebuildRollups } from "@/lib/metrics/rollups";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import {
  type EventBatch,
  type EventRow,
  emptyContextFields,
  emptySpanFields,
  type SpanBatch,
  type SpanRow,
} from "./model";
import { writeEventBatch } from "./write/events";
import { toSpanJob, writeSpanBatch } from "./write/spans";

/**
 * Newest version wins: whatever order batches reach the database in (parallel workers, retries),
 * a stored span or event is replaced only by a version that is not older, and a finished span
 * never by its own "running" start. Rollups follow the version that is kept.
 */

const T0 = Date.UTC(2026, 5, 1, 12);
const iso = (ms: number) => new Date(T0 + ms).toISOString();

/** A root span `id` of execution `ex` as the SDK sends it when it starts (running) or ends. */
function rootSpan(ex: string, id: string, state: "start" | "end" | "end2", version: number): SpanRow {
  return {
    ...emptySpanFields(),
    id,
    execution_id: ex,
    parent_id: null,
    type: "agent_execution",
    name: "answer",
    status: state === "start" ? "running" : "success",
    started_at: iso(0),
    ended_at: state === "start" ? null : iso(state === "end" ? 1500 : 2500),
    input: { q: "hello" },
    output: state === "start" ? null : { a: state },
    version,
  };
}

function spanBatch(ws: string, spans: SpanRow[]): SpanBatch {
  return {
    kind: "spans",
    workspaceId: ws,
    source: "sdk",
    spans,
    executions: [...new Set(spans.map((s) => s.execution_id))].map((execution_id) => ({
      execution_id,
      agent: "bot",
      agent_from_root: true,
      ...emptyContextFields(),
    })),
  };
}

function event(id: string, version: number, amount: number): EventRow {
  return {
    id,
    agent: "bot",
    name: "order_paid",
    properties: { amount, plan: amount > 10 ? "pro" : "free" },
    timestamp: iso(id.length * 60_000),
    thread_id: null,
    execution_id: null,
    version,
  };
}

describe("newest version wins", () => {
  let db: TestDb;
  let n = 0;
  /** A fresh workspace per test. */
  const workspace = async () => {
    const ws = `ws_versions_${n++}`;
    await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ('${ws}', 'W', '${ws}')`);
    return ws;
  };
  const span = async (ws: string, id: string) =>
    (
      await db.prisma.$queryRawUnsafe<{ status: string; output: unknown; version: string }[]>(
        `SELECT status::text, output, version::text FROM spans WHERE workspace_id = $1 AND id = $2`,
        ws,
        id,
      )
    )[0];
  const execution = async (ws: string, id: string) =>
    (
      await db.prisma.$queryRawUnsafe<
        { status: string; output: unknown; duration_ms: number | null; span_count: number }[]
      >(
        `SELECT status::text, output, duration_ms::int AS duration_ms, span_count FROM executions WHERE workspace_id = $1 AND id = $2`,
        ws,
        id,
      )
    )[0];
  /** Each path the writer has on this database: COPY (then its replace path) on Postgres, JSON rows on both. */
  const formats = () => (db.pool ? (["copy", "rows"] as const) : (["rows"] as const));

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("keeps a span's end when its start arrives later", async () => {
    for (const format of formats()) {
      const ws = await workspace();
      await writeSpanBatch(db, toSpanJob(spanBatch(ws, [rootSpan("ex", "root", "end", 20)]), format));
      await writeSpanBatch(db, toSpanJob(spanBatch(ws, [rootSpan("ex", "root", "start", 10)]), format));
      expect(await span(ws, "root"), format).toEqual({ status: "success", output: { a: "end" }, version: "20" });
      expect(await execution(ws, "ex"), format).toEqual({
        status: "success",
        output: { a: "end" },
        duration_ms: 1500,
        span_count: 1,
      });
    }
  });

  it("never lets a span's running start replace its end, even when the start was accepted later", async () => {
    for (const format of formats()) {
      const ws = await workspace();
      await writeSpanBatch(db, toSpanJob(spanBatch(ws, [rootSpan("ex", "root", "end", 10)]), format));
      await writeSpanBatch(db, toSpanJob(spanBatch(ws, [rootSpan("ex", "root", "start", 30)]), format));
      expect((await span(ws, "root")).status, format).toBe("success");
      expect((await execution(ws, "ex")).status, format).toBe("success");
    }
  });

  it("replaces a finished span with a newer finished version and never with an older one", async () => {
    for (const format of formats()) {
      const ws = await workspace();
      const write = (state: "end" | "end2", v: number) =>
        writeSpanBatch(db, toSpanJob(spanBatch(ws, [rootSpan("ex", "root", state, v)]), format));
      await write("end", 10);
      await write("end2", 20);
      expect(await span(ws, "root"), format).toMatchObject({ output: { a: "end2" }, version: "20" });
      await write("end", 15);
      expect(await span(ws, "root"), format).toMatchObject({ output: { a: "end2" }, version: "20" });
      expect((await execution(ws, "ex")).duration_ms, format).toBe(2500);
    }
  });

  it("keeps the newest of versions in one batch and stores the others' new spans", async () => {
    for (const format of formats()) {
      const ws = await workspace();
      await writeSpanBatch(db, toSpanJob(spanBatch(ws, [rootSpan("ex", "root", "end", 50)]), format));
      const child = { ...rootSpan("ex", "child", "end", 40), parent_id: "root", type: "tool_call" };
      // The stored end outranks this start; the new child goes in beside it.
      await writeSpanBatch(db, toSpanJob(spanBatch(ws, [rootSpan("ex", "root", "start", 60), child]), format));
      expect((await span(ws, "root")).status, format).toBe("success");
      expect(await span(ws, "child"), format).toMatchObject({ status: "success" });
      expect((await execution(ws, "ex")).span_count, format).toBe(2);
    }
  });

  it("does not leave an empty execution behind for an outranked version that names another execution", async () => {
    for (const format of formats()) {
      const ws = await workspace();
      await writeSpanBatch(db, toSpanJob(spanBatch(ws, [rootSpan("ex-new", "root", "end", 20)]), format));
      await writeSpanBatch(db, toSpanJob(spanBatch(ws, [rootSpan("ex-old", "root", "end", 10)]), format));
      const ids = await db.prisma.$queryRawUnsafe<{ id: string }[]>(
        `SELECT id FROM executions WHERE workspace_id = $1 ORDER BY id`,
        ws,
      );
      expect(
        ids.map((r) => r.id),
        format,
      ).toEqual(["ex-new"]);
    }
  });

  it("keeps the newest of many versions written by concurrent transactions", async () => {
    for (const format of formats()) {
      const ws = await workspace();
      const versions = [3, 7, 1, 9, 4, 8, 2, 6, 5];
      await Promise.all(
        versions.map((v) =>
          writeSpanBatch(
            db,
            toSpanJob(spanBatch(ws, [{ ...rootSpan("ex", "root", "end", v), output: { a: v } }]), format),
          ),
        ),
      );
      expect(await span(ws, "root"), format).toMatchObject({ output: { a: 9 }, version: "9" });
      expect((await execution(ws, "ex")).output, format).toEqual({ a: 9 });
    }
  });

  describe("events", () => {
    const rollups = async (ws: string) =>
      (
        await db.prisma.$queryRawUnsafe<Record<string, unknown>[]>(
          `SELECT agent_id, name, dim, kind, val, hour, n::text AS n, COALESCE(num_sum, 0)::text AS num_sum
             FROM event_rollups WHERE workspace_id = $1 AND (n <> 0 OR COALESCE(num_sum, 0) <> 0)
             ORDER BY agent_id, name, dim, kind, val, hour`,
          ws,
        )
      ).map((r) => JSON.stringify(r));
    const catalogCount = async (ws: string) =>
      Number(
        (
          await db.prisma.$queryRawUnsafe<{ count: string }[]>(
            `SELECT COALESCE(sum(count), 0)::text AS count FROM event_catalog WHERE workspace_id = $1`,
            ws,
          )
        )[0].count,
      );
    /** The rollups must equal a rebuild from the stored events (then restored as they were). */
    const expectRollupsExact = async (ws: string) => {
      const kept = await rollups(ws);
      await withTransaction(db, (tx) => rebuildRollups(tx, ws));
      expect(await rollups(ws)).toEqual(kept);
    };
    const batchOf = (ws: string, events: EventRow[]): EventBatch => ({ kind: "events", workspaceId: ws, events });
    const amount = async (ws: string, id: string) =>
      (
        await db.prisma.$queryRawUnsafe<{ amount: number }[]>(
          `SELECT (properties->>'amount')::int AS amount FROM track_events WHERE workspace_id = $1 AND id = $2`,
          ws,
          id,
        )
      )[0]?.amount;

    it("keep the newest version whatever order they are written in", async () => {
      const ws = await workspace();
      await writeEventBatch(db, batchOf(ws, [event("a", 20, 30), event("b", 5, 1)]));
      await writeEventBatch(db, batchOf(ws, [event("a", 10, 3), event("b", 6, 2)]));
      expect(await amount(ws, "a")).toBe(30);
      expect(await amount(ws, "b")).toBe(2);
      expect(await catalogCount(ws)).toBe(2);
      await expectRollupsExact(ws);
    });

    it("count once when the same ids are delivered by several transactions at once", async () => {
      const ws = await workspace();
      const events = Array.from({ length: 300 }, (_, i) => event(`ev${i}`, 1000 + i, i));
      // The same batch, as from a client retrying while its first try is in flight, a duplicate job
      // and several workers; then newer versions of some of them, also at once.
      await Promise.all(
        Array.from({ length: 6 }, () =>
          writeEventBatch(
            db,
            batchOf(
              ws,
              events.map((e) => ({ ...e })),
            ),
          ),
        ),
      );
      const newer = events
        .filter((_, i) => i % 3 === 0)
        .map((e) => ({ ...e, version: 5000, properties: { amount: 7 } }));
      await Promise.all([
        writeEventBatch(db, batchOf(ws, newer)),
        writeEventBatch(
          db,
          batchOf(
            ws,
            newer.map((e) => ({ ...e })),
          ),
        ),
        writeEventBatch(
          db,
          batchOf(
            ws,
            events.slice(0, 90).map((e) => ({ ...e })),
          ),
        ),
      ]);
      const [{ stored }] = await db.prisma.$queryRawUnsafe<{ stored: number }[]>(
        `SELECT count(*)::int AS stored FROM track_events WHERE workspace_id = $1`,
        ws,
      );
      expect(stored).toBe(300);
      expect(await catalogCount(ws)).toBe(300);
      expect(await amount(ws, "ev3")).toBe(7);
      expect(await amount(ws, "ev4")).toBe(4);
      await expectRollupsExact(ws);
    });
  });
});
