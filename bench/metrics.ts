// `npm run bench:metrics [-- --events N]`: Metrics cards over 10 million track() events (90 days,
// 20 event names) on Postgres. Loads the events with SQL into a fresh database, builds the hourly
// rollups the same way ingest keeps them, starts the real portal and measures p50/p95 of the query
// API for three cards: a 30-day hourly line (count), a distinct_count (users) and a rate
// (answered = true). In the same run the same queries are answered from raw events only (the
// planner's rollups switched off) as the baseline. Last line: {"bench":"metrics",...}.
// See docs/performance.md.
import { parseArgs } from "node:util";
import pg from "pg";
import { ZMetricQuery } from "../lib/contracts/metrics.ts";
import { openDatabase } from "../lib/db/client.ts";
import { withTransaction } from "../lib/db/transaction.ts";
import { resolveAgents } from "../lib/ingest/write/agents.ts";
import { executeMetricQuery } from "../lib/metrics/query.ts";
import { buildRollups, HOUR_OF } from "../lib/metrics/rollups.ts";
import { adminCreateWorkspace } from "../lib/workspaces/admin.ts";
import { type RunningServer, startPortal } from "../tests/helpers/server.ts";
import { intOpt } from "./options.ts";

const { values: args } = parseArgs({
  options: {
    events: { type: "string" },
    days: { type: "string" },
    runs: { type: "string" },
    "raw-runs": { type: "string" },
    "pg-url": { type: "string" },
    keep: { type: "string" },
    reuse: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log(`npm run bench:metrics -- [options]
  --events N      events to load (default 10000000, or BENCH_EVENTS)
  --days N        days they cover, ending now (default 90)
  --runs N        API queries per card (default 40)
  --raw-runs N    in-process planner and raw-baseline queries per card (default 10)
  --pg-url URL    admin URL of Postgres (default postgresql://postgres@127.0.0.1:5432/postgres, or BENCH_PG_URL)
  --keep NAME     keep the loaded database under this name (for --reuse)
  --reuse NAME    measure on a database kept by --keep (skips loading)`);
  process.exit(0);
}

const EVENTS = intOpt(args.events ?? process.env.BENCH_EVENTS, 10_000_000, "--events");
const DAYS = intOpt(args.days, 90, "--days");
const RUNS = intOpt(args.runs, 40, "--runs");
const RAW_RUNS = intOpt(args["raw-runs"], 10, "--raw-runs");
const NAMES = 20;
const USERS = 50_000;
const PG_ADMIN_URL = args["pg-url"] ?? process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const DB_NAME = args.reuse ?? args.keep ?? `runlens_bench_metrics_${process.pid}`;
const API_KEY = "rl_bench_metrics_0123456789abcdef";
const AGENT = "shop";
const TZ = "America/Sao_Paulo";

const dbUrl = (name: string) => {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
};
const log = (s: string) => console.log(s);
const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const round = (x: number) => Math.round(x * 10) / 10;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

let server: RunningServer | null = null;
let created = false;
async function cleanup() {
  await server?.stop().catch(() => undefined);
  server = null;
  if (created && !args.keep)
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)).catch(() => undefined);
  created = false;
}
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => {
    void cleanup().finally(() => process.exit(130));
  });

