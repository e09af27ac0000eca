// The incremental execution rollup (lib/ingest/write/rollup.ts): executions that keep their
// aggregates merge each batch's spans in, subtracting the versions a batch replaces, instead of
// reading all their spans again. Whatever the order of batches, resends, moves and late versions,
// every execution row must equal the row rolled up from all its stored spans (ROLLUP_EXECUTIONS),
// and the incremental path must actually be taken. Runs on Postgres (the COPY paths) when
// TEST_DATABASE_URL is set, and on the embedded database (JSON rows, rolled up in full) otherwise.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTransaction } from "@/lib/db/transaction";
import { emptyContextFields, emptySpanFields, type SpanBatch, type SpanRow } from "@/lib/ingest/model";
import { clearAgentCache } from "@/lib/ingest/write/agents";
import { ROLLUP_EXECUTIONS } from "@/lib/ingest/write/rollup";
import { writeSpanBatch } from "@/lib/ingest/write/spans";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import { seededRandom } from "@/tests/helpers/random";

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** Every column of an execution the rollup writes, as text (exact comparison, numerics included). */
const ROW_SQL = `SELECT id, name, type, status::text, started_at::text, ended_at::text, duration_ms::text,
    input::text, output::text, error::text, span_count, has_conversation, tokens_input::text, tokens_output::text,
    tokens_total::text, cost::text, llm_duration_ms::text, llm_latency::text, agent_id, thread_id, source::text,
    rollup_ok, agg_max_ended::text, agg_conversations, agg_token_spans, agg_llm_input::text, agg_llm_output::text,
    agg_llm_total::text, agg_all_input::text, agg_all_output::text, agg_all_total::text, agg_cost::text, agg_priced,
    agg_llm_ms::text, agg_llm_finished, agg_error_id, agg_error_at::text, agg_root_id
  FROM executions WHERE workspace_id = $1 ORDER BY id`;

type Row = Record<string, unknown> & { id: string };

/** The executions as stored, and as ROLLUP_EXECUTIONS makes them from all their spans (rolled back). */
async function storedAndFull(db: TestDb, ws: string): Promise<{ stored: Row[]; full: Row[] }> {
  let stored: Row[] = [];
  let full: Row[] = [];
  const rollback = new Error("rollback");
  await withTransaction(db, async (tx) => {
    stored = await tx.query<Row>(ROW_SQL, ws);
    const ctx = stored.map((r) => ({ execution_id: r.id, agent_id: null, agent_from_root: false }));
    await tx.exec(ROLLUP_EXECUTIONS, ws, JSON.stringify(ctx), "sdk");
    full = await tx.query<Row>(ROW_SQL, ws);
    throw rollback;
  }).catch((e) => {
    if (e !== rollback) throw e;
  });
  return { stored, full };
}

type Plan = { batches: SpanRow[][]; executions: string[] };

/**
 * A seeded stream of batches the way the SDK and OTLP exporters send them: executions of 5–40
 * spans spread over many batches that mix executions; spans with a start ("running") and an end
 * version in different batches; LLM calls with tokens, cost and models; errors; conversation turns;
 * plus the awkward cases: an end version arriving before its start (the start is dropped), an
 * identical resend, an end moved earlier, a type or parent changed, an error replaced, a span moved
 * to another execution, and a root arriving after its children.
 */
