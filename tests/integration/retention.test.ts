// Retention and the storage budget (lib/data/retention.ts): expired days go by dropping their
// partitions; reviewed executions stay readable from the keep partition; rollups keep the history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZMetricQuery } from "@/lib/contracts/metrics";
import { ZExportQuery } from "@/lib/contracts/reviews";
import { listExecutionMessages } from "@/lib/conversations/threads";
import { runDataMaintenance } from "@/lib/data/maintenance";
import { ensurePartitionsAhead, workspaceLevel } from "@/lib/data/partitions";
import { applyRetention, enforceStorageBudget } from "@/lib/data/retention";
import { emptyContextFields, emptySpanFields, type SpanBatch } from "@/lib/ingest/model";
import { clearAgentCache } from "@/lib/ingest/write/agents";
import { writeEventBatch } from "@/lib/ingest/write/events";
import { spanJobFormat, toSpanJob, writeSpanBatch } from "@/lib/ingest/write/spans";
import { executeMetricQuery } from "@/lib/metrics/query";
import { exportTraining } from "@/lib/reviews/export";
import { getExecutionDetails, getExecutionOutline } from "@/lib/traces/details";
import { createTestDb, type TestDb } from "../helpers/db";

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function run(ws: string, execution: string, spans: number): SpanBatch {
  const rows = Array.from({ length: spans }, (_, i) => ({
    ...emptySpanFields(),
    id: `${execution}-s${i}`,
    execution_id: execution,
    parent_id: i === 0 ? null : `${execution}-s0`,
    type: i === 0 ? "agent_execution" : "llm_call",
    name: `${execution} ${i}`,
    status: "success" as const,
    started_at: new Date(Date.UTC(2026, 11, 1, 10, 0, i)).toISOString(),
    ended_at: new Date(Date.UTC(2026, 11, 1, 10, 0, i + 1)).toISOString(),
    input: { q: `question ${i}` },
    output: { a: `answer ${i}` },
    tokens_input: 3,
    tokens_output: 4,
    tokens_total: 7,
  }));
  // The reviewed run has a conversation (its chat view).
  if (execution === "reviewed")
    rows.push({
      ...emptySpanFields(),
      id: `${execution}-chat`,
      execution_id: execution,
      parent_id: `${execution}-s0`,
      type: "conversation_message",
      name: "user",
      status: "success" as const,
      started_at: new Date(Date.UTC(2026, 11, 1, 10, 0, 30)).toISOString(),
      ended_at: new Date(Date.UTC(2026, 11, 1, 10, 0, 30)).toISOString(),
      message: { role: "user", content: "Where is my order PED-1?" },
      message_role: "user",
    } as (typeof rows)[number]);
  return {
    kind: "spans",
    workspaceId: ws,
    source: "sdk",
    spans: rows,
    executions: [{ execution_id: execution, agent: "default", agent_from_root: false, ...emptyContextFields() }],
  };
}