try {
  if (!args.reuse) {
    await admin((c) => c.query(`CREATE DATABASE ${DB_NAME}`));
    created = true;
  }
  const db = await openDatabase({ kind: "postgres", url: dbUrl(DB_NAME), migrate: "apply", poolSize: 4 });
  const pool = db.pool!;
  let workspaceId: string;
  if (args.reuse) {
    const { rows } = await pool.query<{ id: string }>("SELECT id FROM workspaces WHERE name = 'Bench metrics'");
    if (!rows[0]) throw new Error(`${DB_NAME} holds no bench data: load it with --keep ${DB_NAME}`);
    workspaceId = rows[0].id;
    log(`reusing ${DB_NAME}`);
  } else {
    ({
      workspace: { id: workspaceId },
    } = await adminCreateWorkspace(db, { name: "Bench metrics", apiKey: API_KEY }));
    const agentId = (await withTransaction(db, (tx) => resolveAgents(tx, workspaceId, [AGENT]))).get(AGENT)!;

    // Events: 20 names round-robin, evenly over DAYS ending now, deterministic properties.
    const t0 = performance.now();
    const chunk = 500_000;
    const client = await pool.connect();
    try {
      await client.query("SELECT setseed(0.42)");
      for (let lo = 1; lo <= EVENTS; lo += chunk) {
        const hi = Math.min(EVENTS, lo + chunk - 1);
        await client.query(
          `INSERT INTO track_events (workspace_id, id, agent_id, name, properties, timestamp, received_at)
           SELECT $1, 'ev_' || g, $2, 'event_' || lpad((g % ${NAMES})::text, 2, '0'),
                  jsonb_build_object(
                    'severity', (ARRAY['low','medium','high','critical'])[1 + floor(random() * 4)::int],
                    'answered', random() < 0.7,
                    'amount', round((random() * 500)::numeric, 2),
                    'user_id', 'u' || floor(random() * ${USERS})::int,
                    'source', (ARRAY['web','whatsapp','email','api','slack','phone'])[1 + floor(random() * 6)::int]),
                  now() - interval '${DAYS} days' + (g::float8 / ${EVENTS}) * interval '${DAYS} days',
                  now()
           FROM generate_series($3::int, $4::int) g`,
          [workspaceId, agentId, lo, hi],
        );
        process.stdout.write(`\rloading events: ${hi.toLocaleString("en")} / ${EVENTS.toLocaleString("en")}`);
      }
    } finally {
      client.release();
    }
    log(`\nloaded ${EVENTS.toLocaleString("en")} events in ${secs(t0)}`);
  }
  // Rollups, a day at a time (an hour's rows depend only on that hour's events), as ingest keeps them.
  const { rows: have } = await pool.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM (SELECT 1 FROM event_rollups WHERE workspace_id = $1 LIMIT 1) x",
    [workspaceId],
  );
  if (have[0].n === "0") {
    const t1 = performance.now();
    const { rows } = await pool.query<{ lo: Date; hi: Date }>(
      `SELECT ${HOUR_OF("min(timestamp)")} AS lo, max(timestamp) AS hi FROM track_events WHERE workspace_id = $1`,
      [workspaceId],
    );
    const DAY = 86_400_000;
    for (let d = rows[0].lo.getTime(); d <= rows[0].hi.getTime(); d += DAY) {
      await withTransaction(db, async (tx) => {
        await tx.exec("SET LOCAL work_mem = '256MB'");
        await buildRollups(tx, workspaceId, { from: new Date(d).toISOString(), to: new Date(d + DAY).toISOString() });
      });
      process.stdout.write(`\rbuilding rollups: ${new Date(d).toISOString().slice(0, 10)}`);
    }
    log(`\nbuilt rollups in ${secs(t1)}`);
  }
  // As autovacuum would have by then: statistics, and visibility maps for index-only scans.
  const t2 = performance.now();
  await pool.query("VACUUM (ANALYZE) track_events");
  await pool.query("VACUUM (ANALYZE) event_rollups");
  log(`vacuumed and analyzed in ${secs(t2)}`);
  const sizes = (
    await pool.query<{ events: string; rollups: string; events_size: string; rollups_size: string }>(
      `SELECT (SELECT count(*) FROM track_events)::text AS events, (SELECT count(*) FROM event_rollups)::text AS rollups,
              pg_size_pretty((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('track_events'))) AS events_size,
              pg_size_pretty(pg_total_relation_size('event_rollups')) AS rollups_size`,
    )
  ).rows[0];
  log(
    `events: ${Number(sizes.events).toLocaleString("en")} rows, ${sizes.events_size}; rollups: ${Number(sizes.rollups).toLocaleString("en")} rows, ${sizes.rollups_size}`,
  );

  // The three cards, over the last 30 days as the Metrics tab asks for them (a relative range).
  const now = Date.now();
  const range = { from: new Date(now - 30 * 86_400_000).toISOString(), to: new Date(now).toISOString() };
  const cards = {
    line_hourly_30d: { aggregation: "count", interval: "hour", timezone: TZ },
    distinct_users_30d: { aggregation: "distinct_count", property: "user_id", timezone: TZ },
    rate_answered_30d: { aggregation: "rate", where: { property: "answered", equals: true }, timezone: TZ },
  } as const;
  const eventName = (i: number) => `event_${String(i % NAMES).padStart(2, "0")}`;

  server = await startPortal({ databaseUrl: dbUrl(DB_NAME), env: { RUNLENS_WORKER: "off", REDIS_URL: "" } });
  const results: Record<string, Record<string, number | string>> = {};
  for (const [card, body] of Object.entries(cards)) {
    const api: number[] = [];
    let source = "";
    for (let i = -3; i < RUNS; i++) {
      const t = performance.now();
      const res = await fetch(`${server.url}/api/v1/metrics/query`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ agent: AGENT, event: eventName(i + 3), ...range, ...body }),
      });
      if (!res.ok) throw new Error(`${card}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      if (i >= 0) api.push(performance.now() - t); // the first three warm the server up
      source = res.headers.get("x-runlens-metric-source") ?? "?";
    }
    // In this process on the same database: the planner as the API runs it, and the baseline with
    // rollups switched off (the same aggregates over raw events), alternating so both see the same load.
    const engine: number[] = [];
    const raw: number[] = [];
    for (let i = -1; i < RAW_RUNS; i++) {
      const q = ZMetricQuery.parse({ agent: AGENT, event: eventName(i + 1), ...range, ...body });
      for (const [rollups, into] of [
        [true, engine],
        [false, raw],
      ] as const) {
        const t = performance.now();
        await executeMetricQuery(db, workspaceId, q, { rollups });
        if (i >= 0) into.push(performance.now() - t);
      }
    }
    results[card] = {
      source,
      p50_ms: round(pct(api, 50)),
      p95_ms: round(pct(api, 95)),
      engine_p50_ms: round(pct(engine, 50)),
      engine_p95_ms: round(pct(engine, 95)),
      raw_p50_ms: round(pct(raw, 50)),
      raw_p95_ms: round(pct(raw, 95)),
      speedup_p95: round(pct(raw, 95) / pct(engine, 95)),
    };
    log(
      `${card.padEnd(20)} via ${source.padEnd(6)} API p50 ${results[card].p50_ms} ms, p95 ${results[card].p95_ms} ms | in process: planner p95 ${results[card].engine_p95_ms} ms, raw events p50 ${results[card].raw_p50_ms} ms, p95 ${results[card].raw_p95_ms} ms | ${results[card].speedup_p95}x faster`,
    );
  }
  const worstP95 = Math.max(...Object.values(results).map((r) => r.p95_ms as number));
  log(`worst card p95: ${worstP95} ms (target: under 300 ms)`);
  await db.close();
  await cleanup();
  console.log(
    JSON.stringify({
      bench: "metrics",
      events: Number(sizes.events),
      rollup_rows: Number(sizes.rollups),
      days: DAYS,
      names: NAMES,
      runs: RUNS,
      cards: results,
      worst_p95_ms: worstP95,
      target_p95_ms: 300,
      meets_target: worstP95 < 300,
    }),
  );
} catch (e) {
  console.error(e);
  await cleanup();
  process.exit(1);
}
