import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeData } from "@/bench/data";
import { parseTraceRecordFast, type TraceRecord, ZTraceRecord } from "@/lib/contracts/ingest";
import { type Db, openDatabase } from "@/lib/db/client";
import { withTransaction } from "@/lib/db/transaction";
import { createTestDb, type TestDb, testServerUrl } from "@/tests/helpers/db";
import { emptyContextFields, emptySpanFields, type SpanBatch, type SpanRow } from "./model";
import { buildSpanBatch, validateItems } from "./pipeline";
import { cleanString, spanCopyText, withWorkspaceColumn } from "./serialize";
import { executionContexts, mapTraceRecord } from "./sources/sdk/map";
import { clearAgentCache, resolveAgents } from "./write/agents";
import { writeEventBatch } from "./write/events";
import { LOCK_EXECUTIONS, ROLLUP_EXECUTIONS } from "./write/rollup";
import { copyLines, spanJobFormat, toSpanJob, writeSpanBatch } from "./write/spans";

const WS = "ws_write_test";

function batch(from: number, count: number): SpanBatch {
  const spans: SpanRow[] = [];
  for (let i = from; i < from + count; i++)
    spans.push({
      ...emptySpanFields(),
      id: `s${i}`,
      execution_id: `e${i}`,
      parent_id: null,
      type: "agent_execution",
      name: `run ${i}`,
      status: "success",
      started_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
      ended_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 1, i)).toISOString(),
      input: { question: "q".repeat(200) },
      output: { answer: "a".repeat(200) },
    });
  return {
    kind: "spans",
    workspaceId: WS,
    source: "sdk",
    spans,
    executions: spans.map((s) => ({
      execution_id: s.execution_id,
      agent: "default",
      agent_from_root: false,
      ...emptyContextFields(),
    })),
  };
}

/** The generic plan (the one a prepared statement keeps) of `sql` with these parameter values. */
async function genericPlan(db: TestDb, sql: string, args: string[]): Promise<string> {
  const steps = [`PREPARE runlens_plan AS ${sql}`, "SET plan_cache_mode = force_generic_plan"];
  const explain = `EXPLAIN EXECUTE runlens_plan(${args.map((a) => `'${a.replaceAll("'", "''")}'`).join(", ")})`;
  const cleanup = ["RESET plan_cache_mode", "DEALLOCATE runlens_plan"];
  if (db.pool) {
    const client = await db.pool.connect(); // one session: PREPARE and EXECUTE must share it
    try {
      for (const s of steps) await client.query(s);
      const rows = (await client.query(explain)).rows as { "QUERY PLAN": string }[];
      for (const s of cleanup) await client.query(s);
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    } finally {
      client.release();
    }
  }
  for (const s of steps) await db.prisma.$executeRawUnsafe(s);
  const rows = await db.prisma.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(explain);
  for (const s of cleanup) await db.prisma.$executeRawUnsafe(s);
  return rows.map((r) => r["QUERY PLAN"]).join("\n");
}

/** The plan Postgres caches for a lookup of one execution by its key (as each span once made). */
const lookupPlan = (db: TestDb) =>
  genericPlan(
    db,
    "SELECT 1 FROM ONLY executions x WHERE workspace_id = $1::text AND id = $2::text FOR KEY SHARE OF x",
    [WS, "e1"],
  );

/**
 * Writes `late` while another session holds the row of execution `executionId` (FOR NO KEY UPDATE):
 * once the batch waits at its rollup lock, its spans copied, `meanwhile` runs in that session, which
 * then commits. Returns what the batch's write returns.
 */
async function writeWhileHeld(
  db: TestDb,
  executionId: string,
  late: SpanBatch,
  meanwhile: (other: pg.Client) => Promise<void>,
) {
  const other = new pg.Client({ connectionString: db.url! });
  await other.connect();
  try {
    await other.query("BEGIN");
    await other.query(`SELECT 1 FROM executions WHERE workspace_id = $1 AND id = $2 FOR NO KEY UPDATE`, [
      WS,
      executionId,
    ]);
    const writing = writeSpanBatch(db, late);
    await expect
      .poll(async () => {
        const { rows } = await other.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows[0].n;
      })
      .toBe(1);
    await meanwhile(other);
    await other.query("COMMIT");
    return await writing;
  } finally {
    await other.end();
  }
}

