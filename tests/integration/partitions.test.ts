// Time partitions of spans and track_events (migration 20261206180016_time_partitions,
// lib/data/partitions.ts): an unpartitioned installation's rows migrate without a loss, partitions
// are made ahead, a row of a day without a partition lands in the default partition and moves
// into its partition when it is made, and writes stay idempotent by id across partitions.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePartitionsAhead, executionSpanDays } from "@/lib/data/partitions";
import { applyMigrations, listMigrations, MIGRATIONS_DIR, type SqlSession } from "@/lib/db/migrate";
import { withTransaction } from "@/lib/db/transaction";
import { emptyContextFields, emptySpanFields, type SpanBatch, type SpanRow } from "@/lib/ingest/model";
import { clearAgentCache } from "@/lib/ingest/write/agents";
import { writeEventBatch } from "@/lib/ingest/write/events";
import { ROLLUP_EXECUTIONS } from "@/lib/ingest/write/rollup";
import { spanJobFormat, toSpanJob, writeSpanBatch } from "@/lib/ingest/write/spans";
import { createTestDb, type TestDb, testServerUrl } from "../helpers/db";

const PARTITION_MIGRATION = "20261206180016_time_partitions";
const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A fresh database as one SQL session (a new database on the server, else an in-memory PGlite). */
async function rawSession(): Promise<{ session: SqlSession; close(): Promise<void> }> {
  const server = testServerUrl();
  if (!server) {
    const { PGlite } = await import("@electric-sql/pglite");
    const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
    const lite = new PGlite({ extensions: { pg_trgm } });
    return {
      session: {
        exec: async (sql) => {
          await lite.exec(sql);
        },
        query: async <T>(sql: string, params: unknown[] = []) => (await lite.query<T>(sql, params)).rows,
      },
      close: () => lite.close(),
    };
  }
  const name = `runlens_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    session: {
      exec: async (sql) => {
        await client.query(sql);
      },
      query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    },
    close: async () => {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** The migrations before the partitioning one, in a directory of their own. */
function migrationsBefore(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-migrations-"));
  for (const m of listMigrations()) {
    if (m.name >= name) continue;
    fs.mkdirSync(path.join(dir, m.name));
    fs.writeFileSync(path.join(dir, m.name, "migration.sql"), m.sql);
  }
  return dir;
}

const SPAN_COLUMNS = `workspace_id, id, execution_id, parent_id, type, name, step_type, status::text, started_at, ended_at,
  input, output, metadata, error, llm, llm_model, tokens_input, tokens_output, tokens_total, cost, http_method, http_url,
  http_status, message, message_role, received_at, version`;
const EVENT_COLUMNS = `workspace_id, id, agent_id, name, properties, timestamp, thread_id, execution_id, received_at, version`;

describe("migrating an unpartitioned database", () => {
  it("moves every span and event into the partition of its day, row for row", async () => {
    const { session: s, close } = await rawSession();
    const before = migrationsBefore(PARTITION_MIGRATION);
    try {
      await applyMigrations(s, before);
      const [{ has }] = await s.query<{ has: boolean }>(`SELECT to_regclass('data_partitions') IS NOT NULL AS has`);
      expect(has).toBe(false);
      await s.exec(`
        INSERT INTO workspaces (id, name, slug) VALUES ('wa', 'A', 'a'), ('wb', 'B', 'b');
        INSERT INTO agents (id, workspace_id, name) VALUES ('ga', 'wa', 'default'), ('gb', 'wb', 'default');
        INSERT INTO executions (workspace_id, id, agent_id, name, type, status, source, started_at, created_at, updated_at)
        SELECT w, 'e' || i, CASE w WHEN 'wa' THEN 'ga' ELSE 'gb' END, 'run ' || i, 'agent_execution', 'success', 'sdk',
               TIMESTAMPTZ '2026-11-01 23:00:00+00' + i * interval '7 hours',
               TIMESTAMPTZ '2026-11-01 23:30:00+00' + i * interval '7 hours', now()
        FROM unnest(ARRAY['wa', 'wb']) AS w, generate_series(1, 12) AS i;
        INSERT INTO spans (workspace_id, id, execution_id, parent_id, type, name, status, started_at, ended_at, input,
                           output, llm_model, tokens_input, tokens_output, tokens_total, cost, version, received_at)
        SELECT e.workspace_id, e.id || '-s' || j, e.id, CASE WHEN j = 1 THEN NULL ELSE e.id || '-s1' END,
               CASE WHEN j = 1 THEN 'agent_execution' ELSE 'llm_call' END, 'span ' || j, 'success',
               e.started_at + j * interval '1 second', e.started_at + j * interval '2 seconds',
               jsonb_build_object('q', repeat('x', j * 10)), jsonb_build_object('a', j), 'gpt', j, j, 2 * j, j * 0.5, j,
               e.created_at + j * interval '1 minute'
        FROM executions e, generate_series(1, 5) AS j;
        -- A span whose execution is gone (the writer never leaves one so): its reception day.
        INSERT INTO spans (workspace_id, id, execution_id, type, name, status, started_at, received_at)
        VALUES ('wa', 'orphan', 'missing', 'agent_execution', 'orphan', 'success', now(), TIMESTAMPTZ '2026-10-05 10:00:00+00');
        INSERT INTO track_events (workspace_id, id, agent_id, name, properties, timestamp, thread_id, version)
        SELECT w, 'ev' || i, CASE w WHEN 'wa' THEN 'ga' ELSE 'gb' END, 'signup', jsonb_build_object('n', i),
               TIMESTAMPTZ '2026-11-03 20:00:00+00' + i * interval '5 hours', 't' || (i % 3), i
        FROM unnest(ARRAY['wa', 'wb']) AS w, generate_series(1, 9) AS i;
      `);
      const spansBefore = await s.query(`SELECT ${SPAN_COLUMNS} FROM spans ORDER BY workspace_id, id`);
      const eventsBefore = await s.query(`SELECT ${EVENT_COLUMNS} FROM track_events ORDER BY workspace_id, id`);
      expect(spansBefore).toHaveLength(2 * 12 * 5 + 1);
      expect(eventsBefore).toHaveLength(18);

      expect(await applyMigrations(s, MIGRATIONS_DIR)).toContain(PARTITION_MIGRATION);

      // Every row, every column, unchanged.
      expect(await s.query(`SELECT ${SPAN_COLUMNS} FROM spans ORDER BY workspace_id, id`)).toEqual(spansBefore);
      expect(await s.query(`SELECT ${EVENT_COLUMNS} FROM track_events ORDER BY workspace_id, id`)).toEqual(
        eventsBefore,
      );
      // Each in its day's partition (its execution's creation day; an event's timestamp's day).
      const wrongSpans = await s.query(
        `SELECT s.id FROM spans s LEFT JOIN executions e ON e.workspace_id = s.workspace_id AND e.id = s.execution_id
         WHERE s.day <> COALESCE((e.created_at AT TIME ZONE 'UTC')::date, (s.received_at AT TIME ZONE 'UTC')::date)`,
      );
      expect(wrongSpans).toEqual([]);
      const wrongEvents = await s.query(
        `SELECT id FROM track_events WHERE day <> (timestamp AT TIME ZONE 'UTC')::date`,
      );
      expect(wrongEvents).toEqual([]);
      const placed = await s.query<{ rel: string; table_name: string; workspace_id: string; day: string }>(
        `SELECT tableoid::regclass::text AS rel, 'spans' AS table_name, workspace_id, to_char(day, 'YYYY-MM-DD') AS day FROM spans
         UNION SELECT tableoid::regclass::text, 'track_events', workspace_id, to_char(day, 'YYYY-MM-DD') FROM track_events`,
      );
      const listed = await s.query<{ relname: string; table_name: string; workspace_id: string; day: string }>(
        `SELECT relname, table_name, workspace_id, to_char(day, 'YYYY-MM-DD') AS day FROM data_partitions`,
      );
      const key = (r: { table_name: string; workspace_id: string; day: string }) =>
        `${r.table_name}/${r.workspace_id}/${r.day}`;
      // One partition per (table, workspace, day) that has rows, none in the default partitions.
      expect(placed.map((r) => `${key(r)} ${r.rel}`).sort()).toEqual(
        listed.map((r) => `${key(r)} ${r.relname}`).sort(),
      );
      expect(placed.some((r) => r.rel.endsWith("_default"))).toBe(false);
      expect(new Set(placed.filter((r) => r.table_name === "spans").map((r) => r.day)).size).toBeGreaterThan(3);
      // The old tables are gone; the triggers on executions still reach the spans.
      await s.exec(`DELETE FROM executions WHERE workspace_id = 'wa' AND id = 'e1'`);
      const [{ n }] = await s.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM spans WHERE workspace_id = 'wa' AND execution_id = 'e1'`,
      );
      expect(n).toBe(0);
    } finally {
      fs.rmSync(before, { recursive: true, force: true });
      await close();
    }
  }, 180_000);
});

