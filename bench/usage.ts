// `npm run bench:usage [-- --executions N]`: what Settings › Data's usage estimate
// (lib/data/usage.ts workspaceUsage) costs on a big workspace. Loads N executions (default
// 1,000,000, 20 agents, 365 days, 1–60 spans each by span_count; no span rows: the estimate never
// reads them) and hourly event rollups for a year into a fresh Postgres database with SQL (triggers
// off while loading), analyzes, then times workspaceUsage and its parts. Last line:
// {"bench":"usage",...}. See docs/performance.md › Settings › Data usage.
import { parseArgs } from "node:util";
import pg from "pg";
import { rowSizes, workspaceRows, workspaceUsage } from "../lib/data/usage.ts";
import { openDatabase } from "../lib/db/client.ts";
import { adminCreateWorkspace } from "../lib/workspaces/admin.ts";
import { intOpt } from "./options.ts";

const { values: args } = parseArgs({
  options: {
    executions: { type: "string" },
    runs: { type: "string" },
    "pg-url": { type: "string" },
  },
});
const EXECUTIONS = intOpt(args.executions, 1_000_000, "--executions");
const RUNS = intOpt(args.runs, 5, "--runs");
const SERVER = args["pg-url"] ?? process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/postgres";

const name = `runlens_bench_usage_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: SERVER });
admin.on("error", () => undefined);
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(SERVER);
url.pathname = `/${name}`;
const db = await openDatabase({ kind: "postgres", url: url.toString(), migrate: "apply", poolSize: 4 });

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
try {
  const { workspace } = await adminCreateWorkspace(db, { name: "Usage" });
  const ws = workspace.id;
  const load = process.hrtime.bigint();
  const c = new pg.Client({ connectionString: url.toString() });
  c.on("error", () => undefined); // the database is dropped with FORCE at the end, whatever happens
  await c.connect();
  await c.query("SET session_replication_role = replica"); // no rollup or search triggers while loading
  await c.query(
    `INSERT INTO agents (id, workspace_id, name) SELECT 'ag' || g, $1, 'agent-' || g FROM generate_series(1, 20) g`,
    [ws],
  );
  await c.query(
    `INSERT INTO executions (workspace_id, id, agent_id, name, type, status, started_at, span_count, input, output)
     SELECT $1, 'x' || g, 'ag' || (1 + g % 20), 'run', 'agent_execution', 'success',
            now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second', 1 + ((g::bigint * 7919) % 60)::int,
            jsonb_build_object('q', repeat('x', 200)), jsonb_build_object('a', repeat('y', 200))
     FROM generate_series(1, $2::int) g`,
    [ws, EXECUTIONS],
  );
  await c.query(
    `INSERT INTO event_rollups (workspace_id, agent_id, name, dim, kind, val, hour, n)
     SELECT $1, 'ag' || (1 + a), 'event_' || e, '', 0, 'null', date_trunc('hour', now()) - h * interval '1 hour', 3
     FROM generate_series(0, 19) a, generate_series(1, 5) e, generate_series(0, 365 * 24 - 1) h`,
    [ws],
  );
  await c.query("ANALYZE");
  const { rows: sizes } = await c.query(
    `SELECT pg_size_pretty(pg_total_relation_size('executions')) AS executions,
            pg_size_pretty(pg_total_relation_size('event_rollups')) AS event_rollups,
            (SELECT count(*) FROM event_rollups)::int AS rollup_rows`,
  );
  await c.end();
  console.log(`loaded ${EXECUTIONS} executions in ${(ms(load) / 1000).toFixed(1)} s`, sizes[0]);

  const times: Record<string, number[]> = { usage: [], rowSizes: [], workspaceRows: [] };
  let usage: Awaited<ReturnType<typeof workspaceUsage>> | null = null;
  for (let i = 0; i <= RUNS; i++) {
    let t = process.hrtime.bigint();
    usage = await workspaceUsage(db, ws);
    const u = ms(t);
    t = process.hrtime.bigint();
    await rowSizes(db);
    const r = ms(t);
    t = process.hrtime.bigint();
    await workspaceRows(db, ws, null);
    const w = ms(t);
    if (i === 0) continue; // warm-up
    times.usage.push(u);
    times.rowSizes.push(r);
    times.workspaceRows.push(w);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const result = {
    bench: "usage",
    executions: EXECUTIONS,
    runs: RUNS,
    medianMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(median(v))])),
    maxMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(Math.max(...v))])),
    totalBytes: usage?.totalBytes,
    agents: usage?.byAgent.length,
    days: usage?.byDay.length,
  };
  console.log(JSON.stringify(result));
} finally {
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
