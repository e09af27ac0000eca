import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, openDatabase } from "@/lib/db/client";
import type { Db } from "@/lib/db/index";
import { noteWrite, readFrom } from "@/lib/db/replicas";
import { type RunningServer, startPortal } from "../helpers/server";
import { type OwnPostgres, startOwnPostgres, startOwnStandby } from "../helpers/services";

// Reads on replicas (issue #18 item 6), against a real streaming replica made here: a primary
// cluster of the test's own, `pg_basebackup -R` of it into a second cluster started as a hot
// standby, and the built portal with DATABASE_URL = primary and DATABASE_READ_URL = standby.
// Which server answered is proven by pausing the standby's replay: the primary then has rows the
// standby does not, and the read paths answer with the standby's older state.

const BASE = "/api/v1/runtime/v1/observability";
const T0 = Date.parse("2026-11-02T10:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

const root = (id: string, thread: string, at: number) => ({
  id: `${id}-root`,
  executionId: id,
  type: "agent_execution",
  name: "chat",
  agent: "support",
  status: "success",
  threadId: thread,
  startedAt: iso(at),
  endedAt: iso(at + 500),
});
const event = (id: string, at: number) => ({
  id,
  name: "message_answered",
  agent: "support",
  timestamp: iso(at),
  properties: { answered: true },
});
const child = (id: string, name: string, at: number) => ({
  id: `${id}-${name}`,
  executionId: id,
  parentId: `${id}-root`,
  type: "llm_call",
  name,
  startedAt: iso(at + 10),
  endedAt: iso(at + 400),
  llm: { model: "gpt-4o-mini", usage: { inputTokens: 10, outputTokens: 5 } },
});

async function sql<R>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as R[];
  } finally {
    await c.end();
  }
}

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("reads on a streaming replica", () => {
  let primary: OwnPostgres | undefined;
  let standby: OwnPostgres | undefined;
  let server: RunningServer | undefined;
  let primaryUrl = "";
  let standbyUrl = "";

  /** Waits until the standby has replayed everything the primary has written so far. */
  const replayed = async () => {
    const [{ lsn }] = await sql<{ lsn: string }>(primaryUrl, "SELECT pg_current_wal_lsn()::text AS lsn");
    await until("the standby's replay", async () => {
      const [r] = await sql<{ ok: boolean }>(standbyUrl, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok", [lsn]);
      return r.ok;
    });
  };
  const pauseReplay = async () => {
    await sql(standbyUrl, "SELECT pg_wal_replay_pause()");
    await until("the replay to pause", async () => {
      const [r] = await sql<{ state: string }>(standbyUrl, "SELECT pg_get_wal_replay_pause_state() AS state");
      return r.state === "paused";
    });
  };
  const resumeReplay = () => sql(standbyUrl, "SELECT pg_wal_replay_resume()");

  const api = async (path: string, init: RequestInit = {}) => {
    if (!server) throw new Error("no server");
    const res = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json", ...init.headers },
    });
    return { status: res.status, body: await res.json() };
  };
  const ingest = async (traces: object[], kind: "traces" | "events" = "traces") => {
    const { status, body } = await api(`${BASE}/${kind}`, { method: "POST", body: JSON.stringify({ [kind]: traces }) });
    expect(status).toBe(207);
    expect(body.results.map((r: { status: number }) => r.status)).toEqual(traces.map(() => 201));
  };
  const answeredCount = async () => {
    const query = {
      agent: "support",
      event: "message_answered",
      aggregation: "count",
      from: iso(T0 - 3_600_000),
      to: iso(T0 + 3_600_000),
    };
    const { status, body } = await api("/api/v1/metrics/query", { method: "POST", body: JSON.stringify(query) });
    expect(status).toBe(200);
    return body.value;
  };
  const listedIds = async () => {
    const { status, body } = await api(`${BASE}/executions?limit=50`);
    expect(status).toBe(200);
    return (body.executions as { id: string }[]).map((e) => e.id).sort();
  };

  beforeAll(async () => {
    primary = await startOwnPostgres();
    standby = await startOwnStandby(primary);
    await sql(primary.url(), "CREATE DATABASE runlens");
    primaryUrl = primary.url("runlens");
    standbyUrl = standby.url("runlens");
    await migratePostgres(primaryUrl);
    await until("the database on the standby", async () => {
      try {
        await sql(standbyUrl, "SELECT 1");
        return true;
      } catch {
        return false;
      }
    });
    await replayed();
    const [{ standby: inRecovery }] = await sql<{ standby: boolean }>(
      standbyUrl,
      "SELECT pg_is_in_recovery() AS standby",
    );
    expect(inRecovery).toBe(true);
    server = await startPortal({
      databaseUrl: primaryUrl,
      env: {
        DATABASE_READ_URL: standbyUrl,
        // Replay is paused below for longer than the default: keep the standby in use meanwhile.
        RUNLENS_DB_READ_MAX_LAG_MS: "600000",
        REDIS_URL: "", // ingest writes in the request: what it wrote is on the primary when it answers
      },
    });
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    standby?.destroy();
    primary?.destroy();
  }, 120_000);

  it("ingest writes to the primary; list, details, outline, threads, the overview and metric queries answer from the standby", async () => {
    await ingest([root("r1", "t1", T0), child("r1", "first", T0)]);
    await ingest([event("ev1", T0 + 450)], "events");
    await replayed();
    expect(await listedIds()).toEqual(["r1"]);

    await pauseReplay();
    // Newer data on the primary only: a second execution, and a second span of r1.
    await ingest([root("r2", "t2", T0 + 60_000), child("r2", "first", T0 + 60_000), child("r1", "second", T0)]);
    await ingest([event("ev2", T0 + 60_450)], "events");
    const onPrimary = await sql<{ id: string; span_count: number }>(
      primaryUrl,
      "SELECT id, span_count FROM executions ORDER BY id",
    );
    expect(onPrimary).toEqual([
      { id: "r1", span_count: 3 },
      { id: "r2", span_count: 2 },
    ]);
    const [events] = await sql<{ n: number }>(primaryUrl, "SELECT count(*)::int AS n FROM track_events");
    expect(events.n).toBe(2);

    // The read paths show the standby's state, which the primary no longer has.
    expect(await listedIds()).toEqual(["r1"]);
    const details = await api(`${BASE}/executions/r1/details`);
    expect(details.status).toBe(200);
    expect(details.body.execution.spanCount).toBe(2);
    expect(details.body.traces.map((t: { id: string }) => t.id)).toEqual(["r1-root", "r1-first"]);
    const outline = await api("/api/v1/observability/executions/r1/outline");
    expect(outline.status).toBe(200);
    expect(outline.body.total).toBe(2);
    const threads = await api(`${BASE}/threads`);
    expect(threads.status).toBe(200);
    expect(threads.body.threads.map((t: { threadId: string }) => t.threadId)).toEqual(["t1"]);
    const overview = await api(`/api/v1/overview?from=${iso(T0 - 3_600_000)}&to=${iso(T0 + 3_600_000)}`);
    expect(overview.status).toBe(200);
    expect(overview.body.executions).toBe(1);
    expect(await answeredCount()).toBe(1);

    // What the standby has not replayed is asked again of the primary (a link a live notice just named).
    const fresh = await api(`${BASE}/executions/r2/details`);
    expect(fresh.status).toBe(200);
    expect(fresh.body.execution.id).toBe("r2");
    expect((await api(`${BASE}/executions/nope/details`)).status).toBe(404);

    await resumeReplay();
    await replayed();
    expect(await listedIds()).toEqual(["r1", "r2"]);
    expect((await api(`${BASE}/executions/r1/details`)).body.execution.spanCount).toBe(3);
    expect(await answeredCount()).toBe(2);
  }, 120_000);

  it("in process: a replica too far behind, and a workspace just written to, read the primary", async () => {
    if (!standby) throw new Error("no standby");
    let db: Db | undefined;
    try {
      db = await openDatabase({
        kind: "postgres",
        url: primaryUrl,
        migrate: "skip",
        poolSize: 2,
        read: { urls: [standbyUrl], poolSize: 2, maxLagMs: 300 },
        timeouts: { connectMs: 2_000, queryMs: 10_000 },
      });
      const d = db;
      const answeredBy = async (workspaceId = "ws-lag") => {
        const [r] = await readFrom(d, workspaceId, (x) =>
          x.prisma.$queryRawUnsafe<{ standby: boolean }[]>("SELECT pg_is_in_recovery() AS standby"),
        );
        return r.standby ? "standby" : "primary";
      };
      await sql(primaryUrl, "CREATE TABLE replica_probe (n int)");
      await replayed();
      expect(await answeredBy()).toBe("standby");

      noteWrite("ws-written");
      expect(await answeredBy("ws-written")).toBe("primary");
      expect(await answeredBy("ws-other")).toBe("standby");

      await pauseReplay();
      await sql(primaryUrl, "INSERT INTO replica_probe VALUES (1)");
      // Received but not replayed, and older than 300 ms: the replica is skipped.
      await until("reads to leave the lagging replica", async () => (await answeredBy()) === "primary");
      await resumeReplay();
      await until("reads to come back to the replica", async () => (await answeredBy()) === "standby");

      // A frozen replica (SIGSTOP: connections open, nothing answers): the statement times out and
      // the read is answered by the primary.
      standby.freeze();
      try {
        expect(await answeredBy()).toBe("primary");
      } finally {
        standby.thaw();
      }
      await until("reads to come back to the replica", async () => (await answeredBy()) === "standby", 60_000);

      // A query the standby cancels because replay must remove rows its snapshot sees (a recovery
      // conflict, SQLSTATE 40001) is answered by the primary.
      await sql(standbyUrl, "ALTER SYSTEM SET max_standby_streaming_delay = 0");
      await sql(standbyUrl, "SELECT pg_reload_conf()");
      const slow = readFrom(d, "ws-conflict", (x) =>
        x.prisma.$queryRawUnsafe<{ standby: boolean }[]>(
          "SELECT pg_is_in_recovery() AS standby, (SELECT count(*)::int FROM replica_probe) AS n, pg_sleep(5)::text AS slept",
        ),
      );
      await until("the slow read to run on the standby", async () => {
        const rows = await sql(
          standbyUrl,
          "SELECT 1 FROM pg_stat_activity WHERE application_name = 'runlens-read' AND state = 'active' AND query LIKE '%pg_sleep%'",
        );
        return rows.length > 0;
      });
      await sql(primaryUrl, "DELETE FROM replica_probe");
      await sql(primaryUrl, "VACUUM replica_probe");
      const [answer] = await slow;
      expect(answer.standby).toBe(false);
    } finally {
      await resumeReplay().catch(() => undefined);
      await db?.close();
    }
  }, 120_000);

  it("a standby that is down: reads fall back to the primary, and ingest goes on", async () => {
    if (!standby || !server) throw new Error("no standby");
    standby.stop("immediate");
    await ingest([root("r3", "t3", T0 + 120_000)]);
    expect(await listedIds()).toEqual(["r1", "r2", "r3"]);
    const details = await api(`${BASE}/executions/r3/details`);
    expect(details.status).toBe(200);
    expect(details.body.execution.spanCount).toBe(1);
    const threads = await api(`${BASE}/threads`);
    expect(threads.body.threads.map((t: { threadId: string }) => t.threadId).sort()).toEqual(["t1", "t2", "t3"]);
    expect(server.output()).toMatch(/replica 127\.0\.0\.1:\d+\/runlens failed/);
  }, 120_000);

  it("without DATABASE_URL (the embedded database) DATABASE_READ_URL is ignored, with a log line", async () => {
    const embedded = await startPortal({ env: { DATABASE_READ_URL: standbyUrl, REDIS_URL: "" } });
    try {
      const res = await fetch(`${embedded.url}${BASE}/executions`, {
        headers: { authorization: `Bearer ${embedded.apiKey}` },
      });
      expect(res.status).toBe(200);
      expect(embedded.output()).toContain("DATABASE_READ_URL is ignored");
    } finally {
      await embedded.stop();
    }
  }, 240_000);
});
