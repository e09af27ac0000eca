import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emptyContextFields, emptySpanFields, type SpanBatch, type SpanRow } from "@/lib/ingest/model";
import { clearAgentCache } from "@/lib/ingest/write/agents";
import { writeSpanBatch } from "@/lib/ingest/write/spans";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import { clearOrderCache, getExecutionDetails, getExecutionOutline } from "./details";

const WS = "ws_details_test";
const EX = "ex_big";
const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

function span(id: string, parent: string | null, startMs: number): SpanRow {
  return {
    ...emptySpanFields(),
    id,
    execution_id: EX,
    parent_id: parent,
    type: parent ? "tool_call" : "agent_execution",
    name: id,
    status: "success",
    started_at: t(startMs),
    ended_at: t(startMs + 1),
  };
}

function batch(spans: SpanRow[]): SpanBatch {
  return {
    kind: "spans",
    workspaceId: WS,
    source: "sdk",
    spans,
    executions: [
      {
        execution_id: EX,
        agent: "default",
        agent_from_root: false,
        ...emptyContextFields(),
      },
    ],
  };
}

describe("paging through a large execution", () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    clearAgentCache();
    clearOrderCache();
    await db.prisma.$executeRawUnsafe(`INSERT INTO workspaces (id, name, slug) VALUES ('${WS}', 'W', 'w-details')`);
    // A root, 50 steps, 50 children each: 2,551 spans, more than the order cache's threshold.
    const spans = [span("root", null, 0)];
    for (let s = 0; s < 50; s++) {
      spans.push(span(`step${String(s).padStart(2, "0")}`, "root", 10_000 * (s + 1)));
      for (let c = 0; c < 50; c++)
        spans.push(
          span(
            `step${String(s).padStart(2, "0")}-c${String(c).padStart(2, "0")}`,
            `step${String(s).padStart(2, "0")}`,
            10_000 * (s + 1) + c + 1,
          ),
        );
    }
    for (let i = 0; i < spans.length; i += 500) await writeSpanBatch(db, batch(spans.slice(i, i + 500)));
  });
  afterAll(async () => {
    clearAgentCache();
    clearOrderCache();
    await db.drop();
  });

  async function allDetails(limit: number): Promise<string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += limit) {
      const page = await getExecutionDetails(db, WS, EX, { offset, limit });
      ids.push(...page.traces.map((s) => s.id));
      if (!page.tracesHasMore) return ids;
    }
  }

  function expectedOrder(extra: Record<string, string[]> = {}): string[] {
    const out = ["root"];
    for (let s = 0; s < 50; s++) {
      const step = `step${String(s).padStart(2, "0")}`;
      out.push(...(extra[`before:${step}`] ?? []), step);
      for (let c = 0; c < 50; c++) out.push(`${step}-c${String(c).padStart(2, "0")}`);
    }
    return out;
  }

  it("returns every span once, depth first, and sees each later write on the next page read", async () => {
    expect(await allDetails(1000)).toEqual(expectedOrder());
    expect(await allDetails(1000)).toEqual(expectedOrder()); // again (from the cached order)

    // A new span that sorts before step00: every later page shifts by one.
    await writeSpanBatch(db, batch([span("early", "root", 5)]));
    expect(await allDetails(1000)).toEqual(expectedOrder({ "before:step00": ["early"] }));

    // A resend that moves a span (same count): the order follows it.
    await writeSpanBatch(db, batch([span("early", "root", 15_000)]));
    expect(await allDetails(1000)).toEqual(expectedOrder({ "before:step01": ["early"] }));

    const outline = await getExecutionOutline(db, WS, EX, { offset: 2000, limit: 1000 });
    expect(outline.total).toBe(2552);
    expect(outline.spans.map((s) => s.id)).toEqual(expectedOrder({ "before:step01": ["early"] }).slice(2000));
  });

  it("answers from one snapshot: the execution's span count is the total of spans, while batches commit", async () => {
    // Reads race one-span batches: without one snapshot a batch committing between the read of
    // the execution row and the read of its spans makes the two disagree.
    // The reads go on until batches have committed between them (counted, not timed), so the
    // race is exercised however fast or loaded the machine is.
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) await writeSpanBatch(db, batch([span(`late${i}`, "root", 900_000 + i)]));
    })();
    const seen = new Set<number>();
    try {
      // Until reads have seen five different totals: batches committed between them at least four
      // times (a loaded machine only takes longer to get there).
      for (let reads = 0; reads < 10 || seen.size < 5; reads++) {
        const d = await getExecutionDetails(db, WS, EX, { offset: 0, limit: 1 });
        expect(d.execution.spanCount).toBe(d.tracesTotal);
        const o = await getExecutionOutline(db, WS, EX, { offset: 0, limit: 1 });
        expect(o.execution.spanCount).toBe(o.total);
        seen.add(d.tracesTotal).add(o.total);
      }
    } finally {
      writing = false;
      await writer;
    }
  }, 180_000);
});
