import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionList } from "@/lib/contracts/executions";
import type { OutputChain } from "@/lib/contracts/output";
import { continuedAsNewRuns, FIXTURE_A_FILE, FIXTURE_B_FILE, readFixture } from "../fixtures/output/traces";
import { createTestDb, redisUrl, type TestDb, testServerUrl } from "../helpers/db";
import { type RunningServer, startPortal } from "../helpers/server";

const run = promisify(execFile);

/** `npx runlens import-output <dir>`: exit code and output, whether it succeeded or not. */
async function importOutput(dir: string, env: NodeJS.ProcessEnv) {
  try {
    const { stdout } = await run("npx", ["runlens", "import-output", dir], { env });
    return { code: 0, stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, stdout: err.stdout };
  }
}

/** Polls `read` until `done` holds (queued writes land a moment after the 2xx), at most 20 s. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const end = Date.now() + 20_000;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("npx runlens import-output", () => {
  let server: RunningServer;
  let db: TestDb | null = null;
  let runs = "";
  let env: NodeJS.ProcessEnv = process.env;
  const get = async <T>(p: string): Promise<T> =>
    (await fetch(`${server.url}${p}`, { headers: { authorization: `Bearer ${server.apiKey}` } })).json() as Promise<T>;

  beforeAll(async () => {
    if (testServerUrl()) db = await createTestDb();
    server = await startPortal({
      databaseUrl: db?.url ?? null,
      env: redisUrl ? { REDIS_URL: redisUrl, RUNLENS_QUEUE_PREFIX: `runlens-output-cli-${Date.now()}` } : {},
    });
    env = { ...process.env, RUNLENS_API_URL: server.url, RUNLENS_API_KEY: server.apiKey, NO_COLOR: "1" };

    // A logs/runs tree as Output writes it: one folder per workflow, one file per run.
    runs = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "output-logs-")), "logs", "runs");
    const write = (workflow: string, file: string, body: unknown) => {
      fs.mkdirSync(path.join(runs, workflow), { recursive: true });
      fs.writeFileSync(path.join(runs, workflow, file), typeof body === "string" ? body : JSON.stringify(body));
    };
    write("lead_enrichment", FIXTURE_A_FILE, readFixture(FIXTURE_A_FILE));
    write("invoice_sync", FIXTURE_B_FILE, readFixture(FIXTURE_B_FILE));
    const chain = continuedAsNewRuns("cli-poll", ["cli-r1", "cli-r2", "cli-r3"], Date.parse("2026-08-19T08:00:00Z"));
    for (const [i, root] of chain.entries()) write("poller", `2026-08-19-08-00-${i}0-000Z_cli-poll.json`, root);
    // A file caught half-written (Output rewrites files without an atomic rename).
    write("poller", "2026-08-19-09-00-00-000Z_cli-half.json", '{"id":"cli-half","kind":"workflow","na');
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
    if (runs) fs.rmSync(path.dirname(path.dirname(runs)), { recursive: true, force: true });
  });

  it("imports every file of the tree, reports each, and exits 1 because one failed", async () => {
    const { code, stdout } = await importOutput(runs, env);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe(
      `[1/6] imported invoice_sync/${FIXTURE_B_FILE} -> 5e2a9d47-1b8c-4f30-8d6e-a7c4b9e13f52 (4 spans)`,
    );
    expect(lines[1]).toMatch(
      /^\[2\/6\] imported lead_enrichment\/.* -> 0b6f3c2e-7a41-4d9b-9e35-5c8a1f2d7e90 \(6 spans\)$/,
    );
    expect(lines.slice(2, 5).map((l) => l.split(" -> ")[1])).toEqual([
      "cli-r1 (3 spans)",
      "cli-r2 (3 spans)",
      "cli-r3 (3 spans)",
    ]);
    expect(lines[5]).toMatch(/^\[6\/6\] failed poller\/2026-08-19-09-00-00-000Z_cli-half\.json: 400 .*not valid JSON/);
    expect(lines[6]).toBe("6 files: 5 imported (5 new, 0 again), 1 failed");

    // With Redis the server's worker writes after the 201s: wait for the five executions.
    const list = await until(
      () => get<ExecutionList>("/api/v1/runtime/v1/observability/executions?source=output&limit=50"),
      (l) => l.executions.length >= 5,
    );
    expect(list.executions.map((e) => e.id).sort()).toEqual(
      [
        "0b6f3c2e-7a41-4d9b-9e35-5c8a1f2d7e90",
        "5e2a9d47-1b8c-4f30-8d6e-a7c4b9e13f52",
        "cli-r1",
        "cli-r2",
        "cli-r3",
      ].sort(),
    );
    // The workflowIds came from the file names: the chain is linked.
    const chain = await get<OutputChain>("/api/v1/observability/executions/cli-r3/chain");
    expect(chain.chain).toMatchObject({ workflowId: "cli-poll", position: 3, total: 3 });
  });

  it("a second run re-imports the same files without changing anything, and exits 0", async () => {
    fs.rmSync(path.join(runs, "poller", "2026-08-19-09-00-00-000Z_cli-half.json"));
    const before = await get<ExecutionList>("/api/v1/runtime/v1/observability/executions?source=output&limit=50");
    const startedAt = new Date();
    const { code, stdout } = await importOutput(runs, env);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("5 files: 5 imported (0 new, 5 again), 0 failed");
    expect(stdout).toContain("re-imported");
    if (db) {
      // Every span was written again (queued writes included) before comparing.
      const spans = await db.prisma.span.count();
      await until(
        () => db!.prisma.span.count({ where: { receivedAt: { gte: startedAt } } }),
        (n) => n === spans,
      );
    }
    const after = await get<ExecutionList>("/api/v1/runtime/v1/observability/executions?source=output&limit=50");
    expect(after).toEqual(before);
  });
});
