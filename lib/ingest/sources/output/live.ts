import "server-only";
import type { Redis } from "ioredis";
import { ZOutputNode } from "../../../contracts/output.ts";
import { advisoryLease } from "../../../db/advisory-lease.ts";
import type { Db } from "../../../db/index.ts";
import { anyOfJsonArray } from "../../../db/sql.ts";
import { zodDetails } from "../../../errors.ts";
import { logger } from "../../../log.ts";
import { type Poller, startPoller } from "../../../server/poller.ts";
import type { SpanRow } from "../../model.ts";
import { buildSpanBatch, processBatch } from "../../pipeline.ts";
import { buildOutputTreeFromMembers, type OutputTreeNode } from "./events.ts";
import { mapOutputTrace } from "./map.ts";
import { whenWorkspaceResolved } from "./workspace.ts";

const log = logger("output-live");

/**
 * Follows runs in progress through Output's Redis (docs/sources/output-live.md): every poll it
 * SCANs `traces/*`, reads each sorted set whose size changed, rebuilds the trace tree and stores
 * it as the execution (id = root runId) through the files adapter. A key disappears when Output
 * uploads the run to S3 (after the root ended) or when it expires: the stored execution then stays,
 * and one whose root never ended is marked abandoned.
 *
 * Strictly read-only on that Redis: the only commands sent are SCAN, ZCARD, ZRANGE and EXISTS.
 */

/** The reader's access to Output's Redis: SCAN, ZRANGE, EXISTS, and ZCARD through a pipeline. */
export type OutputRedisReads = Pick<Redis, "scan" | "zrange" | "exists" | "pipeline">;

const KEY_PATTERN = "traces/*";

/** Root span metadata of a run followed live: which key it came from, and whether it was abandoned. */
type OutputLiveMarker = { redis_key: string; abandoned?: true; abandoned_reason?: string };
export const ABANDONED_REASON =
  "The run's Redis key disappeared before the root workflow ended: it was terminated, timed out, lost its worker, or its events expired.";

export type LivePollResult = { keys: number; stored: number; abandoned: number };

/** What was last stored of a key: its size, and the span ids written (to drop ones that vanish). */
type Followed = { size: number; spanIds: Set<string> };

export class OutputLiveReader {
  private readonly followed = new Map<string, Followed>();

  constructor(
    private readonly db: Db,
    private readonly redis: OutputRedisReads,
    private readonly workspaceId: string,
  ) {}

  /** One pass: store every changed run, then mark abandoned the live runs whose key is gone. */
  async poll(): Promise<LivePollResult> {
    const keys = await this.scanKeys();
    const sizes = await this.sizes([...keys]);
    let stored = 0;
    for (const [key, size] of sizes) {
      try {
        if (await this.refresh(key, size)) stored++;
      } catch (e) {
        // This run is read again at the next poll; the others go on.
        log.error(`${key}: ${(e as Error).message}`);
      }
    }
    for (const key of this.followed.keys()) if (!keys.has(key)) this.followed.delete(key);
    const abandoned = await this.abandonVanished(keys);
    return { keys: keys.size, stored, abandoned };
  }

  private async scanKeys(): Promise<Set<string>> {
    const keys = new Set<string>();
    let cursor = "0";
    do {
      const [next, batch] = await this.redis.scan(cursor, "MATCH", KEY_PATTERN, "COUNT", 500);
      for (const k of batch) keys.add(k);
      cursor = next;
    } while (cursor !== "0");
    return keys;
  }

  /** ZCARD of every key in one round trip; a key of another type under traces/ is not Output's. */
  private async sizes(keys: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (keys.length === 0) return out;
    const replies = (await this.redis.pipeline(keys.map((k) => ["zcard", k])).exec()) ?? [];
    replies.forEach(([err, size], i) => {
      if (!err && typeof size === "number" && size > 0) out.set(keys[i], size);
    });
    return out;
  }

