// The soak's verdict (bench/soak.ts), read straight from the database once the queue has drained:
// every acknowledged id stored, in its newest acknowledged version, executions not left running,
// span counts and event rollups equal to what the stored rows give.
import pg from "pg";
import { rollupDeltaSql } from "../lib/metrics/rollups.ts";
import type { Attempt, Kind } from "./soak-ledger.ts";

export type Finding = { kind: Kind; id: string; stored: number | null; expected: number; ackedAt: number };

export type Verdict = {
  acknowledged: { spans: number; events: number };
  lost: Finding[];
  /** Stored older than a version acknowledged after that older one was acknowledged. */
  stale: Finding[];
  /** Stored older, but a send of that older version got no answer before the newer one went out. */
  ambiguous: Finding[];
  runningWithEndedRoot: string[];
  spanCountMismatches: { id: string; spanCount: number; spans: number }[];
  rollupMismatches: {
    name: string;
    dim: string;
    kind: number;
    val: string;
    hour: string;
    n: number;
    expected: number;
  }[];
  /** Events counted beyond the rebuild (kind 0 rollups). */
  doubleCounted: number;
  failedJobs: number;
  ingestFailures: number | null;
};

/** What an id's sends let us expect: the newest version acknowledged, and when. */
function expectation(attempts: Attempt[]) {
  const acked = attempts.filter((a) => a.acked);
  if (acked.length === 0) return null;
  const newest = acked.reduce((m, a) => (a.v > m.v || (a.v === m.v && a.start > m.start) ? a : m));
  return { newest, endedAcked: acked.some((a) => a.ended) };
}

/**
 * Whether the stored older version `stored` was settled before the newest acknowledged send went
 * out: every send of it got an answer before that. If one got none (a timeout, a killed web
 * process), the server may have accepted it after the newer one, and the soak cannot tell.
 */
function settledBefore(attempts: Attempt[], stored: number, newest: Attempt): boolean {
  return attempts.filter((a) => a.v === stored).every((a) => a.answered && a.end <= newest.start);
}

export async function reconcile(
  databaseUrl: string,
  ledger: Map<string, Attempt[]>,
  extra: { failedJobs: number },
): Promise<Verdict> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const [{ id: ws }] = (await db.query<{ id: string }>("SELECT id FROM workspaces")).rows;
    const byKind: Record<Kind, string[]> = { span: [], event: [] };
    for (const [key, attempts] of ledger)
      if (expectation(attempts)) byKind[attempts[0].kind].push(key.slice(key.indexOf(":") + 1));

    const stored = new Map<string, { v: number; running: boolean }>();
    const spans = await db.query<{ id: string; v: number; running: boolean }>(
      `SELECT id, COALESCE((output->>'v')::int, CASE WHEN status = 'running' THEN 1 ELSE 2 END) AS v,
              status = 'running' AS running
       FROM spans WHERE workspace_id = $1 AND id = ANY($2)`,
      [ws, byKind.span],
    );
    for (const r of spans.rows) stored.set(`span:${r.id}`, { v: r.v, running: r.running });
    const events = await db.query<{ id: string; v: number }>(
      `SELECT id, COALESCE((properties->>'v')::int, 1) AS v FROM track_events WHERE workspace_id = $1 AND id = ANY($2)`,
      [ws, byKind.event],
    );
    for (const r of events.rows) stored.set(`event:${r.id}`, { v: r.v, running: false });

    const verdict: Verdict = {
      acknowledged: { spans: byKind.span.length, events: byKind.event.length },
      lost: [],
      stale: [],
      ambiguous: [],
      runningWithEndedRoot: [],
      spanCountMismatches: [],
      rollupMismatches: [],
      doubleCounted: 0,
      failedJobs: extra.failedJobs,
      ingestFailures: null,
    };
    for (const [key, attempts] of ledger) {
      const exp = expectation(attempts);
      if (!exp) continue;
      const { kind, id } = attempts[0];
      const row = stored.get(key);
      const finding = (s: number | null): Finding => ({
        kind,
        id,
        stored: s,
        expected: exp.newest.v,
        ackedAt: exp.newest.end,
      });
      if (!row) verdict.lost.push(finding(null));
      // A finished span is never replaced by its own "running" start, whatever the order.
      else if (kind === "span" && row.running && exp.endedAcked) verdict.stale.push(finding(row.v));
      else if (row.v < exp.newest.v)
        (settledBefore(attempts, row.v, exp.newest) ? verdict.stale : verdict.ambiguous).push(finding(row.v));
    }

    verdict.runningWithEndedRoot = (
      await db.query<{ id: string }>(
        `SELECT e.id FROM executions e
         JOIN spans s ON s.workspace_id = e.workspace_id AND s.execution_id = e.id AND s.parent_id IS NULL
         WHERE e.workspace_id = $1 AND e.status = 'running' AND s.status <> 'running'`,
        [ws],
      )
    ).rows.map((r) => r.id);

    verdict.spanCountMismatches = (
      await db.query<{ id: string; spanCount: number; spans: number }>(
        `SELECT e.id, e.span_count AS "spanCount", count(s.id)::int AS spans
         FROM executions e LEFT JOIN spans s ON s.workspace_id = e.workspace_id AND s.execution_id = e.id
         WHERE e.workspace_id = $1 GROUP BY e.id, e.span_count HAVING e.span_count <> count(s.id)`,
        [ws],
      )
    ).rows;

    // The rollups a rebuild from the stored events gives (lib/metrics/rollups.ts), against the table.
    const rebuilt = rollupDeltaSql(
      "SELECT agent_id, name, timestamp AS ts, properties, 1 AS sign FROM track_events WHERE workspace_id = $1",
    );
    verdict.rollupMismatches = (
      await db.query(
        `WITH expected AS (${rebuilt}),
              actual AS (SELECT agent_id, name, hour, kind, dim, val, n, num_sum FROM event_rollups
                         WHERE workspace_id = $1 AND (n <> 0 OR COALESCE(num_sum, 0) <> 0))
         SELECT COALESCE(a.name, x.name) AS name, COALESCE(a.dim, x.dim) AS dim, COALESCE(a.kind, x.kind)::int AS kind,
                COALESCE(a.val, x.val) AS val, COALESCE(a.hour, x.hour)::text AS hour,
                COALESCE(a.n, 0)::int AS n, COALESCE(x.n, 0)::int AS expected
         FROM actual a FULL JOIN expected x
           ON a.agent_id = x.agent_id AND a.name = x.name AND a.hour = x.hour AND a.kind = x.kind
          AND a.dim = x.dim AND a.val = x.val
         WHERE COALESCE(a.n, 0) <> COALESCE(x.n, 0)
            OR COALESCE(a.num_sum, 0) <> COALESCE(x.num_sum, 0)
         ORDER BY 1, 2, 3, 4, 5`,
        [ws],
      )
    ).rows;
    verdict.doubleCounted = verdict.rollupMismatches
      .filter((m) => m.kind === 0)
      .reduce((sum, m) => sum + Math.max(0, m.n - m.expected), 0);

    // The poison list of the parallel ingest work, when this schema has it.
    const hasFailures = (await db.query("SELECT to_regclass('ingest_failures') IS NOT NULL AS ok")).rows[0].ok;
    if (hasFailures)
      verdict.ingestFailures = Number(
        (await db.query("SELECT count(*) AS n FROM ingest_failures WHERE workspace_id = $1", [ws])).rows[0].n,
      );
    return verdict;
  } finally {
    await db.end();
  }
}