describe("span writer on a young database", () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    clearAgentCache();
    await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ('${WS}', 'W', 'w-write-test')`);
  });
  afterAll(async () => {
    clearAgentCache();
    await db.drop();
  });

  it("keeps planner statistics of executions in step with its growth, so span lookups use the primary key", async () => {
    await writeSpanBatch(db, batch(0, 100)); // first batch: the never-analyzed table gets statistics
    for (let i = 1; i < 6; i++) await writeSpanBatch(db, batch(i * 100, 100));
    await new Promise((r) => setTimeout(r, 1100)); // checks are at most one a second
    await writeSpanBatch(db, batch(600, 100)); // the table has grown well past its statistics

    const [stats] = await db.prisma.$queryRawUnsafe<{ relpages: number; reltuples: number }[]>(
      `SELECT relpages, reltuples::float8 AS reltuples FROM pg_class WHERE oid = 'executions'::regclass`,
    );
    expect(stats.reltuples).toBeGreaterThan(100);
    expect(await lookupPlan(db)).toContain("executions_pkey");

    const [rollup] = await db.prisma.$queryRawUnsafe<{ n: number; spans: number }[]>(
      `SELECT count(*)::int AS n, sum(span_count)::int AS spans FROM executions WHERE workspace_id = '${WS}'`,
    );
    expect(rollup).toEqual({ n: 700, spans: 700 });
  }, 60_000);

  it("finds a batch's executions by their key, not by scanning a table of thousands", async () => {
    // The planner takes a batch's JSON for a hundred rows; against a few thousand analyzed
    // executions, the writers' generic plans then scanned the whole table for every batch.
    for (let i = 0; i < 6; i++) await writeSpanBatch(db, batch(30_000 + i * 500, 500));
    await db.prisma.$executeRawUnsafe("ANALYZE executions");
    await db.prisma.$executeRawUnsafe("ANALYZE spans");
    for (const plan of [
      await genericPlan(db, LOCK_EXECUTIONS, [WS, '["e30000"]']),
      await genericPlan(db, ROLLUP_EXECUTIONS, [WS, "[]", "sdk"]),
    ]) {
      expect(plan).toContain("executions_pkey");
      expect(plan).not.toMatch(/Seq Scan on executions/);
    }
  });

  it("remembers an agent id only once the transaction that created it has committed", async () => {
    // A batch whose transaction rolls back (a deadlock, a direct COPY refused...) created its
    // agent in vain: the next attempt must create it again, not reuse the id of a row that is gone.
    await expect(
      withTransaction(db, async (tx) => {
        await resolveAgents(tx, WS, ["rolled-back agent"]);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    const b = batch(20_000, 2);
    for (const c of b.executions) c.agent = "rolled-back agent";
    await writeSpanBatch(db, b);
    const [agent] = await db.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM executions e JOIN agents a ON a.id = e.agent_id
        WHERE e.workspace_id = '${WS}' AND a.name = 'rolled-back agent'`,
    );
    expect(agent.n).toBe(2);
  });

  it.runIf(!!testServerUrl())(
    "creates an execution again when it is deleted while a batch's spans go in (no span left without it)",
    async () => {
      // Another session holds the execution's row, so the batch waits at its rollup lock with its
      // spans copied; that session then deletes the execution and commits.
      const first = batch(20_000, 1);
      first.spans[0] = { ...first.spans[0], id: "gone-root" };
      await writeSpanBatch(db, first);
      const late = batch(20_000, 1);
      late.spans[0] = { ...late.spans[0], id: "late-span" };
      await writeWhileHeld(db, "e20000", late, async (other) => {
        await other.query(`DELETE FROM executions WHERE workspace_id = $1 AND id = 'e20000'`, [WS]);
      });
      const [e] = await db.prisma.$queryRawUnsafe<{ span_count: number }[]>(
        `SELECT span_count FROM executions WHERE workspace_id = '${WS}' AND id = 'e20000'`,
      );
      expect(e).toEqual({ span_count: 1 });
      expect(
        await db.prisma.$queryRawUnsafe(
          `SELECT id FROM spans WHERE workspace_id = '${WS}' AND execution_id = 'e20000'`,
        ),
      ).toEqual([{ id: "late-span" }]);
    },
  );

  it.runIf(!!testServerUrl())(
    "creates an execution of an earlier day again on that day, where the batch copied its spans",
    async () => {
      // An execution created yesterday (its spans' partition day): the batch copies its span into
      // yesterday's partition, then waits at the rollup lock while another session deletes the
      // execution. Created again today, its span would be in a partition its reads never look at.
      const first = batch(22_000, 1);
      await writeSpanBatch(db, first);
      await db.prisma.$executeRawUnsafe(`DELETE FROM spans WHERE workspace_id = '${WS}' AND execution_id = 'e22000'`);
      await db.prisma.$executeRawUnsafe(
        `UPDATE executions SET created_at = now() - interval '1 day' WHERE workspace_id = '${WS}' AND id = 'e22000'`,
      );
      const late = batch(22_000, 1);
      late.spans[0] = { ...late.spans[0], id: "late-dated" };
      await writeWhileHeld(db, "e22000", late, async (other) => {
        await other.query(`DELETE FROM executions WHERE workspace_id = $1 AND id = 'e22000'`, [WS]);
      });
      const rows = await db.prisma.$queryRawUnsafe<{ span_count: number; same_day: boolean; yesterday: boolean }[]>(
        `SELECT e.span_count, s.day = (e.created_at AT TIME ZONE 'UTC')::date AS same_day,
             s.day = ((now() - interval '1 day') AT TIME ZONE 'UTC')::date AS yesterday
           FROM executions e JOIN spans s ON s.workspace_id = e.workspace_id AND s.execution_id = e.id
           WHERE e.workspace_id = '${WS}' AND e.id = 'e22000'`,
      );
      expect(rows).toEqual([{ span_count: 1, same_day: true, yesterday: true }]);
    },
  );

  it.runIf(!!testServerUrl())(
    "rolls an execution up in full when it stops keeping its aggregates while a batch waits for its lock",
    async () => {
      // The batch reads the execution's state unlocked (it keeps its aggregates: a merge), copies its
      // span, then waits at the rollup lock; meanwhile another session turns the aggregates off and
      // leaves them wrong (as a move of spans out of it would). A merge into them would keep the
      // wrong count; the batch must read the state again under the lock and roll up in full.
      // Every execution that keeps its aggregates is merged into, however few its spans.
      process.env.RUNLENS_INCREMENTAL_ROLLUP_MIN_SPANS = "0";
      try {
        const first = batch(21_000, 1);
        first.spans[0] = { ...first.spans[0], id: "kept-root" };
        await writeSpanBatch(db, first);
        const before = await db.prisma.$queryRawUnsafe<{ rollup_ok: boolean; span_count: number }[]>(
          `SELECT rollup_ok, span_count FROM executions WHERE workspace_id = '${WS}' AND id = 'e21000'`,
        );
        expect(before).toEqual([{ rollup_ok: true, span_count: 1 }]);
        const late = batch(21_000, 1);
        late.spans[0] = { ...late.spans[0], id: "late-child", parent_id: "kept-root", type: "log", name: "late" };
        const result = await writeWhileHeld(db, "e21000", late, async (other) => {
          await other.query(
            `UPDATE executions SET rollup_ok = false, span_count = 999, agg_llm_total = 12345 WHERE workspace_id = $1 AND id = 'e21000'`,
            [WS],
          );
        });
        expect(result.merged).toBe(0);
      } finally {
        delete process.env.RUNLENS_INCREMENTAL_ROLLUP_MIN_SPANS;
      }
      const after = await db.prisma.$queryRawUnsafe<
        { rollup_ok: boolean; span_count: number; agg_llm_total: string }[]
      >(
        `SELECT rollup_ok, span_count, agg_llm_total::text FROM executions WHERE workspace_id = '${WS}' AND id = 'e21000'`,
      );
      expect(after).toEqual([{ rollup_ok: true, span_count: 2, agg_llm_total: "0" }]);
    },
  );

  it("concurrent batches of one execution roll it up from all their spans (no lost update)", async () => {
    // One span per batch, all of execution "shared", written at once (as concurrent OTLP exports
    // of one trace reach parallel workers): the last rollup must see every span.
    // Each batch also holds a message: its thread search text (a trigger, with a foreign key to the
    // execution) goes in with the spans, before the batch locks the execution for its rollup.
    const one = (i: number): SpanBatch => {
      const b = batch(10_000 + i, 2);
      b.spans[0] = { ...b.spans[0], execution_id: "shared", parent_id: i === 0 ? null : "s10000", tokens_input: 1 };
      b.spans[1] = {
        ...b.spans[1],
        id: `m${i}`,
        execution_id: "shared",
        parent_id: "s10000",
        type: "conversation_message",
        message: { role: "user", content: `message ${i}` },
        message_role: "user",
        tokens_input: null,
        tokens_output: null,
        tokens_total: null,
      };
      b.executions = [{ ...b.executions[0], execution_id: "shared" }];
      return b;
    };
    for (let round = 0; round < 5; round++) {
      // (its spans go with it: a trigger on executions deletes them)
      await db.prisma.$executeRawUnsafe(`DELETE FROM executions WHERE workspace_id = '${WS}' AND id = 'shared'`);
      await Promise.all(Array.from({ length: 8 }, (_, i) => writeSpanBatch(db, one(i))));
      const [e] = await db.prisma.$queryRawUnsafe<{ span_count: number; tokens_input: number }[]>(
        `SELECT span_count, tokens_input::int AS tokens_input FROM executions WHERE workspace_id = '${WS}' AND id = 'shared'`,
      );
      expect(e).toEqual({ span_count: 16, tokens_input: 8 });
      const [c] = await db.prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM conversation_search WHERE workspace_id = '${WS}' AND execution_id = 'shared'`,
      );
      expect(c.n).toBe(8);
    }
  });
});

/** Every stored column of a workspace's spans and executions, ids in order, without write times. */
async function stored(db: TestDb, ws: string) {
  const spans = await db.prisma.$queryRawUnsafe<{ row: Record<string, unknown> }[]>(
    `SELECT to_jsonb(s) - 'workspace_id' - 'received_at' - 'version' AS row FROM spans s WHERE workspace_id = $1 ORDER BY id`,
    ws,
  );
  const executions = await db.prisma.$queryRawUnsafe<{ row: Record<string, unknown> }[]>(
    `SELECT to_jsonb(e) - 'workspace_id' - 'agent_id' - 'created_at' - 'updated_at' AS row
       FROM executions e WHERE workspace_id = $1 ORDER BY id`,
    ws,
  );
  return { spans: spans.map((r) => r.row), executions: executions.map((r) => r.row) };
}

describe("span rows as COPY text and as JSON", () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    clearAgentCache();
    for (const ws of ["ws_copy", "ws_rows"])
      await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ('${ws}', 'W', '${ws}')`);
  });
  afterAll(async () => {
    clearAgentCache();
    await db.drop();
  });

  /** `n` realistic SDK spans (those of the ingest benchmark) through validation, mapping and protection. */
  async function sdkBatch(ws: string, n: number): Promise<SpanBatch> {
    const { valid } = validateItems(makeData(n).spans, ZTraceRecord, () => null, parseTraceRecordFast);
    const records = valid as TraceRecord[];
    return buildSpanBatch(db, ws, "sdk", records.map(mapTraceRecord), executionContexts(records));
  }

  it.runIf(!!process.env.TEST_DATABASE_URL || !!process.env.DATABASE_URL)(
    "store the same spans and executions whether rows travel as COPY text or as JSON, new or resent",
    async () => {
      const copy = toSpanJob(await sdkBatch("ws_copy", 1500), "copy");
      const rows = toSpanJob(await sdkBatch("ws_rows", 1500), "rows");
      expect(copy.kind).toBe("span_copy");
      expect(rows.kind).toBe("span_rows");
      // New spans go straight into `spans`.
      expect((await writeSpanBatch(db, copy)).via).toBe("copy");
      expect((await writeSpanBatch(db, rows)).via).toBe("json");
      const first = await stored(db, "ws_copy");
      expect(first).toEqual(await stored(db, "ws_rows"));
      // Resent: the plain COPY fails on the stored spans and the batch is written again, its stored
      // spans deleted first, with the same result; later batches of that workspace and source do
      // so right away for a while.
      expect((await writeSpanBatch(db, copy)).via).toBe("replace");
      expect((await writeSpanBatch(db, copy)).via).toBe("replace");
      const a = await stored(db, "ws_copy");
      const b = await stored(db, "ws_rows");
      expect(a.spans).toHaveLength(1500);
      expect(a.executions.length).toBeGreaterThan(30);
      expect(a).toEqual(b);
      expect(a).toEqual(first);
    },
  );

  it("stores each span once when the same batch is written twice at the same time", async () => {
    for (const ws of ["ws_twice", "ws_once"])
      await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ('${ws}', 'W', '${ws}')`);
    const format = db.pool ? "copy" : "rows";
    const twice = toSpanJob(await sdkBatch("ws_twice", 600), format);
    const results = await Promise.all([writeSpanBatch(db, twice), writeSpanBatch(db, twice)]);
    // One went in first; the other met its spans (waiting for the first to commit) and replaced them.
    if (db.pool) expect(results.map((r) => r.via).sort()).toEqual(["copy", "replace"]);
    await writeSpanBatch(db, toSpanJob(await sdkBatch("ws_once", 600), format));
    const got = await stored(db, "ws_twice");
    expect(got.spans).toHaveLength(600);
    expect(got).toEqual(await stored(db, "ws_once"));
  });

  it.runIf(!!process.env.TEST_DATABASE_URL || !!process.env.DATABASE_URL)(
    "writes COPY jobs queued before lines began with the workspace id",
    async () => {
      for (const ws of ["ws_old", "ws_mid", "ws_new"])
        await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ('${ws}', 'W', '${ws}')`);
      const job = toSpanJob(await sdkBatch("ws_old", 300), "copy");
      if (job.kind !== "span_copy") throw new Error("expected a COPY job");
      // The earliest layout: the same lines without their first column and without cost and version.
      const withoutCostAndVersion = job.copy.replace(/\t[^\t\n]*\t\d+$/gm, "");
      const old = { ...job, copy: withoutCostAndVersion.replace(/^ws_old\t/gm, ""), layout: undefined };
      expect(old.copy.split("\n")).toHaveLength(301);
      expect(old.copy.startsWith("ws_old")).toBe(false);
      expect(withWorkspaceColumn("ws_old", old.copy)).toBe(withoutCostAndVersion);
      await writeSpanBatch(db, old);
      // Layout 3: queued before costs (no cost column before the version).
      const mid = toSpanJob(await sdkBatch("ws_mid", 300), "copy");
      if (mid.kind !== "span_copy") throw new Error("expected a COPY job");
      await writeSpanBatch(db, { ...mid, copy: mid.copy.replace(/\t[^\t\n]*(\t\d+)$/gm, "$1"), layout: 3 });
      await writeSpanBatch(db, toSpanJob(await sdkBatch("ws_new", 300), "copy"));
      // Jobs queued before costs store no cost (a recompute fills it in); the rest is the same.
      const withoutCost = ({ spans, executions }: Awaited<ReturnType<typeof stored>>) =>
        [...spans, ...executions].map(({ cost: _cost, agg_cost: _aggCost, agg_priced: _aggPriced, ...row }) => row);
      const got = await stored(db, "ws_old");
      expect(got.spans).toHaveLength(300);
      expect(withoutCost(got)).toEqual(withoutCost(await stored(db, "ws_new")));
      expect(withoutCost(await stored(db, "ws_mid"))).toEqual(withoutCost(await stored(db, "ws_new")));
    },
  );

  it("reads back the span ids, executions and ranks of COPY text, however they are escaped", () => {
    const ids = ["plain", "tab\there", "new\nline\r", "back\\slash \\N \\t", "nul\u0000", "lone\ud800", "ação 😀"];
    const rows = ids.map((id, i) => ({
      ...batch(i, 1).spans[0],
      id,
      execution_id: `ex\t${i}`,
      status: i % 2 ? ("running" as const) : ("success" as const),
      name: `n\t${i}`,
      input: { "k\t": "v\n" },
      version: 1_000_000 + i,
    }));
    const text = spanCopyText("ws\tx", rows);
    const lines = copyLines(text, true);
    expect(lines.map((l) => l.id)).toEqual(ids.map(cleanString));
    expect(lines.map((l) => l.executionId)).toEqual(rows.map((r) => r.execution_id));
    expect(lines.map((l) => [l.finished, l.version])).toEqual(
      rows.map((r, i) => [r.status !== "running", 1_000_000 + i]),
    );
    expect(lines.map((l) => text.slice(l.start, l.end)).join("")).toBe(text);
    expect(copyLines("", true)).toEqual([]);
  });

  it("stores hostile strings as they were sent, and what Postgres cannot hold as U+FFFD", async () => {
    const nasty = 'tab\there\nnew\rline \\ back\\slash \\N \\. "quoted" ação 😀 \u0000nul \ud800lone \\u0041';
    const want = nasty.replaceAll("\u0000", "\uFFFD").replaceAll("\ud800", "\uFFFD");
    const b = batch(50_000, 3);
    b.workspaceId = "ws_copy";
    b.spans[0] = { ...b.spans[0], name: nasty, input: { [nasty]: [nasty, 1, null, { k: nasty }] }, output: nasty };
    b.spans[1] = { ...b.spans[1], id: `weird\u0000id`, http_url: nasty, metadata: { a: "\\" } };
    b.executions[0] = { ...b.executions[0], agent: nasty, thread_id: nasty };
    b.spans[2] = { ...b.spans[2], id: nasty };
    await writeSpanBatch(db, b);
    await writeSpanBatch(db, b); // resent: the stored versions of these ids are found and replaced
    const [count] = await db.prisma.$queryRawUnsafe<{ n: number; spans: number }[]>(
      `SELECT count(*)::int AS n, (SELECT sum(span_count)::int FROM executions WHERE workspace_id = 'ws_copy'
         AND id IN ('e50000', 'e50001', 'e50002')) AS spans
       FROM spans WHERE workspace_id = 'ws_copy' AND execution_id IN ('e50000', 'e50001', 'e50002')`,
    );
    expect(count).toEqual({ n: 3, spans: 3 });
    const rows = await db.prisma.$queryRawUnsafe<
      { id: string; name: string; input: unknown; output: unknown; http_url: string | null; metadata: unknown }[]
    >(
      `SELECT id, name, input, output, http_url, metadata FROM spans WHERE workspace_id = 'ws_copy' AND id IN ('s50000', 'weird\uFFFDid')
         ORDER BY id`,
    );
    expect(rows).toEqual([
      {
        id: "s50000",
        name: want,
        input: { [want]: [want, 1, null, { k: want }] },
        output: want,
        http_url: null,
        metadata: null,
      },
      {
        id: "weird\uFFFDid",
        name: "run 50001",
        input: { question: "q".repeat(200) },
        output: { answer: "a".repeat(200) },
        http_url: want,
        metadata: { a: "\\" },
      },
    ]);
    const [exec] = await db.prisma.$queryRawUnsafe<{ name: string; thread_id: string; agent: string }[]>(
      `SELECT e.name, e.thread_id, a.name AS agent FROM executions e JOIN agents a ON a.id = e.agent_id
         WHERE e.workspace_id = 'ws_copy' AND e.id = 'e50000'`,
    );
    expect(exec).toEqual({ name: want, thread_id: want, agent: want });
  });

  it("stores events with such strings too", async () => {
    const nasty = "ev\u0000ent \ud800 ok";
    await writeEventBatch(db, {
      kind: "events",
      workspaceId: "ws_copy",
      events: [
        {
          id: "ev1",
          agent: "default",
          name: nasty,
          properties: { [nasty]: nasty },
          timestamp: new Date().toISOString(),
          thread_id: null,
          execution_id: null,
        },
      ],
    });
    const want = "ev\uFFFDent \uFFFD ok";
    const [ev] = await db.prisma.$queryRawUnsafe<{ name: string; properties: unknown }[]>(
      `SELECT name, properties FROM track_events WHERE workspace_id = 'ws_copy' AND id = 'ev1'`,
    );
    expect(ev).toEqual({ name: want, properties: { [want]: want } });
  });
});