  /**
   * Output only adds members (ZADD NX) until the key is deleted, so an unchanged size means
   * unchanged content. True when the run was stored.
   */
  private async refresh(key: string, size: number): Promise<boolean> {
    if (this.followed.get(key)?.size === size) return false;
    const members = await this.redis.zrange(key, "0", "-1");
    const root = storableTree(key, buildOutputTreeFromMembers(members));
    const previous = this.followed.get(key)?.spanIds ?? new Set<string>();
    const spanIds = root ? await this.store(key, root, previous) : previous;
    this.followed.set(key, { size: members.length, spanIds });
    return root !== null;
  }

  private async store(key: string, root: OutputTreeNode, previous: Set<string>): Promise<Set<string>> {
    const { spans, executions } = mapOutputTrace(root);
    const marker: OutputLiveMarker = { redis_key: key };
    const marked = spans.map((s) => (s.parent_id === null ? { ...s, metadata: withMarker(s.metadata, marker) } : s));
    const spanIds = new Set(spans.map((s) => s.id));
    // Span ids follow tree positions, and the tree only grows, except when a late event changes
    // the root (spec §4.3 quirk 9): spans no longer in the tree are dropped before the rewrite.
    const gone = [...previous].filter((id) => !spanIds.has(id));
    // Their executions no longer match their kept aggregates: the next write rolls them up from all
    // their spans (lib/ingest/write/rollup.ts).
    if (gone.length > 0)
      await this.db.prisma.$executeRawUnsafe(
        `WITH gone AS (DELETE FROM spans WHERE workspace_id = $1 AND id = ${anyOfJsonArray("$2")} RETURNING execution_id)
         UPDATE executions SET rollup_ok = false
         WHERE workspace_id = $1 AND id = ANY(ARRAY(SELECT DISTINCT execution_id FROM gone))`,
        this.workspaceId,
        JSON.stringify(gone),
      );
    // Written here, in poll order, rather than queued: two versions of a run must not land out of
    // order, and Redis stays the source to read again if a write fails.
    await processBatch(this.db, await buildSpanBatch(this.db, this.workspaceId, "output", marked, executions));
    return spanIds;
  }

  /**
   * Running executions followed live whose key no longer exists: the root never ended (or its end
   * was never seen), so the run is closed as cancelled with an `abandoned` marker. Read from the
   * database, so runs left running by a previous process or another one are closed too.
   */
  private async abandonVanished(present: Set<string>): Promise<number> {
    const rows = await this.db.prisma.$queryRawUnsafe<{ execution_id: string; redis_key: string }[]>(
      `SELECT s.execution_id, s.metadata->'output_live'->>'redis_key' AS redis_key
       FROM executions e JOIN spans s ON s.workspace_id = e.workspace_id AND s.execution_id = e.id AND s.parent_id IS NULL
       WHERE e.workspace_id = $1 AND e.source = 'output' AND e.status = 'running'
         AND s.metadata->'output_live'->>'redis_key' IS NOT NULL`,
      this.workspaceId,
    );
    let n = 0;
    for (const r of rows) {
      // Keys never come back once deleted; EXISTS guards against a key another process just stored.
      if (present.has(r.redis_key) || (await this.redis.exists(r.redis_key)) > 0) continue;
      await this.markAbandoned(r.execution_id, r.redis_key);
      n++;
    }
    return n;
  }

