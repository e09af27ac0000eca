import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { OutputNode } from "@/lib/contracts/output";
import type { SpanJob } from "@/lib/ingest/model";
import { OUTPUT_WORKER_NICENESS } from "@/lib/ingest/sources/output/import-worker";
import { outputSpanParts } from "@/lib/ingest/sources/output/prepare";
import { importOutputTrace, OUTPUT_IMPORT_WORKERS, OUTPUT_WORKER_MIN_BYTES } from "@/lib/ingest/sources/output/receive";
import { spanJobFormat, writeSpanParts } from "@/lib/ingest/write/spans";
import { withAppDb } from "../helpers/app";
import { createKeyedWorkspace } from "../helpers/workspace";

/**
 * An Output trace file sent to the API or read from S3 is prepared in a worker thread, which keeps
 * its parts until the server's thread writes them one at a time in one transaction
 * (lib/ingest/sources/output/receive.ts, docs/performance.md › Edge).
 */

const T0 = Date.parse("2026-01-01T00:00:00Z");

/** A run of `groups` steps of `per` children each: 1 + groups * (1 + per) nodes. */
function run(id: string, groups: number, per: number): { root: OutputNode; nodes: number } {
  const children: OutputNode[] = Array.from({ length: groups }, (_, g) => ({
    id: `group-${g}`,
    kind: "step",
    name: `flow#group ${g}`,
    startedAt: T0 + g,
    endedAt: T0 + 10_000,
    children: Array.from({ length: per }, (_, i) => ({
      id: `step-${i}`,
      kind: "step",
      name: `flow#step ${i}`,
      startedAt: T0 + g + i,
      endedAt: T0 + g + i + 1,
      input: { g, i, text: "x".repeat(40) },
    })),
  }));
  return {
    root: { id, kind: "workflow", name: "flow", startedAt: T0, endedAt: T0 + 10_000, children },
    nodes: 1 + groups * (1 + per),
  };
}

/** A thread's niceness from its /proc stat file (field 19). */
const niceness = (stat: string) => Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);

/** The niceness of each thread of this process (Linux). */
function threadNiceness(): number[] {
  return fs.readdirSync("/proc/self/task").flatMap((tid) => {
    try {
      return [niceness(fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8"))];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("an Output trace file prepared in a worker thread", () => {
  const app = withAppDb();
  let workspaceId = "";

  const stored = async (executionId: string) => ({
    spans: await app.db().prisma.span.count({ where: { workspaceId, executionId } }),
    execution: await app.db().prisma.execution.findUnique({
      where: { workspaceId_id: { workspaceId, id: executionId } },
      select: { spanCount: true },
    }),
  });

  beforeAll(async () => {
    ({ workspaceId } = await createKeyedWorkspace(app.db(), "Worker"));
  });

  it.skipIf(process.platform !== "linux")(
    "is read in a thread of its own at a lower priority, which ends with the import",
    async () => {
      const { root, nodes } = run("worker-run", 5, 1_500);
      const bytes = new TextEncoder().encode(JSON.stringify(root));
      expect(bytes.length >> 1).toBeGreaterThan(OUTPUT_WORKER_MIN_BYTES);
      const niced = () => threadNiceness().filter((n) => n === OUTPUT_WORKER_NICENESS).length;
      expect(niced()).toBe(0);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      async function* chunks() {
        yield bytes.subarray(0, bytes.length >> 1);
        await gate; // the rest of the file is still on its way
        yield bytes.subarray(bytes.length >> 1);
      }
      const imported = importOutputTrace(app.db(), workspaceId, chunks());
      // While the file is being read, a thread of this process runs at the worker's niceness: not
      // this one, which stays at the server's.
      await until(() => niced() === 1, "the worker thread");
      expect(niceness(fs.readFileSync("/proc/thread-self/stat", "utf8"))).toBe(0);
      release();
      expect(await imported).toEqual({ executionId: "worker-run", spans: nodes, workflowId: null, created: true });
      await app.drained(60_000); // with Redis, the file is one queue job
      expect(await stored("worker-run")).toEqual({ spans: nodes, execution: { spanCount: nodes } });
      await until(() => niced() === 0, "the worker thread to end");
    },
    120_000,
  );

  it(`runs at most ${OUTPUT_IMPORT_WORKERS} at once: the next file waits for a worker to be free`, async () => {
    const files = Array.from({ length: OUTPUT_IMPORT_WORKERS + 1 }, (_, i) => run(`queued-${i}`, 3, 1_000));
    const gates = files.map(() => {
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      return { gate, open, started: false };
    });
    const imports = files.map(({ root }, i) => {
      const bytes = new TextEncoder().encode(JSON.stringify(root));
      const first = OUTPUT_WORKER_MIN_BYTES + 1; // past this, the file goes to a worker
      expect(bytes.length).toBeGreaterThan(first);
      async function* chunks() {
        yield bytes.subarray(0, first);
        // Asked for more: a worker reads this file.
        gates[i].started = true;
        await gates[i].gate;
        yield bytes.subarray(first);
      }
      return importOutputTrace(app.db(), workspaceId, chunks());
    });
    const started = () => gates.filter((g) => g.started).length;
    await until(() => started() === OUTPUT_IMPORT_WORKERS, "the first files to start");
    // The others are read only once a worker is free.
    expect(started()).toBe(OUTPUT_IMPORT_WORKERS);
    gates[0].open();
    await imports[0];
    await until(() => started() === files.length, "the last file to start");
    for (const g of gates) g.open();
    const results = await Promise.all(imports);
    expect(results.map((r) => r.spans)).toEqual(files.map((f) => f.nodes));
    await app.drained(60_000);
    for (const [i, f] of files.entries())
      expect(await stored(`queued-${i}`)).toEqual({ spans: f.nodes, execution: { spanCount: f.nodes } });
  }, 120_000);

  it("is refused as a whole when the last part cannot be written, and nothing of it is stored", async () => {
    const { root, nodes } = run("late-failure", 4, 400);
    const parts: SpanJob[] = [];
    await outputSpanParts(
      root,
      { workspaceId, format: spanJobFormat(app.db()) },
      (spans) => spans,
      (job) => {
        parts.push(job);
      },
      500,
    );
    expect(parts.length).toBe(4);
    const listed = parts.map((p): SpanJob => (p.kind === "span_copy" ? { ...p, copy: "" } : { ...p, rows: "[]" }));
    const loaded: number[] = [];
    const load = async (index: number) => {
      loaded.push(index);
      if (index === parts.length - 1) throw new Error("the worker is gone");
      return parts[index];
    };
    await expect(writeSpanParts(app.db(), listed, load)).rejects.toThrow("the worker is gone");
    // Parts were written (one statement each) before the last one failed: the transaction took them back.
    expect(loaded).toEqual([0, 1, 2, 3]);
    expect(await stored("late-failure")).toEqual({ spans: 0, execution: null });

    // The same parts, each loaded as it is written, are stored whole.
    await writeSpanParts(app.db(), listed, async (index) => parts[index]);
    expect(await stored("late-failure")).toEqual({ spans: nodes, execution: { spanCount: nodes } });
  }, 120_000);

  it("stops reading a file the worker refused, and answers as the thread itself would", async () => {
    let read = 0;
    async function* chunks() {
      for (let i = 0; i < 1_000; i++) {
        read++;
        yield new TextEncoder().encode(i === 0 ? '{"id": "x", "kind": ]' : " ".repeat(65_536));
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const refused = await importOutputTrace(app.db(), workspaceId, chunks()).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, code: "invalid_json" });
    expect(read).toBeLessThan(1_000);
  }, 120_000);
});
