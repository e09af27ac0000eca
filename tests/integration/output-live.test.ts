import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Redis } from "ioredis";
import S3rver from "s3rver";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ABANDONED_REASON, OutputLiveReader, startOutputLive } from "@/lib/ingest/sources/output/live";
import { OutputS3Importer, outputS3Client } from "@/lib/ingest/sources/output/s3";
import { resolveOutputWorkspace } from "@/lib/ingest/sources/output/workspace";
import { getLiveBus, type LiveNotice } from "@/lib/live";
import { getExecutionDetails } from "@/lib/traces/details";
import { getExecution } from "@/lib/traces/read";
import invoiceSync from "@/tests/fixtures/output/invoice-sync.members.json";
import leadEnrichment from "@/tests/fixtures/output/lead-enrichment.members.json";
import { FIXTURE_A_FILE, readFixture } from "@/tests/fixtures/output/traces";
import { drained, withAppDb } from "../helpers/app";
import { startPortal } from "../helpers/server";
import { createKeyedWorkspace } from "../helpers/workspace";

// Output's Redis is played by logical DB 7 of the test Redis: this file alone writes it (as
// Output's worker does: MULTI ZADD NX + EXPIRE) and flushes it. The reader connects as an ACL user
// allowed only SCAN/ZCARD/ZRANGE/EXISTS (plus connection setup), so any write it tried would fail.
const BASE = new URL(process.env.OUTPUT_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/7");
const READ_USER = `runlens-output-ro-${randomBytes(4).toString("hex")}`;
const READ_PASSWORD = randomBytes(12).toString("hex");

const RUN_A = "0b6f3c2e-7a41-4d9b-9e35-5c8a1f2d7e90";
const RUN_B = "5e2a9d47-1b8c-4f30-8d6e-a7c4b9e13f52";
const key = (runId: string) => `traces/${runId}`;

const { db } = withAppDb();
let output: Redis;
let readerUrl: string;
let workspaceId: string;

/** What Output's worker does per entry (spec §3.2). */
async function emit(runId: string, members: string[]): Promise<void> {
  for (const m of members) {
    const ts = (JSON.parse(m) as { timestamp: number }).timestamp;
    await output.multi().zadd(key(runId), "NX", ts, m).expire(key(runId), 604800).exec();
  }
}

/** Every key of Output's Redis with its type, members and scores, and whether it still expires. */
async function snapshot(): Promise<unknown> {
  const keys = (await output.keys("*")).sort();
  return Promise.all(
    keys.map(async (k) => ({
      k,
      type: await output.type(k),
      value: (await output.type(k)) === "zset" ? await output.zrange(k, "0", "-1", "WITHSCORES") : await output.get(k),
      expires: (await output.ttl(k)) > 0,
    })),
  );
}

beforeAll(async () => {
  output = new Redis(BASE.toString());
  await output.flushdb();
  await output.acl(
    "SETUSER",
    READ_USER,
    "reset",
    "on",
    `>${READ_PASSWORD}`,
    "~*",
    "resetchannels",
    "-@all",
    "+scan",
    "+zcard",
    "+zrange",
    "+exists",
    "+select",
    "+ping",
    "+info",
    "+client|setname",
  );
  const url = new URL(BASE);
  url.username = READ_USER;
  url.password = READ_PASSWORD;
  readerUrl = url.toString();
  ({ workspaceId } = await createKeyedWorkspace(db(), "Output"));
});

afterAll(async () => {
  await output.flushdb();
  await output.acl("DELUSER", READ_USER);
  await output.quit();
});

beforeEach(async () => {
  await output.flushdb();
  await db().prisma.execution.deleteMany({ where: { workspaceId } });
});

describe("following Output runs in Redis", () => {
  it("shows an in-flight run as running, updates it as events arrive, and keeps it finished once its key is uploaded", async () => {
    const live = await startOutputLive({ db: db(), redisUrl: readerUrl, workspace: null, intervalMs: 60_000 });
    const notices: LiveNotice[] = [];
    const unsubscribe = (await getLiveBus()).subscribe(workspaceId, (n) => notices.push(n));
    try {
      // Root start, trace destinations, first step started.
      await emit(RUN_A, leadEnrichment.slice(0, 4));
      await live.tick();
      let run = await getExecution(db(), workspaceId, RUN_A);
      expect(run).toMatchObject({ status: "running", name: "lead_enrichment", source: "output", endedAt: null });
      expect(run?.spanCount).toBe(3);
      await expect.poll(() => notices.some((n) => n.kind === "executions" && n.ids?.includes(RUN_A))).toBe(true);

      // The HTTP call, the LLM call and both step ends arrive; the root is still open.
      await emit(RUN_A, leadEnrichment.slice(4, -1));
      await live.tick();
      run = await getExecution(db(), workspaceId, RUN_A);
      expect(run).toMatchObject({ status: "running", tokens: { input: 412, output: 187, total: 599 } });
      expect(run?.spanCount).toBe(6);

      // The root ends: the run is finished while Output waits before uploading.
      await emit(RUN_A, leadEnrichment.slice(-1));
      await live.tick();
      run = await getExecution(db(), workspaceId, RUN_A);
      expect(run).toMatchObject({ status: "success", output: { company: "Acme Corp" } });
      expect(run?.endedAt).toBe("2026-08-18T14:03:32.943Z");

      // Output uploads and deletes the key: the stored run stays as it was.
      await output.del(key(RUN_A));
      await live.tick();
      const details = await getExecutionDetails(db(), workspaceId, RUN_A, { offset: 0, limit: 100 });
      expect(details.execution).toMatchObject({ status: "success", spanCount: 6 });
      expect(details.traces.map((t) => t.status)).toEqual(Array(6).fill("success"));
      expect(details.traces[0].metadata).not.toHaveProperty("output_live.abandoned");
    } finally {
      unsubscribe();
      await live.close();
    }
  });

  it("marks a run whose key disappears before its root ended as cancelled with an abandoned marker", async () => {
    const live = await startOutputLive({ db: db(), redisUrl: readerUrl, workspace: null, intervalMs: 60_000 });
    try {
      // Everything but the root's error: the step and its HTTP call failed, the workflow never closed.
      await emit(RUN_B, invoiceSync.slice(0, 4));
      await live.tick();
      expect((await getExecution(db(), workspaceId, RUN_B))?.status).toBe("running");

      await output.del(key(RUN_B)); // terminated, then the key expired
      await live.tick();
      const { execution, traces } = await getExecutionDetails(db(), workspaceId, RUN_B, { offset: 0, limit: 100 });
      expect(execution.status).toBe("cancelled");
      expect(execution.endedAt).toBe(new Date(1787066404115).toISOString()); // the last thing seen
      expect(traces[0].metadata).toMatchObject({
        output_live: { redis_key: key(RUN_B), abandoned: true, abandoned_reason: ABANDONED_REASON },
      });
      // Spans that had ended keep their status; the open ones are closed with the run.
      expect(traces.map((t) => [t.name, t.status])).toEqual([
        ["invoice_sync", "cancelled"],
        ["__internal#getTraceDestinations", "success"],
        ["invoice_sync#fetchInvoices", "cancelled"],
      ]);
    } finally {
      await live.close();
    }
  });

  it("closes a run abandoned while no reader was running (state is read back from the database)", async () => {
    const readOnly = new Redis(readerUrl);
    try {
      await emit(RUN_B, invoiceSync.slice(0, 6));
      await new OutputLiveReader(db(), readOnly, workspaceId).poll();
      expect((await getExecution(db(), workspaceId, RUN_B))?.status).toBe("running");
      await output.del(key(RUN_B));
      // A new process: nothing in memory about the run.
      const result = await new OutputLiveReader(db(), readOnly, workspaceId).poll();
      expect(result).toEqual({ keys: 0, stored: 0, abandoned: 1 });
      expect((await getExecution(db(), workspaceId, RUN_B))?.status).toBe("cancelled");
    } finally {
      await readOnly.quit();
    }
  });

  it("stores a run that fails at the root as an error, and does not touch Output's Redis", async () => {
    const readOnly = new Redis(readerUrl);
    try {
      await emit(RUN_B, invoiceSync);
      await emit(RUN_A, leadEnrichment.slice(0, 5));
      await output.set("traces/a-string", "x");
      await output.set("unrelated", "x");
      await output.zadd("traces/not-output", 1, "not json");
      const before = await snapshot();
      const reader = new OutputLiveReader(db(), readOnly, workspaceId);
      expect(await reader.poll()).toEqual({ keys: 4, stored: 2, abandoned: 0 });
      expect(await reader.poll()).toEqual({ keys: 4, stored: 0, abandoned: 0 }); // unchanged: not rewritten
      expect(await snapshot()).toEqual(before);
      const run = await getExecution(db(), workspaceId, RUN_B);
      expect(run).toMatchObject({ status: "error", error: { message: "Activity task failed" } });
      // The reader's user cannot write: proof the ACL is what the reader runs under.
      await expect(readOnly.del(key(RUN_B))).rejects.toThrow(/NOPERM/);
    } finally {
      await readOnly.quit();
    }
  });
});

/** Waits (bounded) until `read` returns something `done` accepts; returns it. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("a live run, then its upload", () => {
  it("is replaced in place by the trace Output uploads to S3: one execution, no live marker", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-s3rver-"));
    const server = new S3rver({
      port: 0,
      address: "127.0.0.1",
      directory: dir,
      silent: true,
      configureBuckets: [{ name: "traces", configs: [] }],
    });
    const { port } = await server.run();
    const s3 = await outputS3Client({
      bucket: "traces",
      region: "us-east-1",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      endpoint: `http://127.0.0.1:${port}`,
      pollMs: 60_000,
    });
    const readOnly = new Redis(readerUrl);
    try {
      // Seen live up to the last step's end; the root's end came after the last poll.
      await emit(RUN_A, leadEnrichment.slice(0, -1));
      await new OutputLiveReader(db(), readOnly, workspaceId).poll();
      expect(await getExecution(db(), workspaceId, RUN_A)).toMatchObject({ status: "running", spanCount: 6 });
      // Output uploads the whole trace, then deletes the key.
      await s3.send(
        new PutObjectCommand({
          Bucket: "traces",
          Key: `lead_enrichment/2026/08/18/${FIXTURE_A_FILE}`,
          Body: JSON.stringify(readFixture(FIXTURE_A_FILE)),
        }),
      );
      await output.del(key(RUN_A));
      expect(await new OutputS3Importer(db(), s3, "traces", workspaceId).importNew()).toMatchObject({ imported: 1 });
      await drained();
      const { execution, traces } = await getExecutionDetails(db(), workspaceId, RUN_A, { offset: 0, limit: 100 });
      expect(execution).toMatchObject({ status: "success", spanCount: 6 });
      expect(traces[0].metadata).not.toHaveProperty("output_live");
      expect(await db().prisma.execution.count({ where: { workspaceId, externalId: "Xk3v9QpL2mN8rT4wY6zA1" } })).toBe(
        1,
      );
      // The next poll finds no key and a finished run: nothing is abandoned.
      expect(await new OutputLiveReader(db(), readOnly, workspaceId).poll()).toEqual({
        keys: 0,
        stored: 0,
        abandoned: 0,
      });
    } finally {
      await readOnly.quit();
      s3.destroy();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The lease and a separate worker process need Postgres: on the embedded database two readers of
 * one process share its single connection (both hold the lease), and a second process cannot open
 * it (it refuses a second opener).
 */
const onPostgres = !!process.env.TEST_DATABASE_URL || !!process.env.DATABASE_URL;

describe("the reader as a service", () => {
  it.runIf(onPostgres)("follows Redis from one process at a time, and another takes over when it stops", async () => {
    const first = await startOutputLive({ db: db(), redisUrl: readerUrl, workspace: null, intervalMs: 60_000 });
    const second = await startOutputLive({ db: db(), redisUrl: readerUrl, workspace: null, intervalMs: 60_000 });
    const spans = async () => (await getExecution(db(), workspaceId, RUN_A))?.spanCount ?? 0;
    try {
      await emit(RUN_A, leadEnrichment.slice(0, 4));
      await second.tick(); // both started, one holds the lease: whichever it is stored the run
      await first.tick();
      expect(await spans()).toBe(3);
      const [leader, standby] = (await holdsLease(first)) ? [first, second] : [second, first];
      await emit(RUN_A, leadEnrichment.slice(4, 7));
      await standby.tick();
      expect(await spans()).toBe(3);
      await leader.tick();
      expect(await spans()).toBe(4);
      await leader.close();
      await emit(RUN_A, leadEnrichment.slice(7));
      await standby.tick();
      expect(await getExecution(db(), workspaceId, RUN_A)).toMatchObject({ status: "success", spanCount: 6 });
    } finally {
      await first.close();
      await second.close();
    }

    /** A reader holds the lease when an event it alone sees is stored by its tick. */
    async function holdsLease(reader: Awaited<ReturnType<typeof startOutputLive>>): Promise<boolean> {
      await emit(RUN_B, invoiceSync.slice(0, 1));
      await reader.tick();
      const stored = (await getExecution(db(), workspaceId, RUN_B)) !== null;
      await output.del(key(RUN_B));
      await db().prisma.execution.deleteMany({ where: { workspaceId, id: RUN_B } });
      return stored;
    }
  });

  it.runIf(onPostgres)(
    "runs in `npm run worker` when OUTPUT_REDIS_URL is set, and stops on SIGTERM",
    async () => {
      const worker = spawn(
        process.execPath,
        ["--import", "tsx", "--import", "./scripts/server-only.mjs", "scripts/worker.ts"],
        {
          cwd: path.resolve(import.meta.dirname, "../.."),
          env: {
            ...process.env,
            DATABASE_URL: db().url ?? "",
            OUTPUT_REDIS_URL: readerUrl,
            OUTPUT_REDIS_POLL_MS: "100",
            OUTPUT_WORKSPACE: workspaceId,
          },
          stdio: "ignore",
        },
      );
      const exited = new Promise<number | null>((r) => worker.once("exit", r));
      try {
        await emit(RUN_A, leadEnrichment.slice(0, 4));
        await until(
          () => getExecution(db(), workspaceId, RUN_A),
          (e) => e?.status === "running",
          "a running run",
        );
        await emit(RUN_A, leadEnrichment.slice(4));
        await until(
          () => getExecution(db(), workspaceId, RUN_A),
          (e) => e?.status === "success",
          "a finished run",
        );
      } finally {
        worker.kill("SIGTERM");
      }
      expect(await exited).toBe(0);
    },
    90_000,
  );

  it("runs in the server process (embedded database, the only workspace) and the read API shows the live run", async () => {
    const portal = await startPortal({
      env: { REDIS_URL: "", OUTPUT_REDIS_URL: readerUrl, OUTPUT_REDIS_POLL_MS: "100" },
    });
    try {
      const details = () =>
        fetch(`${portal.url}/api/v1/runtime/v1/observability/executions/${RUN_B}/details`, {
          headers: { authorization: `Bearer ${portal.apiKey}` },
        }).then(async (r) => (r.ok ? ((await r.json()) as { execution: { status: string; source: string } }) : null));
      await emit(RUN_B, invoiceSync.slice(0, 4));
      const running = await until(details, (d) => d?.execution.status === "running", "a running run");
      expect(running?.execution.source).toBe("output");
      await emit(RUN_B, invoiceSync.slice(4));
      await until(details, (d) => d?.execution.status === "error", "a failed run");
      expect(portal.output()).toContain("following Output runs in Redis");
    } finally {
      await portal.stop();
    }
  }, 240_000);
});

describe("the workspace receiving Output runs", () => {
  it("is the only workspace by default, refused when there are several, and chosen by slug or id", async () => {
    expect(await resolveOutputWorkspace(db(), null)).toEqual({ workspaceId });
    const other = await createKeyedWorkspace(db(), "Second");
    expect(await resolveOutputWorkspace(db(), null)).toMatchObject({
      refused: expect.stringContaining("OUTPUT_WORKSPACE"),
    });
    expect(await resolveOutputWorkspace(db(), "second")).toEqual({ workspaceId: other.workspaceId });
    expect(await resolveOutputWorkspace(db(), other.workspaceId)).toEqual({ workspaceId: other.workspaceId });
    expect(await resolveOutputWorkspace(db(), "nope")).toMatchObject({ refused: expect.stringContaining('"nope"') });
  });
});
