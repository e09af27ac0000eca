import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestionStatus } from "@/lib/ingest/failures";
import {
  failedOutputImports,
  OutputS3Importer,
  outputObjectWorkflowId,
  outputS3Client,
} from "@/lib/ingest/sources/output/s3";
import { getExecution } from "@/lib/traces/read";
import {
  continuedAsNewRuns,
  FIXTURE_A_FILE,
  FIXTURE_B_FILE,
  readFixture,
  retriedStepTrace,
} from "@/tests/fixtures/output/traces";
import { drained, withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

// A real S3-compatible server (s3rver) on a free port and a temporary directory, as Output's bucket.
const BUCKET = "acme-output-traces";
const RUN_A = "0b6f3c2e-7a41-4d9b-9e35-5c8a1f2d7e90";
const RUN_B = "5e2a9d47-1b8c-4f30-8d6e-a7c4b9e13f52";
const KEY_A = `lead_enrichment/2026/08/18/${FIXTURE_A_FILE}`;
const KEY_B = `invoice_sync/2026/08/18/${FIXTURE_B_FILE}`;
const KEY_BROKEN = "broken_flow/2026/08/19/2026-08-19-09-00-00-000Z_brokenWorkflowId01.json";

const { db } = withAppDb();
let server: S3rver;
let dir: string;
let s3: S3Client;
let workspaceId: string;

const importer = () => new OutputS3Importer(db(), s3, BUCKET, workspaceId);
/** As Output uploads: compact JSON, no Content-Type. */
const upload = (key: string, body: unknown) =>
  s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: typeof body === "string" ? body : JSON.stringify(body) }),
  );
const ledger = () => db().prisma.outputImport.findMany({ where: { workspaceId }, orderBy: { key: "asc" } });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-s3rver-"));
  server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    directory: dir,
    silent: true,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await server.run();
  s3 = await outputS3Client({
    bucket: BUCKET,
    region: "us-east-1",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    endpoint: `http://127.0.0.1:${port}`,
    pollMs: 60_000,
  });
  ({ workspaceId } = await createKeyedWorkspace(db(), "Output"));
});