function plan(seed: number, executionCount: number): Plan {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const sends: { at: number; row: SpanRow }[] = [];
  const executions: string[] = [];
  let version = 1_000_000;
  for (let e = 0; e < executionCount; e++) {
    const exec = `exec-${seed}-${e}`;
    executions.push(exec);
    const start = T0 + e * 7_000;
    const n = 5 + Math.floor(rnd() * 36);
    const rootId = `${exec}-root`;
    const rootEnd = start + 1_000 + Math.floor(rnd() * 60_000);
    const rootFails = rnd() < 0.2;
    const root: SpanRow = {
      ...emptySpanFields(),
      id: rootId,
      execution_id: exec,
      parent_id: null,
      type: pick(["agent_execution", "workflow_execution"] as const),
      name: `run ${e}`,
      status: "running",
      started_at: iso(start),
      input: { question: `question ${e} ${"x".repeat(Math.floor(rnd() * 50))}` },
    };
    // The root: start early, end last (sometimes only its end, sometimes after its children).
    const rootLate = rnd() < 0.2;
    if (!rootLate && rnd() < 0.8) sends.push({ at: start, row: { ...root } });
    sends.push({
      at: rootLate ? rootEnd + 5_000 : rootEnd,
      row: {
        ...root,
        status: rootFails ? "error" : "success",
        ended_at: iso(rootEnd),
        output: { answer: `answer ${e}` },
        error: rootFails && rnd() < 0.5 ? { name: "AgentError", message: `root failed ${e}` } : null,
      },
    });
    for (let i = 0; i < n; i++) {
      const id = `${exec}-s${i}`;
      const t = start + 10 + Math.floor(rnd() * (rootEnd - start));
      const end = t + Math.floor(rnd() * 4_000);
      const type = pick([
        "llm_call",
        "llm_call",
        "tool_call",
        "log",
        "conversation_message",
        "embedding",
        "workflow_step",
      ] as const);
      const model = pick(["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", null]);
      const fails = rnd() < 0.1;
      const base: SpanRow = {
        ...emptySpanFields(),
        id,
        execution_id: exec,
        parent_id: rnd() < 0.9 ? rootId : `${exec}-s${Math.max(0, i - 1)}`,
        type,
        name: `${type} ${i}`,
        status: "running",
        started_at: iso(t),
        ...(type === "llm_call" || type === "embedding" ? { llm_model: model } : {}),
      };
      const finished: SpanRow = {
        ...base,
        status: fails ? "error" : "success",
        ended_at: iso(end),
        error: fails ? { name: "ToolError", message: `step ${i} failed` } : null,
        ...(type === "llm_call" || type === "embedding"
          ? {
              tokens_input: Math.floor(rnd() * 2_000),
              tokens_output: Math.floor(rnd() * 800),
              tokens_total: rnd() < 0.9 ? Math.floor(rnd() * 2_800) : null,
              cost: rnd() < 0.7 ? Math.round(rnd() * 1e6) / 1e7 : null,
            }
          : type === "tool_call" && rnd() < 0.3
            ? { tokens_input: 5, tokens_output: 7, tokens_total: 12 }
            : {}),
        ...(type === "conversation_message"
          ? { message: { role: "user", content: `hi ${i}` }, message_role: "user" }
          : {}),
      };
      const r = rnd();
      if (r < 0.45) {
        sends.push({ at: t, row: base }); // start, then end
        sends.push({ at: end, row: finished });
      } else if (r < 0.5) {
        sends.push({ at: end, row: finished }); // end before start: the start is outranked
        sends.push({ at: end + 1, row: base });
      } else if (r < 0.55) {
        sends.push({ at: end, row: finished }); // sent twice
        sends.push({ at: end + 2_000, row: { ...finished } });
      } else if (r < 0.6) {
        sends.push({ at: end, row: finished }); // a later version ends earlier
        sends.push({ at: end + 3_000, row: { ...finished, ended_at: iso(t + 1) } });
      } else if (r < 0.63) {
        sends.push({ at: end, row: finished }); // a later version changes its type
        sends.push({ at: end + 3_000, row: { ...finished, type: "tool_call" } });
      } else if (r < 0.66) {
        sends.push({ at: t, row: { ...base, error: { name: "Transient", message: "retrying" } } }); // an error replaced
        sends.push({ at: end, row: { ...finished, error: null, status: "success" } });
      } else if (r < 0.68 && e > 0) {
        sends.push({ at: end, row: finished }); // moved into the previous execution
        sends.push({ at: end + 4_000, row: { ...finished, execution_id: executions[e - 1], parent_id: null } });
      } else {
        sends.push({ at: end, row: finished });
      }
    }
  }
  sends.sort((a, b) => a.at - b.at);
  // Versions in send order (what the server gives on acceptance); batches of 20–60 sends.
  const rows = sends.map((s) => ({ ...s.row, version: version++ }));
  const batches: SpanRow[][] = [];
  for (let i = 0; i < rows.length; ) {
    const size = 20 + Math.floor(rnd() * 41);
    batches.push(rows.slice(i, i + size));
    i += size;
  }
  return { batches, executions };
}