describe("a span resent under another execution", () => {
  let db: TestDb;
  const WS_MOVE = "ws_move";
  beforeAll(async () => {
    db = await createTestDb();
    clearAgentCache();
    await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ('${WS_MOVE}', 'W', 'w-move')`);
  });
  afterAll(async () => {
    clearAgentCache();
    await db.drop();
  });

  const one = (
    id: string,
    execution: string,
    parent: string | null,
    tokens: number | null,
    format: "copy" | "rows",
  ) => {
    const b = batch(0, 1);
    b.workspaceId = WS_MOVE;
    b.spans[0] = {
      ...b.spans[0],
      id,
      execution_id: execution,
      parent_id: parent,
      type: parent ? "llm_call" : "agent_execution",
      tokens_input: tokens,
      tokens_output: tokens,
      tokens_total: tokens === null ? null : 2 * tokens,
    };
    b.executions[0] = { ...b.executions[0], execution_id: execution };
    // On PGlite only JSON rows can be written.
    return toSpanJob(b, db.pool ? format : "rows");
  };
  const executions = async () =>
    db.prisma.$queryRawUnsafe<{ id: string; span_count: number; tokens_total: number }[]>(
      `SELECT id, span_count, tokens_total::int AS tokens_total FROM executions WHERE workspace_id = '${WS_MOVE}' ORDER BY id`,
    );

  it.each(["copy", "rows"] as const)("moves, and both executions are rolled up (%s)", async (format) => {
    const [e1, e2] = [`${format}-e1`, `${format}-e2`];
    for (const j of [
      one(`${format}-r1`, e1, null, null, format),
      one(`${format}-c1`, e1, `${format}-r1`, 5, format),
      one(`${format}-r2`, e2, null, null, format),
    ])
      await writeSpanBatch(db, j);
    const { executionIds } = await writeSpanBatch(db, one(`${format}-c1`, e2, `${format}-r2`, 5, format));
    expect(executionIds.sort()).toEqual([e1, e2]);
    let rows = (await executions()).filter((e) => e.id.startsWith(format));
    expect(rows).toEqual([
      { id: e1, span_count: 1, tokens_total: 0 },
      { id: e2, span_count: 2, tokens_total: 10 },
    ]);
    const [span] = await db.prisma.$queryRawUnsafe<{ execution_id: string }[]>(
      `SELECT execution_id FROM spans WHERE workspace_id = '${WS_MOVE}' AND id = '${format}-c1'`,
    );
    expect(span.execution_id).toBe(e2);

    // Its last span moves out too: the execution stays, empty.
    await writeSpanBatch(db, one(`${format}-r1`, e2, `${format}-r2`, null, format));
    rows = (await executions()).filter((e) => e.id.startsWith(format));
    expect(rows).toEqual([
      { id: e1, span_count: 0, tokens_total: 0 },
      { id: e2, span_count: 3, tokens_total: 10 },
    ]);
  });
});

describe("spans and their execution (no foreign key between them)", () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    clearAgentCache();
    for (const ws of ["ws_del_a", "ws_del_b"])
      await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ('${ws}', 'W', '${ws}')`);
  });
  afterAll(async () => {
    clearAgentCache();
    await db.drop();
  });

  const spansOf = async (ws: string) =>
    (
      await db.prisma.$queryRawUnsafe<{ execution_id: string }[]>(
        `SELECT execution_id FROM spans WHERE workspace_id = $1 ORDER BY execution_id`,
        ws,
      )
    ).map((r) => r.execution_id);
  const twoSpansEach = (ws: string, from: number): SpanBatch => {
    const b = batch(from, 3);
    b.workspaceId = ws;
    b.spans.push(...b.spans.map((s) => ({ ...s, id: `${s.id}-child`, parent_id: s.id, type: "tool_call" })));
    return b;
  };

  it("go when their execution is deleted, and when their workspace is", async () => {
    await writeSpanBatch(db, twoSpansEach("ws_del_a", 0));
    await writeSpanBatch(db, twoSpansEach("ws_del_b", 0));
    expect(await spansOf("ws_del_a")).toEqual(["e0", "e0", "e1", "e1", "e2", "e2"]);

    await db.prisma.$executeRawUnsafe(`DELETE FROM executions WHERE workspace_id = 'ws_del_a' AND id IN ('e0', 'e2')`);
    expect(await spansOf("ws_del_a")).toEqual(["e1", "e1"]);
    expect(await spansOf("ws_del_b")).toEqual(["e0", "e0", "e1", "e1", "e2", "e2"]); // same ids, other workspace

    await db.prisma.$executeRawUnsafe(`DELETE FROM workspaces WHERE id = 'ws_del_a'`);
    expect(await spansOf("ws_del_a")).toEqual([]);
    expect(await spansOf("ws_del_b")).toHaveLength(6);

    await db.prisma.$executeRawUnsafe(`TRUNCATE executions CASCADE`);
    expect(await spansOf("ws_del_b")).toEqual([]);
  });

  it("a batch must carry the context of every span's execution (the writer creates it)", () => {
    const b = twoSpansEach("ws_del_b", 10);
    b.executions = b.executions.filter((c) => c.execution_id !== "e11");
    expect(() => toSpanJob(b, "rows")).toThrow(/execution "e11"/);
  });
});