afterAll(async () => {
  s3?.destroy();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("importing Output traces from S3", () => {
  it("imports each trace object once, ignores other keys, and keeps a failed object's error", async () => {
    await upload(KEY_A, readFixture(FIXTURE_A_FILE));
    await upload(KEY_B, readFixture(FIXTURE_B_FILE));
    await upload(KEY_BROKEN, '{"id": "truncated');
    await upload("README.txt", "not a trace");
    // What Output's objects look like: not served as JSON.
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY_A }));
    expect(head.ContentType).not.toMatch(/json/);

    expect(await importer().importNew()).toEqual({ listed: 3, imported: 2, failed: 1 });
    await drained();
    expect(await getExecution(db(), workspaceId, RUN_A)).toMatchObject({
      status: "success",
      name: "lead_enrichment",
      source: "output",
      spanCount: 6,
    });
    expect(await getExecution(db(), workspaceId, RUN_B)).toMatchObject({ status: "error" });
    const failed = [
      { bucket: BUCKET, key: KEY_BROKEN, error: "the object is not JSON", attempts: 1, retryAt: expect.any(String) },
    ];
    expect(await failedOutputImports(db(), workspaceId)).toEqual(failed);
    // What Settings › Ingestion shows, for this workspace only.
    expect((await ingestionStatus(workspaceId)).failedOutputImports).toEqual(failed);
    expect((await ingestionStatus("another-workspace")).failedOutputImports).toEqual([]);

    // A second pass (a restart, say) imports nothing again; the failed object waits for its retry time.
    expect(await importer().importNew()).toEqual({ listed: 3, imported: 0, failed: 0 });
    const rows = await ledger();
    expect(rows.map((r) => [r.key, r.status, r.attempts, r.executionId])).toEqual([
      [KEY_BROKEN, "failed", 1, null],
      [KEY_B, "imported", 1, RUN_B],
      [KEY_A, "imported", 1, RUN_A],
    ]);
  });

  it("lets two importers running at once import each new object exactly once", async () => {
    const runs = continuedAsNewRuns(
      "pollerWorkflow001",
      ["c1", "c2", "c3", "c4", "c5", "c6"].map(runId),
      1787070000000,
    );
    for (const [i, run] of runs.entries())
      await upload(`poller/2026/08/18/2026-08-18-16-20-0${i}-000Z_pollerWorkflow001.json`, run);
    const [one, two] = await Promise.all([importer().importNew(), importer().importNew()]);
    expect(one.imported + two.imported).toBe(6);
    expect(one.failed + two.failed).toBe(0);
    await drained();
    for (const run of runs) expect((await getExecution(db(), workspaceId, run.id))?.status).toBe("success");
    const poller = (await ledger()).filter((r) => r.key.startsWith("poller/"));
    expect(poller.map((r) => [r.status, r.attempts])).toEqual(Array(6).fill(["imported", 1]));
  });

  it("picks up an object uploaded later, and retries a failed one once it is fixed or due", async () => {
    const later = retriedStepTrace();
    const laterKey = "retry_flow/2026/08/20/2026-08-20-10-00-00-000Z_retryWorkflow001.json";
    await upload(laterKey, later);
    expect(await importer().importNew()).toMatchObject({ imported: 1, failed: 0 });
    await drained();
    expect(await getExecution(db(), workspaceId, later.id)).not.toBeNull();

    // Due for its retry (time moved on), still broken: attempts count up, the error stays visible.
    await db().prisma.outputImport.updateMany({ where: { key: KEY_BROKEN }, data: { retryAt: new Date(0) } });
    expect(await importer().importNew()).toMatchObject({ imported: 0, failed: 1 });
    expect((await failedOutputImports(db(), workspaceId))[0]).toMatchObject({ key: KEY_BROKEN, attempts: 2 });

    // Fixed by a new upload (new ETag): imported at the next pass, without waiting.
    const fixed = continuedAsNewRuns("brokenWorkflowId01", [runId("fixed")], 1787130000000)[0];
    await upload(KEY_BROKEN, fixed);
    expect(await importer().importNew()).toMatchObject({ imported: 1, failed: 0 });
    await drained();
    expect(await failedOutputImports(db(), workspaceId)).toEqual([]);
    expect(await getExecution(db(), workspaceId, fixed.id)).toMatchObject({ status: "success" });
  });
});

describe("re-uploaded objects", () => {
  it("imports an object again when its content (ETag) changes, replacing the run", async () => {
    const tree = readFixture(FIXTURE_A_FILE);
    await upload(KEY_A, { ...tree, output: { company: "Acme Corp", summary: "Rewritten." } });
    expect(await importer().importNew()).toMatchObject({ imported: 1, failed: 0 });
    await drained();
    expect(await getExecution(db(), workspaceId, RUN_A)).toMatchObject({
      output: { summary: "Rewritten." },
      spanCount: 6,
    });
    expect((await ledger()).find((r) => r.key === KEY_A)).toMatchObject({ status: "imported", attempts: 1 });
  });
});

describe("Output object keys", () => {
  it("take the workflowId from `<workflowType>/YYYY/MM/DD/<timestamp>_<workflowId>.json` only", () => {
    expect(outputObjectWorkflowId(KEY_A)).toBe("Xk3v9QpL2mN8rT4wY6zA1");
    expect(outputObjectWorkflowId(FIXTURE_A_FILE)).toBeNull();
    expect(outputObjectWorkflowId(`traces/${KEY_A}`)).toBeNull();
    expect(outputObjectWorkflowId("lead_enrichment/2026/08/18/notes.json")).toBeNull();
  });
});

function runId(tag: string): string {
  return `${tag.padEnd(8, "0")}-0000-4000-8000-00000000c0de`;
}