function toBatch(ws: string, spans: SpanRow[]): SpanBatch {
  const ids = [...new Set(spans.map((s) => s.execution_id))];
  return {
    kind: "spans",
    workspaceId: ws,
    source: "sdk",
    spans,
    executions: ids.map((id) => ({
      execution_id: id,
      agent: "support",
      agent_from_root: false,
      ...emptyContextFields(),
    })),
  };
}

describe("incremental execution rollup", () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    clearAgentCache();
    // Merge into every execution that keeps its aggregates, however small (the product waits for
    // 500 stored spans; the big execution's test below runs with that).
    process.env.RUNLENS_INCREMENTAL_ROLLUP_MIN_SPANS = "0";
  });
  afterAll(async () => {
    delete process.env.RUNLENS_INCREMENTAL_ROLLUP_MIN_SPANS;
    clearAgentCache();
    await db.drop();
  });

  for (const seed of [1, 2, 3]) {
    it(`gives every execution the row of a full rollup after each batch (seed ${seed})`, async () => {
      const ws = `ws_incremental_${seed}`;
      await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ($1, $1, $1)`, ws);
      const { batches } = plan(seed, 30);
      let merged = 0;
      const via = new Set<string>();
      for (const [i, spans] of batches.entries()) {
        const result = await writeSpanBatch(db, toBatch(ws, spans));
        merged += result.merged ?? 0;
        via.add(result.via);
        if (i % 5 === 4 || i === batches.length - 1) {
          const { stored, full } = await storedAndFull(db, ws);
          expect(stored, `after batch ${i}`).toEqual(full);
        }
      }
      const { stored } = await storedAndFull(db, ws);
      expect(stored.length).toBe(30);
      const [spans] = await db.prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM spans WHERE workspace_id = $1`,
        ws,
      );
      expect(stored.reduce((n, r) => n + (r.span_count as number), 0)).toBe(spans.n);
      if (db.pool) {
        // Postgres: most batches merged into kept aggregates, over both COPY paths.
        expect(merged).toBeGreaterThan(batches.length);
        expect(via).toContain("replace");
        expect(stored.filter((r) => r.rollup_ok).length).toBeGreaterThan(20);
      }
    }, 120_000);
  }

  it("rolls up in full when a replaced version moves the latest end, the earliest start or the root", async () => {
    const ws = "ws_incremental_extremes";
    await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ($1, $1, $1)`, ws);
    let v = 1;
    const span = (id: string, exec: string, over: Partial<SpanRow>): SpanRow => ({
      ...emptySpanFields(),
      id,
      execution_id: exec,
      parent_id: `${exec}-root`,
      type: "tool_call",
      name: id,
      status: "success",
      started_at: iso(T0 + 1_000),
      ended_at: iso(T0 + 2_000),
      version: v++,
      ...over,
    });
    const root = (exec: string, over: Partial<SpanRow> = {}) =>
      span(`${exec}-root`, exec, {
        parent_id: null,
        type: "agent_execution",
        status: "running",
        ended_at: null,
        ...over,
      });
    // Each execution first gets its root and two children, then (next batch) one replaced version.
    const first = [
      root("max"),
      span("max-a", "max", { ended_at: iso(T0 + 90_000) }), // the latest end...
      span("max-b", "max", {}),
      root("min", { started_at: iso(T0 + 500) }),
      span("min-a", "min", { started_at: iso(T0 + 100) }), // the earliest start...
      span("min-b", "min", {}),
      root("top"),
      span("top-a", "top", { started_at: iso(T0 + 1_500) }),
      span("top-b", "top", { type: "workflow_execution", parent_id: null, started_at: iso(T0 + 3_000) }),
      root("kind"),
      span("kind-a", "kind", { parent_id: null, type: "log", started_at: iso(T0 + 500) }), // parentless, earlier
      span("kind-b", "kind", {}),
    ];
    const second = [
      span("max-a", "max", { ended_at: iso(T0 + 3_000) }), // ...ends earlier
      span("min-a", "min", { started_at: iso(T0 + 800) }), // ...starts later
      root("top", { parent_id: "top-b" }), // the root gets a parent: top-b becomes the root
      root("kind", { type: "tool_call" }), // the root is no longer of a root type
    ];
    await writeSpanBatch(db, toBatch(ws, first));
    await writeSpanBatch(
      db,
      toBatch(ws, [
        span("max-c", "max", {}),
        span("min-c", "min", {}),
        span("top-c", "top", {}),
        span("kind-c", "kind", {}),
      ]),
    );
    await writeSpanBatch(db, toBatch(ws, second));
    const { stored, full } = await storedAndFull(db, ws);
    expect(stored).toEqual(full);
    const byId = new Map(stored.map((r) => [r.id, r]));
    expect(byId.get("max")?.agg_max_ended).toBe(full.find((r) => r.id === "max")?.agg_max_ended);
    expect(String(byId.get("max")?.agg_max_ended)).toContain("12:00:03");
    expect(String(byId.get("min")?.started_at)).toContain("12:00:00.5");
    expect(byId.get("top")?.agg_root_id).toBe("top-b");
    expect(byId.get("kind")?.agg_root_id).toBe("kind-a"); // both parentless, neither of a root type: the earlier
  }, 60_000);

  it("rolls an execution written before the aggregates were kept up in full, then keeps them", async () => {
    const ws = "ws_incremental_legacy";
    await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ($1, $1, $1)`, ws);
    const { batches } = plan(9, 3);
    const [first, ...rest] = batches;
    await writeSpanBatch(db, toBatch(ws, first));
    // As a row of an older version: no aggregates kept.
    await db.prisma.$executeRawUnsafe(
      `UPDATE executions SET rollup_ok = false, agg_root_id = NULL, agg_cost = NULL WHERE workspace_id = $1`,
      ws,
    );
    for (const spans of rest) await writeSpanBatch(db, toBatch(ws, spans));
    const { stored, full } = await storedAndFull(db, ws);
    expect(stored).toEqual(full);
    expect(stored.every((r) => r.rollup_ok)).toBe(true);
  }, 60_000);

  it("merges the spans of one big execution batch by batch, from 500 stored spans on", async () => {
    delete process.env.RUNLENS_INCREMENTAL_ROLLUP_MIN_SPANS;
    const ws = "ws_incremental_big";
    await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ($1, $1, $1)`, ws);
    const exec = "big-1";
    const spans: SpanRow[] = [];
    for (let i = 0; i < 3_000; i++)
      spans.push({
        ...emptySpanFields(),
        id: `big-${i}`,
        execution_id: exec,
        parent_id: i === 0 ? null : "big-0",
        type: i === 0 ? "agent_execution" : i % 3 === 0 ? "llm_call" : "tool_call",
        name: `span ${i}`,
        status: i === 0 ? "running" : "success",
        started_at: iso(T0 + i * 10),
        ended_at: i === 0 ? null : iso(T0 + i * 10 + 500 + (i % 7) * 100),
        ...(i % 3 === 0 && i > 0
          ? { llm_model: "gpt-4o", tokens_input: 10, tokens_output: 5, tokens_total: 15, cost: 0.00031 }
          : {}),
      });
    let merged = 0;
    for (let i = 0; i < spans.length; i += 500)
      merged += (await writeSpanBatch(db, toBatch(ws, spans.slice(i, i + 500)))).merged ?? 0;
    const { stored, full } = await storedAndFull(db, ws);
    expect(stored).toEqual(full);
    expect(stored[0].span_count).toBe(3_000);
    expect(stored[0].agg_root_id).toBe("big-0");
    if (db.pool) expect(merged).toBe(5); // every batch after the first
  }, 60_000);
});
