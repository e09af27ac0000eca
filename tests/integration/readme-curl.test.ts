import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db/client";
import { type RunningServer, startPortal } from "../helpers/server";

const run = promisify(execFile);
const README = fs.readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");

/** The README's `sh` blocks that POST to an ingest endpoint, exactly as printed. */
const curlBlocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)]
  .map((m) => m[1])
  .filter((b) => b.includes("curl") && b.includes("/observability/"));

describe("README curl examples", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startPortal();
  }, 240_000);
  afterAll(() => server?.stop());

  it("are there for both endpoints", () => {
    expect(curlBlocks.map((b) => b.match(/observability\/(\w+)/)?.[1])).toEqual(["traces", "events"]);
  });

  it("work as printed against a running portal", async () => {
    const env = { ...process.env, RUNLENS_API_URL: server.url, RUNLENS_API_KEY: server.apiKey };
    for (const block of curlBlocks) {
      const { stdout } = await run("bash", ["-c", `set -euo pipefail\n${block}`], { env });
      const body = JSON.parse(stdout);
      expect(body).toMatchObject({ accepted: 1, rejected: 0 });
    }
    const res = await fetch(`${server.url}/api/v1/runtime/v1/observability/executions/run-1/details`, {
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    const details = await res.json();
    expect(details.execution).toMatchObject({
      id: "run-1",
      name: "answer",
      agent: "support-bot",
      status: "success",
      durationMs: 2000,
    });
    const catalog = await (
      await fetch(`${server.url}/api/v1/metrics/catalog?agent=support-bot`, {
        headers: { authorization: `Bearer ${server.apiKey}` },
      })
    ).json();
    expect(catalog.events[0]).toMatchObject({ name: "order_placed", count: 1 });
  });

  it("SIGTERM closes the embedded database cleanly: the lock is released and the data reopens", async () => {
    const code = await server.terminate();
    expect(code).toBe(143);
    expect(server.output()).not.toMatch(/shutdown error/);
    const dir = path.join(server.dataDir, "pglite");
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);
    const db = await openDatabase({ kind: "embedded", dataDir: dir });
    try {
      expect(await db.prisma.execution.count({ where: { id: "run-1" } })).toBe(1);
      expect(await db.prisma.user.count()).toBe(1);
    } finally {
      await db.close();
    }
  });
});