const WS = "ws_partitions";

function spanBatch(
  spans: { id: string; execution: string; version: number; name?: string; parent?: string | null }[],
): SpanBatch {
  const rows: SpanRow[] = spans.map((s) => ({
    ...emptySpanFields(),
    id: s.id,
    execution_id: s.execution,
    parent_id: s.parent ?? null,
    type: s.parent ? "llm_call" : "agent_execution",
    name: s.name ?? s.id,
    status: "success",
    started_at: "2026-12-01T10:00:00.000Z",
    ended_at: "2026-12-01T10:00:01.000Z",
    version: s.version,
  }));
  return {
    kind: "spans",
    workspaceId: WS,
    source: "sdk",
    spans: rows,
    executions: [...new Set(rows.map((r) => r.execution_id))].map((execution_id) => ({
      execution_id,
      agent: "default",
      agent_from_root: false,
      ...emptyContextFields(),
    })),
  };
}

describe("partitions at run time", () => {
  let db: TestDb;
  const q = <T>(sql: string, ...params: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(sql, ...params);
  beforeAll(async () => {
    db = await createTestDb();
    clearAgentCache();
    await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ('${WS}', 'P', 'p')`);
  });
  afterAll(async () => {
    clearAgentCache();
    await db.drop();
  });
  const where = (table: string, id: string) =>
    q<{ rel: string; day: string; name: string; execution_id: string }>(
      `SELECT tableoid::regclass::text AS rel, to_char(day, 'YYYY-MM-DD') AS day, name,
              ${table === "spans" ? "execution_id" : "COALESCE(execution_id, '') AS execution_id"}
       FROM ${table} WHERE workspace_id = $1 AND id = $2`,
      WS,
      id,
    );
  const write = (b: SpanBatch) => writeSpanBatch(db, toSpanJob(b, spanJobFormat(db)));

  it("stores a span of a day without a partition in the default partition, then moves it into its partition", async () => {
    await write(spanBatch([{ id: "d1", execution: "ed1", version: 1 }]));
    const [row] = await where("spans", "d1");
    expect(row.rel).toBe("spans_default");
    const today = utcDay(Date.now());
    expect(row.day).toBe(today);

    const made = await ensurePartitionsAhead(db, new Date(), 2);
    // Both tables, today and two days ahead.
    expect(made).toBe(6);
    const listed = await q<{ table_name: string; day: string }>(
      `SELECT table_name, to_char(day, 'YYYY-MM-DD') AS day FROM data_partitions WHERE workspace_id = $1 ORDER BY 1, 2`,
      WS,
    );
    const days = [0, 1, 2].map((i) => utcDay(Date.now() + i * DAY_MS));
    expect(listed).toEqual([
      ...days.map((day) => ({ table_name: "spans", day })),
      ...days.map((day) => ({ table_name: "track_events", day })),
    ]);
    expect(await ensurePartitionsAhead(db, new Date(), 2)).toBe(0);
    const [moved] = await where("spans", "d1");
    expect(moved.rel).not.toBe("spans_default");
    expect(moved.day).toBe(today);
    expect(await q(`SELECT id FROM spans_default`)).toEqual([]);

    // A resend finds it in its partition: replaced, not stored twice.
    await write(spanBatch([{ id: "d1", execution: "ed1", version: 2, name: "second" }]));
    const rows = await where("spans", "d1");
    expect(rows.map((r) => [r.rel, r.name])).toEqual([[moved.rel, "second"]]);

    // Every day listed in data_partitions is a table on disk.
    const onDisk = await q<{ day: string; bytes: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, pg_total_relation_size(to_regclass(quote_ident(relname)))::int AS bytes
       FROM data_partitions WHERE workspace_id = $1 AND table_name = 'spans' ORDER BY day`,
      WS,
    );
    expect(onDisk.map((u) => u.day)).toEqual(days);
    expect(onDisk[0].bytes).toBeGreaterThan(0);
  });

  it("keeps an execution's spans in the partition of the day it was created, resends included", async () => {
    // An execution created three days ago (before its partition's retention matters).
    const created = Date.now() - 3 * DAY_MS;
    const day = utcDay(created);
    await write(spanBatch([{ id: "old-root", execution: "eold", version: 1 }]));
    await db.prisma.$executeRawUnsafe(
      `UPDATE executions SET created_at = $2::timestamptz WHERE workspace_id = $1 AND id = 'eold'`,
      WS,
      new Date(created).toISOString(),
    );
    await db.prisma.$executeRawUnsafe(
      `UPDATE spans SET day = $2::date WHERE workspace_id = $1 AND execution_id = 'eold'`,
      WS,
      day,
    );
    await ensurePartitionsAhead(db, new Date(created), 0);
    const [root] = await where("spans", "old-root");
    expect(root.day).toBe(day);
    expect(root.rel).not.toBe("spans_default");

    // A new span and a resend of the root, in one batch, with a new execution of today.
    await write(
      spanBatch([
        { id: "old-root", execution: "eold", version: 5, name: "root v5" },
        { id: "old-child", execution: "eold", version: 5, parent: "old-root" },
        { id: "new-root", execution: "enew", version: 5 },
      ]),
    );
    expect((await where("spans", "old-root")).map((r) => [r.rel, r.day, r.name])).toEqual([[root.rel, day, "root v5"]]);
    expect((await where("spans", "old-child")).map((r) => [r.rel, r.day])).toEqual([[root.rel, day]]);
    expect((await where("spans", "new-root")).map((r) => r.day)).toEqual([utcDay(Date.now())]);
    // An older version is outranked wherever it is sent.
    await write(spanBatch([{ id: "old-child", execution: "eold", version: 3, name: "stale", parent: "old-root" }]));
    expect((await where("spans", "old-child")).map((r) => r.name)).toEqual(["old-child"]);
    const [e] = await q<{ span_count: number }>(
      `SELECT span_count FROM executions WHERE workspace_id = $1 AND id = 'eold'`,
      WS,
    );
    expect(e.span_count).toBe(2);

    // A span moving from the old execution into today's moves into today's partition: the source
    // resent within the last minute, so its batches take the replace path (JSON rows on PGlite),
    // which looks in the partitions of the last RUNLENS_SPAN_MOVE_LOOKBACK_DAYS days (1 by default:
    // the old execution is 3 days old).
    process.env.RUNLENS_SPAN_MOVE_LOOKBACK_DAYS = "3";
    try {
      await write(spanBatch([{ id: "old-child", execution: "enew", version: 9, parent: "new-root" }]));
    } finally {
      delete process.env.RUNLENS_SPAN_MOVE_LOOKBACK_DAYS;
    }
    expect((await where("spans", "old-child")).map((r) => [r.day, r.execution_id])).toEqual([
      [utcDay(Date.now()), "enew"],
    ]);
    const counts = await q<{ id: string; span_count: number }>(
      `SELECT id, span_count FROM executions WHERE workspace_id = $1 AND id IN ('eold', 'enew') ORDER BY id`,
      WS,
    );
    expect(counts).toEqual([
      { id: "enew", span_count: 2 },
      { id: "eold", span_count: 1 },
    ]);
  });

  /** The partitions a plan read (EXPLAIN ANALYZE: scans not marked "never executed"). */
  const scannedPartitions = (plan: { "QUERY PLAN": string }[]) =>
    plan
      .map((r) => r["QUERY PLAN"])
      .filter((l) => / on spans_\w+/.test(l) && !l.includes("never executed"))
      .map((l) => l.match(/ on (spans_\w+)/)![1]);
  // What may be read besides the execution's own day: the workspace's keep partition and the default
  // partition (of the keep day, when there is no keep partition).
  const besidesItsDay = (r: string) => !r.endsWith("_default") && !r.endsWith("_keep");

  it("reads an execution's spans from its partitions only (its day's, the keep and default ones)", async () => {
    const plan = await q<{ "QUERY PLAN": string }>(
      `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
       SELECT id FROM spans WHERE workspace_id = $1 AND id = ANY($2::text[]) AND day = ANY($3::date[])`,
      WS,
      ["old-root", "old-child"],
      await executionSpanDays(db, WS, "eold"),
    );
    const scanned = scannedPartitions(plan);
    const [eold] = await where("spans", "old-root");
    expect(scanned).toContain(eold.rel);
    // Today's and the days ahead (made by the first test) are pruned, and so is every other workspace.
    const partitions = await q<{ relname: string }>(
      `SELECT relname FROM data_partitions WHERE table_name = 'spans' AND workspace_id = $1`,
      WS,
    );
    expect(partitions.length).toBeGreaterThan(3);
    expect(scanned.filter(besidesItsDay)).toEqual([eold.rel]);
  });

  it("rolls an execution up in full from its partitions only (pruned while the statement runs)", async () => {
    const [eold] = await where("spans", "old-root");
    const rollback = new Error("rollback");
    let plan: { "QUERY PLAN": string }[] = [];
    await withTransaction(db, async (tx) => {
      plan = await tx.query<{ "QUERY PLAN": string }>(
        `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${ROLLUP_EXECUTIONS}`,
        WS,
        JSON.stringify([{ execution_id: "eold", agent_id: null, agent_from_root: false }]),
        "sdk",
      );
      throw rollback;
    }).catch((e) => {
      if (e !== rollback) throw e;
    });
    const scanned = scannedPartitions(plan);
    expect(scanned).toContain(eold.rel);
    expect(
      scanned.filter(besidesItsDay).every((r) => r === eold.rel),
      plan.map((r) => r["QUERY PLAN"]).join("\n"),
    ).toBe(true);
  });

  it("replaces an event resent with another day's timestamp (one row, counted once)", async () => {
    const event = (version: number, timestamp: string, name = "purchase") => ({
      kind: "events" as const,
      workspaceId: WS,
      events: [
        {
          id: "ev-move",
          agent: "default",
          name,
          properties: { v: version },
          timestamp,
          thread_id: null,
          execution_id: null,
          version,
        },
      ],
    });
    const t1 = new Date(Date.now() - 2 * DAY_MS).toISOString();
    const t2 = new Date().toISOString();
    await writeEventBatch(db, event(1, t1));
    expect((await where("track_events", "ev-move")).map((r) => r.day)).toEqual([t1.slice(0, 10)]);
    await writeEventBatch(db, event(2, t2));
    expect((await where("track_events", "ev-move")).map((r) => r.day)).toEqual([t2.slice(0, 10)]);
    // An older version from the first day does not come back.
    await writeEventBatch(db, event(1, t1, "stale"));
    expect((await where("track_events", "ev-move")).map((r) => [r.day, r.name])).toEqual([
      [t2.slice(0, 10), "purchase"],
    ]);
    const [c] = await q<{ count: number }>(
      `SELECT count::int AS count FROM event_catalog WHERE workspace_id = $1 AND name = 'purchase'`,
      WS,
    );
    expect(c.count).toBe(1);
    const [r] = await q<{ n: number }>(
      `SELECT COALESCE(sum(n), 0)::int AS n FROM event_rollups WHERE workspace_id = $1 AND name = 'purchase' AND kind = 0`,
      WS,
    );
    expect(r.n).toBe(1);
  });
});
