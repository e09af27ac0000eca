import "server-only";
import type { S3Client } from "@aws-sdk/client-s3";
import type { OutputSourceConfig } from "../../../config.ts";
import type { FailedOutputImport } from "../../../contracts/ingestion.ts";
import type { Db } from "../../../db/index.ts";
import { anyOfJsonArray } from "../../../db/sql.ts";
import { ApiError } from "../../../errors.ts";
import { logger } from "../../../log.ts";
import { type Poller, startPoller } from "../../../server/poller.ts";
import { parseOutputFileName } from "./map.ts";
import { importOutputTrace } from "./receive.ts";
import { whenWorkspaceResolved } from "./workspace.ts";

const log = logger("output-s3");

/**
 * Imports the trace objects Output's remote tracing uploads to S3 (docs/sources/output-live.md):
 * each poll lists the bucket, and every object not yet imported, or whose ETag changed, is claimed
 * in `output_imports` by one importer (INSERT ... ON CONFLICT DO NOTHING, or a conditional UPDATE
 * for a retry), read, and ingested through the files adapter. Claims survive restarts and are
 * shared by every process, so each object is imported once. A failed object keeps its error and is
 * claimed again after a back-off (at once when its ETag changed); a claim left by a process that died is taken over after
 * STALE_CLAIM_MINUTES.
 */

/** `<workflowType>/YYYY/MM/DD/<timestamp>_<workflowId>.json` (spec §8). */
const OBJECT_KEY = /^[^/]+\/\d{4}\/\d{2}\/\d{2}\/[^/]+$/;
const STALE_CLAIM_MINUTES = 10;
const MAX_RETRY_MINUTES = 60;

export type OutputObject = { key: string; etag: string };
export type S3ImportResult = { listed: number; imported: number; failed: number };

/** The workflowId of an Output trace object, or null for a key that is not one. */
export function outputObjectWorkflowId(key: string): string | null {
  return OBJECT_KEY.test(key) ? (parseOutputFileName(key)?.workflowId ?? null) : null;
}

export class OutputS3Importer {
  constructor(
    private readonly db: Db,
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly workspaceId: string,
  ) {}

  /** One pass over the bucket: every object to import is claimed and imported (or failed). */
  async importNew(): Promise<S3ImportResult> {
    const result: S3ImportResult = { listed: 0, imported: 0, failed: 0 };
    for await (const page of this.listPages()) {
      result.listed += page.length;
      for (const obj of await this.pending(page)) {
        if (!(await this.claim(obj))) continue;
        if (await this.importObject(obj)) result.imported++;
        else result.failed++;
      }
    }
    return result;
  }

