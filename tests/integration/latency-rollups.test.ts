import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TraceRecord, ZTraceRecord } from "@/lib/contracts/ingest";
import { ZMetricQuery } from "@/lib/contracts/metrics";
import { ZOverviewQuery } from "@/lib/contracts/overview";
import { type Db, openDatabase } from "@/lib/db/client";
import { buildSpanBatch, processBatch } from "@/lib/ingest/pipeline";
import { executionContexts, mapTraceRecord } from "@/lib/ingest/sources/sdk/map";
import { clearAgentCache } from "@/lib/ingest/write/agents";
import { executeMetricQuery } from "@/lib/metrics/query";
import { LATENCY_RELATIVE_ERROR } from "@/lib/overview/histogram";
import { getOverview } from "@/lib/overview/overview";
import { compactExecutionRollups } from "@/lib/overview/rollups";
import { createTestDb, type TestDb, testServerUrl } from "../helpers/db";
import { seededRandom } from "../helpers/random";
import { createKeyedWorkspace } from "../helpers/workspace";

// Percentiles from the rollups written at ingest (lib/overview) against exact nearest-rank
// percentiles of the raw durations, on Postgres and on the embedded database, over ranges that
// cross New York's DST change (2026-03-08) and days of a +05:30 zone, with ends inside a rollup
// slot, after resends (start then end), a replaced LLM call, compaction part-way, and a delete.

const HOUR = 3_600_000;
const START = Date.parse("2026-03-06T00:00:00.000Z");
const SPAN_DAYS = 5;
const MODELS = ["gpt-4o-mini", "claude-sonnet-4"];
const AGENTS = ["support", "billing"];

type Call = { id: string; model: string; start: number; ms: number };
type Run = { id: string; agent: string; start: number; ms: number; error: boolean; tokens: number; calls: Call[] };