describe("retention", () => {
  let db: TestDb;
  const q = <T>(sql: string, ...params: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(sql, ...params);
  const exec = (sql: string, ...params: unknown[]) => db.prisma.$executeRawUnsafe(sql, ...params);
  const now = new Date();
  const old = utcDay(now.getTime() - 5 * DAY_MS);
  const today = utcDay(now.getTime());

  /** Writes an execution, then makes it (and its spans) `daysAgo` days old, in that day's partition. */
  async function writeAged(ws: string, execution: string, spans: number, daysAgo: number) {
    await writeSpanBatch(db, toSpanJob(run(ws, execution, spans), spanJobFormat(db)));
    if (!daysAgo) return;
    const at = new Date(now.getTime() - daysAgo * DAY_MS);
    await exec(
      `UPDATE executions SET created_at = $3::timestamptz WHERE workspace_id = $1 AND id = $2`,
      ws,
      execution,
      at.toISOString(),
    );
    await exec(
      `UPDATE spans SET day = $3::date WHERE workspace_id = $1 AND execution_id = $2`,
      ws,
      execution,
      utcDay(at.getTime()),
    );
    await ensurePartitionsAhead(db, at, 0);
  }

  beforeAll(async () => {
    db = await createTestDb();
    clearAgentCache();
    await exec(
      `INSERT INTO workspaces (id, name, slug, traces_retention_days, events_retention_days)
       VALUES ('ws_ret', 'R', 'r', 3, 3), ('ws_keep', 'K', 'k', NULL, NULL)`,
    );
    for (const ws of ["ws_ret", "ws_keep"]) {
      await writeAged(ws, "reviewed", 4, 5);
      await writeAged(ws, "expired", 3, 5);
      await writeAged(ws, "recent", 2, 0);
      const t = (ms: number) => new Date(ms).toISOString();
      await writeEventBatch(db, {
        kind: "events",
        workspaceId: ws,
        events: [
          {
            id: "old-ev",
            agent: "default",
            name: "signup",
            properties: {},
            timestamp: t(now.getTime() - 5 * DAY_MS),
            thread_id: null,
            execution_id: null,
          },
          {
            id: "new-ev",
            agent: "default",
            name: "signup",
            properties: {},
            timestamp: t(now.getTime()),
            thread_id: null,
            execution_id: null,
          },
        ],
      });
      const [agent] = await q<{ id: string }>(`SELECT id FROM agents WHERE workspace_id = $1`, ws);
      await exec(
        `INSERT INTO reviews (id, workspace_id, execution_id, agent_id, rating, comment, reviewed_by, corrected_output)
         VALUES ($1, $2, 'reviewed', $3, 'bad', 'wrong answer', 'someone', 'the right answer')`,
        `rv-${ws}`,
        ws,
        agent.id,
      );
    }
  });
  afterAll(async () => {
    clearAgentCache();
    await db.drop();
  });

  it("drops the expired days, keeps reviewed executions readable and the rollups whole", async () => {
    const rollups = () =>
      q<{ workspace_id: string; n: number; tokens: number }>(
        `SELECT workspace_id, sum(n)::int AS n, sum(tokens)::int AS tokens FROM execution_rollups
         WHERE kind = 0 AND tier = 0 GROUP BY 1 ORDER BY 1`,
      );
    const eventRollups = () =>
      q<{ workspace_id: string; n: number }>(
        `SELECT workspace_id, sum(n)::int AS n FROM event_rollups WHERE kind = 0 GROUP BY 1 ORDER BY 1`,
      );
    const rollupsBefore = await rollups();
    const eventRollupsBefore = await eventRollups();
    expect(rollupsBefore).toEqual([
      { workspace_id: "ws_keep", n: 3, tokens: 7 * 6 },
      { workspace_id: "ws_ret", n: 3, tokens: 7 * 6 },
    ]);
    const detailsBefore = await getExecutionDetails(db, "ws_ret", "reviewed", { offset: 0, limit: 100 });
    expect(detailsBefore.traces).toHaveLength(5);
    const chatBefore = await listExecutionMessages(db, "ws_ret", "reviewed");
    expect(chatBefore.map((m) => m.content)).toEqual(["Where is my order PED-1?"]);
    const exportQuery = ZExportQuery.parse({ status: "open" });
    const exportBefore = await exportTraining(db, "ws_ret", exportQuery);
    expect(exportBefore).toMatchObject({ count: 1 });
    const outlineBefore = await getExecutionOutline(db, "ws_ret", "reviewed", { offset: 0, limit: 100 });

    const r = await runDataMaintenance(db, now);
    const dropped = r.retention.dropped.map((d) => `${d.table} ${d.workspaceId} ${d.day}`).sort();
    expect(dropped).toEqual([`spans ws_ret ${old}`, `track_events ws_ret ${old}`]);
    expect(r.retention.executionsRemoved).toBe(1);
    expect(r.retention.executionsKept).toBe(1);

    const executions = await q<{ workspace_id: string; id: string; span_count: number }>(
      `SELECT workspace_id, id, span_count FROM executions ORDER BY 1, 2`,
    );
    expect(executions).toEqual([
      { workspace_id: "ws_keep", id: "expired", span_count: 3 },
      { workspace_id: "ws_keep", id: "recent", span_count: 2 },
      { workspace_id: "ws_keep", id: "reviewed", span_count: 5 },
      { workspace_id: "ws_ret", id: "recent", span_count: 2 },
      { workspace_id: "ws_ret", id: "reviewed", span_count: 5 },
    ]);
    const spans = await q<{ execution_id: string; n: number; rel: string }>(
      `SELECT execution_id, count(*)::int AS n, min(tableoid::regclass::text) AS rel FROM spans WHERE workspace_id = 'ws_ret' GROUP BY 1 ORDER BY 1`,
    );
    expect(spans.map((s) => [s.execution_id, s.n])).toEqual([
      ["recent", 2],
      ["reviewed", 5],
    ]);
    expect(spans[1].rel).toMatch(/_keep$/);
    expect(await q(`SELECT execution_id FROM execution_search WHERE workspace_id = 'ws_ret' ORDER BY 1`)).toEqual([
      { execution_id: "recent" },
      { execution_id: "reviewed" },
    ]);
    // Its messages are still found by the thread search (the move to the keep day rewrote its text).
    expect(await q(`SELECT execution_id, doc FROM conversation_search WHERE workspace_id = 'ws_ret'`)).toEqual([
      { execution_id: "reviewed", doc: '"Where is my order PED-1?"' },
    ]);
    // The reviewed execution reads as before (its spans from the keep partition).
    expect(await getExecutionDetails(db, "ws_ret", "reviewed", { offset: 0, limit: 100 })).toEqual(detailsBefore);
    expect(await getExecutionOutline(db, "ws_ret", "reviewed", { offset: 0, limit: 100 })).toEqual(outlineBefore);
    expect(await listExecutionMessages(db, "ws_ret", "reviewed")).toEqual(chatBefore);
    // Its fine-tuning export line (root input, corrected output) is the same.
    expect(await exportTraining(db, "ws_ret", exportQuery)).toEqual(exportBefore);
    // Events: the old day's gone, today's stays; rollups of both kept.
    expect(await q(`SELECT workspace_id, id FROM track_events ORDER BY 1, 2`)).toEqual([
      { workspace_id: "ws_keep", id: "new-ev" },
      { workspace_id: "ws_keep", id: "old-ev" },
      { workspace_id: "ws_ret", id: "new-ev" },
    ]);
    expect(await rollups()).toEqual(rollupsBefore);
    expect(await eventRollups()).toEqual(eventRollupsBefore);

    // A card over the old range still counts the dropped day's event, from the hourly rollups, and
    // says so; one that needs raw events says that its earlier part is incomplete.
    const query = ZMetricQuery.parse({
      agent: "default",
      event: "signup",
      aggregation: "count",
      from: new Date(now.getTime() - 7 * DAY_MS).toISOString(),
      to: new Date(now.getTime() + 3_600_000).toISOString(),
      timezone: "UTC",
    });
    const since = `${utcDay(now.getTime() - 3 * DAY_MS)}T00:00:00.000Z`;
    expect((await executeMetricQuery(db, "ws_ret", query)).result).toEqual({
      value: 2,
      history: { rawEventsSince: since, answeredFrom: "rollups" },
    });
    expect((await executeMetricQuery(db, "ws_ret", query, { rollups: false })).result).toEqual({
      value: 1,
      history: { rawEventsSince: since, answeredFrom: "raw" },
    });
    // A workspace that keeps its events forever: no note.
    expect((await executeMetricQuery(db, "ws_keep", query)).result).toEqual({ value: 2 });

    // Nothing more to drop.
    const again = await runDataMaintenance(db, now);
    expect(again.retention.dropped).toEqual([]);
  });

  it("drops a workspace's oldest trace partitions while it is over its budget, never today's", async () => {
    await exec(`UPDATE workspaces SET storage_budget_bytes = 1 WHERE id = 'ws_keep'`);
    const r = await enforceStorageBudget(db, now, null);
    expect(r.dropped.map((d) => `${d.table} ${d.workspaceId} ${d.day}`)).toEqual([`spans ws_keep ${old}`]);
    const left = await q<{ day: string }>(
      `SELECT DISTINCT to_char(day, 'YYYY-MM-DD') AS day FROM spans WHERE workspace_id = 'ws_keep' ORDER BY 1`,
    );
    // The reviewed execution's spans moved to the keep partition; today's are there.
    expect(left.map((d) => d.day)).toEqual(["1970-01-01", today]);
    expect(
      (await q<{ id: string }>(`SELECT id FROM executions WHERE workspace_id = 'ws_keep' ORDER BY id`)).map(
        (e) => e.id,
      ),
    ).toEqual(["recent", "reviewed"]);
  });

  it("drops a deleted workspace's partitions whole", async () => {
    await exec(`INSERT INTO workspaces (id, name, slug) VALUES ('ws_gone', 'G', 'g')`);
    await writeAged("ws_gone", "run", 2, 2);
    await ensurePartitionsAhead(db);
    const level = workspaceLevel("spans", "ws_gone");
    const exists = async (rel: string) =>
      (await q<{ rel: string | null }>(`SELECT to_regclass($1)::text AS rel`, rel))[0].rel !== null;
    expect(await exists(level)).toBe(true);
    await exec(`DELETE FROM workspaces WHERE id = 'ws_gone'`);
    const r = await applyRetention(db, now);
    expect(r.dropped.filter((d) => d.workspaceId === "ws_gone").length).toBeGreaterThan(1);
    expect(await exists(level)).toBe(false);
    expect(await exists(workspaceLevel("track_events", "ws_gone"))).toBe(false);
    expect(await q(`SELECT 1 FROM data_partitions WHERE workspace_id = 'ws_gone'`)).toEqual([]);
    // Other workspaces' partitions are untouched.
    expect(await exists(workspaceLevel("spans", "ws_keep"))).toBe(true);
  });

  it("stops a pass between two drops when it is aborted (a closing process does not wait out its pauses)", async () => {
    await exec(`INSERT INTO workspaces (id, name, slug, traces_retention_days) VALUES ('ws_abort', 'A', 'a', 3)`);
    await writeAged("ws_abort", "older", 2, 6);
    await writeAged("ws_abort", "old", 2, 5);
    const expired = () =>
      q<{ day: string }>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM data_partitions
         WHERE workspace_id = 'ws_abort' AND table_name = 'spans' AND day < $1::date AND day <> DATE '1970-01-01'`,
        utcDay(now.getTime() - 3 * DAY_MS),
      );
    expect(await expired()).toHaveLength(2);
    const controller = new AbortController();
    // A pause far longer than the test's timeout: only the abort ends the pass.
    const pass = applyRetention(db, now, { pauseMs: 600_000, signal: controller.signal });
    while ((await expired()).length === 2) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const r = await pass;
    expect(r.dropped.filter((d) => d.workspaceId === "ws_abort")).toHaveLength(1);
    expect(await expired()).toHaveLength(1);
  });
});