  private async markAbandoned(executionId: string, key: string): Promise<void> {
    const rows = await this.db.prisma.$queryRawUnsafe<StoredSpan[]>(
      `SELECT id, execution_id, parent_id, type, name, step_type, status::text AS status, started_at, ended_at, input, output,
         metadata, error, llm, llm_model, tokens_input, tokens_output, tokens_total, http_method, http_url, http_status,
         message, message_role,
         (SELECT max(COALESCE(l.ended_at, l.started_at)) FROM spans l WHERE l.workspace_id = $1 AND l.execution_id = $2) AS last_seen_at
       FROM spans WHERE workspace_id = $1 AND execution_id = $2 AND status = 'running'`,
      this.workspaceId,
      executionId,
    );
    const marker: OutputLiveMarker = { redis_key: key, abandoned: true, abandoned_reason: ABANDONED_REASON };
    const closed = rows.map(({ last_seen_at, ...r }): SpanRow => {
      const span = spanRowOf(r);
      return {
        ...span,
        status: "cancelled",
        ended_at: span.ended_at ?? iso(last_seen_at),
        metadata: span.parent_id === null ? withMarker(span.metadata, marker) : span.metadata,
      };
    });
    if (closed.length === 0) return;
    const executions = await this.db.prisma.$queryRawUnsafe<ExecutionRow[]>(
      `SELECT e.id AS execution_id, a.name AS agent, e.thread_id, e.session_id, e.company_id, e.identify_type,
         e.identify_value, e.external_id
       FROM executions e JOIN agents a ON a.id = e.agent_id WHERE e.workspace_id = $1 AND e.id = $2`,
      this.workspaceId,
      executionId,
    );
    // Already protected when first stored: written as they are.
    await processBatch(this.db, {
      kind: "spans",
      workspaceId: this.workspaceId,
      source: "output",
      spans: closed,
      executions: executions.map((e) => ({ ...e, agent_from_root: false })),
    });
    log.info(`run ${executionId} abandoned (${key} disappeared before its root ended)`);
  }
}

/**
 * The tree when it passes the trace file contract (times Postgres can store, ids storable as sent),
 * else null with the reason logged: the run is read again once its key changes.
 */
function storableTree(key: string, root: OutputTreeNode | null): OutputTreeNode | null {
  if (!root) return null;
  const parsed = ZOutputNode.safeParse(root);
  if (parsed.success) return root;
  const reasons = zodDetails(parsed.error).map((d) => `${d.path}: ${d.message}`);
  log.error(`${key}: not stored: ${reasons.slice(0, 5).join("; ")}`);
  return null;
}

type StoredSpan = Omit<SpanRow, "started_at" | "ended_at"> & {
  started_at: Date | string;
  ended_at: Date | string | null;
  last_seen_at: Date | string;
};
type ExecutionRow = {
  execution_id: string;
  agent: string;
  thread_id: string | null;
  session_id: string | null;
  company_id: string | null;
  identify_type: string | null;
  identify_value: string | null;
  external_id: string | null;
};

const iso = (d: Date | string) => new Date(d).toISOString();

function spanRowOf(r: Omit<StoredSpan, "last_seen_at">): SpanRow {
  return { ...r, started_at: iso(r.started_at), ended_at: r.ended_at === null ? null : iso(r.ended_at) };
}

function withMarker(metadata: unknown, marker: OutputLiveMarker): unknown {
  const base = metadata && typeof metadata === "object" && !Array.isArray(metadata) ? metadata : {};
  return { ...base, output_live: marker };
}

/**
 * The reader as a server service: connects to OUTPUT_REDIS_URL and polls until closed, while it
 * holds the lease. The receiving workspace is resolved on each poll until it can be (see
 * resolveOutputWorkspace).
 */
export async function startOutputLive(opts: {
  db: Db;
  redisUrl: string;
  workspace: string | null;
  intervalMs: number;
}): Promise<Poller> {
  const { Redis } = await import("ioredis");
  // A failing command fails the poll (logged, retried next interval) instead of waiting forever.
  const redis = new Redis(opts.redisUrl, { connectionName: "runlens:output-live", maxRetriesPerRequest: 2 });
  const reader = whenWorkspaceResolved(
    opts.db,
    opts.workspace,
    "output-live",
    (workspaceId) => new OutputLiveReader(opts.db, redis, workspaceId),
  );
  // One process follows Redis at a time (web and workers may all have OUTPUT_REDIS_URL): two
  // readers would write every change twice and could store an older version after a newer one.
  const lease = advisoryLease(opts.db, "runlens:output-live");
  const poller = startPoller("output-live", opts.intervalMs, async () => {
    if (await lease.held()) await (await reader())?.poll();
  });
  return {
    tick: poller.tick,
    async close() {
      await poller.close();
      await lease.release();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