describe.runIf(!!process.env.TEST_DATABASE_URL || !!process.env.DATABASE_URL)(
  "a database role without the TEMPORARY privilege (the writer needs none)",
  () => {
    let db: TestDb;
    let restricted: Db;
    const role = `runlens_notemp_${process.pid}`;
    beforeAll(async () => {
      db = await createTestDb();
      clearAgentCache();
      const dbName = new URL(db.url!).pathname.slice(1);
      for (const sql of [
        `INSERT INTO workspaces (id, name, slug) VALUES ('ws_notemp', 'W', 'w-notemp')`,
        `DROP ROLE IF EXISTS ${role}`,
        `CREATE ROLE ${role} LOGIN`,
        `GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}`,
        `GRANT USAGE ON SCHEMA public TO ${role}`,
        `REVOKE TEMPORARY ON DATABASE ${dbName} FROM PUBLIC`,
      ])
        await db.prisma.$executeRawUnsafe(sql);
      const url = new URL(db.url!);
      url.username = role;
      restricted = await openDatabase({ kind: "postgres", url: url.toString(), migrate: "skip" });
    });
    afterAll(async () => {
      clearAgentCache();
      await restricted.close();
      await db.drop(); // its grants go with it
      const admin = new pg.Client({ connectionString: testServerUrl()! });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    });

    it("writes and rewrites spans by COPY with table privileges only (no temporary table)", async () => {
      expect(spanJobFormat(restricted)).toBe("copy");
      const b = batch(70_000, 20);
      b.workspaceId = "ws_notemp";
      expect((await writeSpanBatch(restricted, b)).via).toBe("copy");
      expect((await writeSpanBatch(restricted, b)).via).toBe("replace");
      const [n] = await db.prisma.$queryRawUnsafe<{ n: number; spans: number }[]>(
        `SELECT count(*)::int AS n, (SELECT sum(span_count)::int FROM executions WHERE workspace_id = 'ws_notemp') AS spans
           FROM spans WHERE workspace_id = 'ws_notemp'`,
      );
      expect(n).toEqual({ n: 20, spans: 20 });
    });
  },
);
