import { beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/runtime/v1/observability/events/route";
import { type MetricQuery, ZMetricQuery } from "@/lib/contracts/metrics";
import { withTransaction } from "@/lib/db/transaction";
import { executeMetricQuery } from "@/lib/metrics/query";
import { rebuildRollups } from "@/lib/metrics/rollups";
import { request, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

// Rollups kept at ingest must equal rollups rebuilt from the stored events after replacements
// (name, agent, timestamp and property changes), duplicate ids in a batch and concurrent batches.
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}
const random = rng(11);
const START = Date.parse("2026-05-01T00:00:00Z");
const SPAN = 3 * 86_400_000;
const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];

function makeEvent(id: string) {
  const props: Record<string, unknown> = {};
  if (random() < 0.8) props.amount = Math.round(random() * 10_000) / 100;
  if (random() < 0.1) props.amount = "12"; // mixed types
  if (random() < 0.9) props.severity = pick(["low", "high", "critical"]);
  if (random() < 0.5) props.answered = random() < 0.6;
  if (random() < 0.7) props.user = `u${Math.floor(random() * 60)}`;
  if (random() < 0.05) props.severity = null;
  if (random() < 0.05) props.payload = { nested: true };
  if (random() < 0.05) props.severity = "x".repeat(250); // too long to roll up per value
  return {
    id,
    agent: random() < 0.9 ? "ops" : "billing",
    name: pick(["alert_received", "ticket_resolved"]),
    timestamp: new Date(START + Math.floor(random() * SPAN)).toISOString(),
    properties: props,
  };
}

const SHAPES = [{}, { interval: "hour" }, { interval: "day", timezone: "America/Sao_Paulo" }];

describe("hourly rollups kept at ingest", () => {
  const app = withAppDb();
  let key = "";
  let workspaceId = "";
  const send = async (events: ReturnType<typeof makeEvent>[]) => {
    const res = await postEvents(request("/api/v1/runtime/v1/observability/events", { body: { events }, bearer: key }));
    expect((await res.json()).rejected).toBe(0);
  };
  const snapshot = async () =>
    (
      await app.db().prisma.$queryRawUnsafe<Record<string, unknown>[]>(
        `SELECT agent_id, name, dim, kind, val, hour, n::text AS n, COALESCE(num_sum, 0)::text AS num_sum
           FROM event_rollups WHERE workspace_id = $1 AND (n <> 0 OR COALESCE(num_sum, 0) <> 0)
           ORDER BY agent_id, name, dim, kind, val, hour`,
        workspaceId,
      )
    ).map((r) => JSON.stringify(r));

  beforeAll(async () => {
    ({ apiKey: key, workspaceId } = await createKeyedWorkspace(app.db()));
    const first = Array.from({ length: 1200 }, (_, i) => makeEvent(`ev${i}`));
    await Promise.all([0, 300, 600, 900].map((i) => send(first.slice(i, i + 300))));
    await app.drained();
    // Replacements: new content under 400 existing ids, concurrently, with ids repeated inside a batch.
    const again = Array.from({ length: 400 }, (_, i) => makeEvent(`ev${(i * 3) % 1200}`));
    await Promise.all([
      send(again.slice(0, 150)),
      send(again.slice(150, 300)),
      send([...again.slice(300), makeEvent("ev3"), makeEvent("ev3")]),
    ]);
    await app.drained();
  });

  it("equal the rollups rebuilt from the stored events", async () => {
    const kept = await snapshot();
    expect(kept.length).toBeGreaterThan(100);
    await withTransaction(app.db(), (tx) => rebuildRollups(tx, workspaceId));
    expect(await snapshot()).toEqual(kept);
  });

  it("answer every rollup-able query exactly as the raw events do", async () => {
    const base = {
      agent: "ops",
      event: "alert_received",
      from: new Date(START - 3_600_000 + 7 * 60_000).toISOString(),
      to: new Date(START + SPAN - 41 * 60_000).toISOString(),
    };
    const queries: Record<string, unknown>[] = [
      { aggregation: "count" },
      { aggregation: "count", where: { property: "severity", equals: "high" } },
      { aggregation: "count", where: { property: "answered", equals: false } },
      { aggregation: "rate", where: { property: "answered", equals: true } },
      { aggregation: "sum", property: "amount" },
      { aggregation: "avg", property: "amount" },
      { aggregation: "distinct_count", property: "user" },
      { aggregation: "count", groupBy: "answered", top: 1 },
    ];
    let rolled = 0;
    for (const q of queries)
      for (const shape of q.groupBy ? [{}, { timezone: "Europe/Lisbon" }, { top: 5 }] : SHAPES) {
        const mq: MetricQuery = ZMetricQuery.parse({ ...base, ...q, ...shape });
        const fast = await executeMetricQuery(app.db(), workspaceId, mq);
        const raw = await executeMetricQuery(app.db(), workspaceId, mq, { rollups: false });
        expect(raw.plan.source).toBe("raw");
        if (fast.plan.source === "rollup") rolled++;
        expect(fast.result, JSON.stringify({ q, shape })).toEqual(raw.result);
      }
    expect(rolled).toBe(queries.length * 3);
    // severity has long strings and nulls: grouping by it must fall back to events, and still agree.
    const bySeverity = ZMetricQuery.parse({ ...base, aggregation: "count", groupBy: "severity" });
    const fast = await executeMetricQuery(app.db(), workspaceId, bySeverity);
    expect(fast.plan.source).toBe("raw");
  });
});