function makeRuns(n: number, seed: number): Run[] {
  const r = seededRandom(seed);
  const logUniform = (lo: number, hi: number) => Math.round(lo * (hi / lo) ** r());
  return Array.from({ length: n }, (_, i) => {
    const start = START + Math.floor(r() * SPAN_DAYS * 24 * HOUR);
    const ms = logUniform(3, 90_000);
    const calls = Array.from({ length: Math.floor(r() * 3) }, (_, c) => ({
      id: `lr${i}-c${c}`,
      model: MODELS[Math.floor(r() * MODELS.length)],
      start: start + 1,
      ms: Math.min(logUniform(40, 20_000), ms - 2),
    })).filter((c) => c.ms > 0);
    return {
      id: `lr${i}`,
      agent: AGENTS[i % AGENTS.length],
      start,
      ms,
      error: r() < 0.15,
      tokens: calls.length * 100,
      calls,
    };
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
function records(run: Run, finished: boolean): unknown[] {
  const root = {
    id: `${run.id}-root`,
    executionId: run.id,
    type: "agent_execution",
    name: run.id,
    agent: run.agent,
    status: finished ? (run.error ? "error" : "success") : "running",
    startedAt: iso(run.start),
    ...(finished ? { endedAt: iso(run.start + run.ms) } : {}),
    ...(finished && run.error ? { error: { name: "Boom", message: "failed" } } : {}),
  };
  if (!finished) return [root];
  return [
    root,
    ...run.calls.map((c) => ({
      id: c.id,
      executionId: run.id,
      parentId: root.id,
      type: "llm_call",
      name: "answer",
      startedAt: iso(c.start),
      endedAt: iso(c.start + c.ms),
      llm: { model: c.model, usage: { inputTokens: 100, outputTokens: 0 } },
    })),
  ];
}

async function write(db: Db, workspaceId: string, raw: unknown[]) {
  const recs: TraceRecord[] = raw.map((r) => ZTraceRecord.parse(r));
  const batch = await buildSpanBatch(db, workspaceId, "sdk", recs.map(mapTraceRecord), executionContexts(recs));
  const failed = await processBatch(db, batch);
  expect(failed).toEqual([]);
}

/** Nearest rank, as percentile_disc: the value at rank ceil(q * n). */
function exact(values: number[], q: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(q * s.length)) - 1];
}
function expectWithin(estimate: number | null, truth: number | null, what: string) {
  if (truth === null) return expect(estimate, what).toBeNull();
  expect(estimate, what).not.toBeNull();
  // A bucket of 0 ms stands for 0; others are within the relative bound (plus float noise).
  expect(Math.abs((estimate ?? 0) - truth), `${what}: ${estimate} vs ${truth}`).toBeLessThanOrEqual(
    truth * LATENCY_RELATIVE_ERROR + 1e-9,
  );
}

const kinds: { name: string; open: () => Promise<Db & { drop?: () => Promise<void> }> }[] = [
  { name: "embedded", open: () => openDatabase({ kind: "embedded", dataDir: "memory" }) },
];
if (testServerUrl()) kinds.push({ name: "postgres", open: () => createTestDb() as Promise<TestDb> });

describe.each(kinds)("latency rollups on $name", ({ open }) => {
  let db: Db & { drop?: () => Promise<void> };
  let ws = "";
  let runs: Run[] = [];

  beforeAll(async () => {
    clearAgentCache();
    db = await open();
    ({ workspaceId: ws } = await createKeyedWorkspace(db, "Latency"));
    runs = makeRuns(360, 7);
    // Every execution first as running (the SDK's start send), then finished, in mixed batches.
    for (let i = 0; i < runs.length; i += 60)
      await write(
        db,
        ws,
        runs.slice(i, i + 60).flatMap((r) => records(r, false)),
      );
    for (let i = 0; i < runs.length; i += 45) {
      await write(
        db,
        ws,
        runs.slice(i, i + 45).flatMap((r) => records(r, true)),
      );
      if (i === 180) await compactExecutionRollups(db); // half compacted, half deltas
    }
    // A resent LLM call with a new duration replaces the old one's bucket.
    const run = runs.find((r) => r.calls.length > 0)!;
    run.calls[0].ms = Math.max(1, Math.floor(run.calls[0].ms / 3));
    await write(db, ws, records(run, true));
  }, 300_000);
  afterAll(async () => {
    await (db.drop ? db.drop() : db.close());
  });

  const overview = (params: Record<string, string>) => getOverview(db, ws, ZOverviewQuery.parse(params));

  function check(o: Awaited<ReturnType<typeof overview>>, inRange: Run[], label: string) {
    expect(o.executions, label).toBe(inRange.length);
    expect(o.errors, label).toBe(inRange.filter((r) => r.error).length);
    expect(o.tokens, label).toBe(inRange.reduce((n, r) => n + r.tokens, 0));
    const durations = inRange.map((r) => r.ms);
    for (const [k, q] of [
      ["p50", 0.5],
      ["p90", 0.9],
      ["p95", 0.95],
      ["p99", 0.99],
    ] as const)
      expectWithin(o.latency[k], exact(durations, q), `${label} ${k}`);
    // Series: each bucket holds the runs started from its start to the next one's.
    const starts = o.series.map((s) => Date.parse(s.bucket));
    let seen = 0;
    o.series.forEach((s, i) => {
      const inBucket = inRange.filter(
        (r) => r.start >= starts[i] && (i + 1 === starts.length || r.start < starts[i + 1]),
      );
      seen += inBucket.length;
      expect(s.executions, `${label} ${s.bucket}`).toBe(inBucket.length);
      expectWithin(
        s.p50,
        exact(
          inBucket.map((r) => r.ms),
          0.5,
        ),
        `${label} ${s.bucket} p50`,
      );
      expectWithin(
        s.p95,
        exact(
          inBucket.map((r) => r.ms),
          0.95,
        ),
        `${label} ${s.bucket} p95`,
      );
    });
    expect(seen, label).toBe(inRange.length);
    for (const model of MODELS) {
      const calls = inRange.flatMap((r) => r.calls.filter((c) => c.model === model).map((c) => c.ms));
      const m = o.models.find((x) => x.model === model);
      expect(m?.calls ?? 0, `${label} ${model}`).toBe(calls.length);
      if (calls.length)
        for (const k of ["p50", "p95", "p99"] as const)
          expectWithin(m![k], exact(calls, Number(k.slice(1)) / 100), `${label} ${model} ${k}`);
    }
    for (const agent of AGENTS) {
      const mine = inRange.filter((r) => r.agent === agent);
      const a = o.agents.find((x) => x.agent === agent);
      expect(a?.executions ?? 0, `${label} ${agent}`).toBe(mine.length);
      if (mine.length)
        expectWithin(
          a!.p95,
          exact(
            mine.map((r) => r.ms),
            0.95,
          ),
          `${label} ${agent} p95`,
        );
    }
  }

  const between = (from: number, to: number) => runs.filter((r) => r.start >= from && r.start < to);

  it("matches exact percentiles by day across New York's DST change", async () => {
    const from = Date.parse("2026-03-06T05:00:00.000Z"); // local midnight, EST
    const to = Date.parse("2026-03-10T04:00:00.000Z"); // local midnight, EDT
    const o = await overview({ from: iso(from), to: iso(to), timezone: "America/New_York", interval: "day" });
    // The 8th has 23 hours: its bucket starts at 05:00Z, the 9th's at 04:00Z.
    expect(o.series.map((s) => s.bucket)).toContain("2026-03-09T04:00:00.000Z");
    expect(o.latencyError).toBe(LATENCY_RELATIVE_ERROR);
    check(o, between(from, to), "New York");
  });

  it("matches exact percentiles by day and by hour in a +05:30 zone", async () => {
    const from = Date.parse("2026-03-06T18:30:00.000Z");
    const to = Date.parse("2026-03-09T18:30:00.000Z");
    const days = await overview({ from: iso(from), to: iso(to), timezone: "Asia/Kolkata", interval: "day" });
    expect(days.series.map((s) => s.bucket)).toEqual([
      "2026-03-06T18:30:00.000Z",
      "2026-03-07T18:30:00.000Z",
      "2026-03-08T18:30:00.000Z",
    ]);
    check(days, between(from, to), "Kolkata days");
    const hours = await overview({
      from: iso(from),
      to: iso(from + 30 * HOUR),
      timezone: "Asia/Kolkata",
      interval: "hour",
    });
    check(hours, between(from, from + 30 * HOUR), "Kolkata hours");
    // Weeks start on Monday, local: Sunday 8 March, 18:30Z cuts that UTC day in two (read as the
    // day, its last 5.5 hours moved to the next week), as every local midnight does a day above.
    const weekFrom = Date.parse("2026-03-01T18:30:00.000Z");
    const weekTo = Date.parse("2026-03-15T18:30:00.000Z");
    const weeks = await overview({ from: iso(weekFrom), to: iso(weekTo), timezone: "Asia/Kolkata", interval: "week" });
    expect(weeks.series.map((s) => s.bucket)).toEqual(["2026-03-01T18:30:00.000Z", "2026-03-08T18:30:00.000Z"]);
    expect(weeks.series.every((s) => s.executions > 0)).toBe(true);
    check(weeks, between(weekFrom, weekTo), "Kolkata weeks");
  });

  it("counts exactly what started in a range whose ends fall inside rollup slots", async () => {
    const from = START + 7 * 60_000 + 13_000; // 00:07:13
    const to = START + 3 * 24 * HOUR + 52 * 60_000; // 00:52 three days later
    const o = await overview({ from: iso(from), to: iso(to), timezone: "UTC", interval: "day" });
    check(o, between(from, to), "odd ends");
    const short = await overview({ from: iso(START + 40 * HOUR + 60_000), to: iso(START + 40 * HOUR + 9 * 60_000) });
    check(short, between(START + 40 * HOUR + 60_000, START + 40 * HOUR + 9 * 60_000), "inside one slot");
  });

  it("answers Metrics' built-in measures from the same rollups", async () => {
    const from = Date.parse("2026-03-06T18:30:00.000Z");
    const to = Date.parse("2026-03-09T18:30:00.000Z");
    const base = { agent: "support", from: iso(from), to: iso(to), timezone: "Asia/Kolkata" };
    const metric = async (q: Record<string, unknown>) =>
      (await executeMetricQuery(db, ws, ZMetricQuery.parse({ ...base, ...q }))).result;
    const mine = between(from, to).filter((r) => r.agent === "support");
    const p95 = await metric({ event: "$executions", aggregation: "p95", property: "durationMs" });
    expectWithin(
      "value" in p95 ? p95.value : null,
      exact(
        mine.map((r) => r.ms),
        0.95,
      ),
      "card p95",
    );
    const daily = await metric({ event: "$executions", aggregation: "p50", property: "durationMs", interval: "day" });
    expect("series" in daily && daily.series.map((b) => b.bucket)).toEqual([
      "2026-03-06T18:30:00.000Z",
      "2026-03-07T18:30:00.000Z",
      "2026-03-08T18:30:00.000Z",
    ]);
    if ("series" in daily)
      for (const [i, b] of daily.series.entries()) {
        const day = mine.filter((r) => r.start >= from + i * 24 * HOUR && r.start < from + (i + 1) * 24 * HOUR);
        expectWithin(
          b.value,
          exact(
            day.map((r) => r.ms),
            0.5,
          ),
          `card day ${i}`,
        );
      }
    const count = await metric({ event: "$executions", aggregation: "count" });
    expect(count).toEqual({ value: mine.length });
    const rate = await metric({
      event: "$executions",
      aggregation: "rate",
      where: { property: "status", equals: "error" },
    });
    expect("value" in rate && rate.value).toBeCloseTo((100 * mine.filter((r) => r.error).length) / mine.length, 9);
    const tokens = await metric({ event: "$executions", aggregation: "sum", property: "tokens" });
    expect(tokens).toEqual({ value: mine.reduce((n, r) => n + r.tokens, 0) });
    const byModel = await metric({ event: "$llm_calls", aggregation: "p95", property: "durationMs", groupBy: "model" });
    expect("groups" in byModel && byModel.groups.map((g) => g.key).sort()).toEqual([...MODELS].sort());
    if ("groups" in byModel)
      for (const g of byModel.groups) {
        const calls = mine.flatMap((r) => r.calls.filter((c) => c.model === g.key).map((c) => c.ms));
        expectWithin(g.value, exact(calls, 0.95), `card ${g.key}`);
      }
    // What the rollups cannot answer is refused, naming the field.
    const refused = (q: Record<string, unknown>) =>
      ZMetricQuery.safeParse({ ...base, ...q }).error?.issues.map((i) => i.path.join("."));
    expect(refused({ event: "orders", aggregation: "p95", property: "amount" })).toEqual(["aggregation"]);
    expect(refused({ event: "$executions", aggregation: "p95", property: "cost" })).toEqual(["property"]);
    expect(refused({ event: "$executions", aggregation: "distinct_count", property: "status" })).toEqual([
      "aggregation",
    ]);
    expect(refused({ event: "$executions", aggregation: "count", groupBy: "model" })).toEqual(["groupBy"]);
    expect(
      refused({ event: "$llm_calls", aggregation: "rate", where: { property: "status", equals: "error" } }),
    ).toEqual(["where"]);
  });

  it("filters by agent, and forgets deleted executions, before and after compaction", async () => {
    const from = START;
    const to = START + SPAN_DAYS * 24 * HOUR;
    const billing = await overview({ from: iso(from), to: iso(to), agent: "billing", timezone: "UTC" });
    expect(billing.executions).toBe(runs.filter((r) => r.agent === "billing").length);
    expect(billing.agents.map((a) => a.agent)).toEqual(["billing"]);

    const gone = runs.filter((_, i) => i % 4 === 0);
    await db.prisma.$executeRawUnsafe(
      `DELETE FROM executions WHERE workspace_id = $1 AND id = ANY($2::text[])`,
      ws,
      gone.map((r) => r.id),
    );
    const kept = runs.filter((_, i) => i % 4 !== 0);
    runs = kept;
    check(await overview({ from: iso(from), to: iso(to), timezone: "UTC" }), kept, "after delete");
    await compactExecutionRollups(db);
    const [left] = await db.prisma.$queryRawUnsafe<{ deltas: number }[]>(
      "SELECT count(*) FILTER (WHERE NOT compacted)::int AS deltas FROM execution_rollups",
    );
    expect(left.deltas).toBe(0);
    check(await overview({ from: iso(from), to: iso(to), timezone: "UTC" }), kept, "compacted");
  });
});