  private async *listPages(): AsyncGenerator<OutputObject[]> {
    const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
    let token: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, ContinuationToken: token }));
      const page: OutputObject[] = [];
      for (const o of res.Contents ?? [])
        if (o.Key && outputObjectWorkflowId(o.Key)) page.push({ key: o.Key, etag: o.ETag ?? "" });
      yield page;
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }

  /** The objects of a page that are new, changed, or failed: one query per page. */
  private async pending(page: OutputObject[]): Promise<OutputObject[]> {
    if (page.length === 0) return [];
    const done = await this.db.prisma.$queryRawUnsafe<{ key: string; etag: string }[]>(
      `SELECT key, etag FROM output_imports
       WHERE workspace_id = $1 AND bucket = $2 AND status = 'imported'
         AND key = ${anyOfJsonArray("$3")}`,
      this.workspaceId,
      this.bucket,
      JSON.stringify(page.map((o) => o.key)),
    );
    const etags = new Map(done.map((d) => [d.key, d.etag]));
    return page.filter((o) => etags.get(o.key) !== o.etag);
  }

  /**
   * Atomically makes this importer the owner of the object: a first sight inserts the claim; a
   * failed object past its retry time, an abandoned claim, or an imported object whose ETag
   * changed is taken over by a conditional UPDATE. False when another importer holds or did it.
   */
  private async claim(obj: OutputObject): Promise<boolean> {
    const inserted = await this.db.prisma.$executeRawUnsafe(
      `INSERT INTO output_imports (workspace_id, bucket, key, etag, status, attempts, claimed_at)
       VALUES ($1, $2, $3, $4, 'importing', 1, now())
       ON CONFLICT (workspace_id, bucket, key) DO NOTHING`,
      this.workspaceId,
      this.bucket,
      obj.key,
      obj.etag,
    );
    if (inserted === 1) return true;
    const taken = await this.db.prisma.$executeRawUnsafe(
      `UPDATE output_imports SET status = 'importing', etag = $4, claimed_at = now(),
         attempts = CASE WHEN status = 'imported' THEN 1 ELSE attempts + 1 END
       WHERE workspace_id = $1 AND bucket = $2 AND key = $3
         AND ((status = 'failed' AND (retry_at <= now() OR etag <> $4))
           OR (status = 'importing' AND claimed_at < now() - interval '${STALE_CLAIM_MINUTES} minutes')
           OR (status = 'imported' AND etag <> $4))`,
      this.workspaceId,
      this.bucket,
      obj.key,
      obj.etag,
    );
    return taken === 1;
  }

  private async importObject(obj: OutputObject): Promise<boolean> {
    try {
      const { GetObjectCommand } = await import("@aws-sdk/client-s3");
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: obj.key }));
      // Output sets no Content-Type (the store reports octet-stream): the body is JSON regardless.
      // Read as it arrives, like a file sent to the route (these run on a server's thread too).
      const { executionId } = await importOutputTrace(
        this.db,
        this.workspaceId,
        (res.Body as AsyncIterable<Uint8Array> | undefined) ?? [],
        { workflowId: outputObjectWorkflowId(obj.key) },
      ).catch((e: unknown) => {
        if (!(e instanceof ApiError)) throw e;
        if (e.code === "invalid_json") throw new Error("the object is not JSON");
        if (e.code !== "validation_error") throw e;
        const details = (e.details ?? []) as { path: string; message: string }[];
        throw new Error(`not an Output trace: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`);
      });
      await this.db.prisma.$executeRawUnsafe(
        `UPDATE output_imports SET status = 'imported', execution_id = $4, imported_at = now(), error = NULL, retry_at = NULL
         WHERE workspace_id = $1 AND bucket = $2 AND key = $3`,
        this.workspaceId,
        this.bucket,
        obj.key,
        executionId,
      );
      return true;
    } catch (e) {
      const message = (e as Error).message || String(e);
      log.error(`s3://${this.bucket}/${obj.key} failed: ${message}`);
      // Back-off doubles per attempt: 1, 2, 4 ... minutes, at most an hour.
      await this.db.prisma.$executeRawUnsafe(
        `UPDATE output_imports SET status = 'failed', error = $4,
           retry_at = now() + least(power(2, attempts - 1), ${MAX_RETRY_MINUTES}) * interval '1 minute'
         WHERE workspace_id = $1 AND bucket = $2 AND key = $3`,
        this.workspaceId,
        this.bucket,
        obj.key,
        message.slice(0, 2000),
      );
      return false;
    }
  }
}

/** Objects of this workspace whose import failed, newest first (Settings › Ingestion). */
export async function failedOutputImports(db: Db, workspaceId: string): Promise<FailedOutputImport[]> {
  const rows = await db.prisma.outputImport.findMany({
    where: { workspaceId, status: "failed" },
    orderBy: { claimedAt: "desc" },
    take: 200,
  });
  return rows.map((r) => ({
    key: r.key,
    bucket: r.bucket,
    error: r.error ?? "",
    attempts: r.attempts,
    retryAt: r.retryAt?.toISOString() ?? null,
  }));
}

/** An S3 client for Output's bucket; an endpoint (S3-compatible store) uses path-style URLs. */
export async function outputS3Client(s3: NonNullable<OutputSourceConfig["s3"]>): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  return new S3Client({
    region: s3.region,
    ...(s3.endpoint && { endpoint: s3.endpoint, forcePathStyle: true }),
    ...(s3.accessKeyId &&
      s3.secretAccessKey && { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }),
  });
}

/** The importer as a server service, polling until closed (workspace resolved as for live runs). */
export async function startOutputS3Import(opts: {
  db: Db;
  s3: NonNullable<OutputSourceConfig["s3"]>;
  workspace: string | null;
}): Promise<Poller> {
  const client = await outputS3Client(opts.s3);
  const importer = whenWorkspaceResolved(
    opts.db,
    opts.workspace,
    "output-s3",
    (workspaceId) => new OutputS3Importer(opts.db, client, opts.s3.bucket, workspaceId),
  );
  const poller = startPoller("output-s3", opts.s3.pollMs, async () => {
    const r = await (await importer())?.importNew();
    if (!r) return;
    if (r.imported > 0 || r.failed > 0)
      log.info(`${r.imported} imported, ${r.failed} failed (${r.listed} objects listed)`);
  });
  return {
    tick: poller.tick,
    async close() {
      await poller.close();
      client.destroy();
    },
  };
}
