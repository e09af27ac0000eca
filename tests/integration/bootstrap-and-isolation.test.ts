import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { GET as listExecutions } from "@/app/api/v1/runtime/v1/observability/executions/route";
import { readConfig } from "@/lib/config";
import { openDatabase } from "@/lib/db/client";
import { adminCreateKey, adminCreateWorkspace } from "@/lib/workspaces/admin";
import { bootstrapFromEnv } from "@/lib/workspaces/service";
import { request, withAppDb } from "../helpers/app";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const EXECUTIONS = "/api/v1/runtime/v1/observability/executions";

describe("RUNLENS_INIT_* bootstrap", () => {
  const app = withAppDb();
  const init = readConfig({
    RUNLENS_INIT_EMAIL: "boot@example.com",
    RUNLENS_INIT_PASSWORD: "bootstrap-password",
    RUNLENS_INIT_API_KEY: "rl_init_key_for_tests_0123456789",
  }).init!;

  it("creates owner, workspace and key on first start and changes nothing on the next", async () => {
    expect(init.workspace).toBe("Default");
    expect(await bootstrapFromEnv(app.db(), init)).toBe("created");
    const snapshot = async () => ({
      users: await app.db().prisma.user.count(),
      workspaces: await app.db().prisma.workspace.findMany({ select: { name: true } }),
      keys: await app.db().prisma.apiKey.findMany({ select: { label: true, prefix: true } }),
      owners: await app.db().prisma.member.count({ where: { role: "owner" } }),
    });
    const first = await snapshot();
    expect(first).toEqual({
      users: 1,
      workspaces: [{ name: "Default" }],
      keys: [{ label: "init", prefix: "rl_init_ke" }],
      owners: 1,
    });
    expect(await bootstrapFromEnv(app.db(), init)).toBe("skipped");
    expect(await snapshot()).toEqual(first);
    expect((await listExecutions(request(EXECUTIONS, { bearer: init.apiKey! }))).status).toBe(200);
  });

  it("a second workspace's key sees none of the first workspace's data", async () => {
    const db = app.db();
    const first = await db.prisma.workspace.findFirstOrThrow({ where: { name: "Default" } });
    const agent = await db.prisma.agent.create({ data: { workspaceId: first.id, name: "support-bot" } });
    await db.prisma.execution.create({
      data: {
        workspaceId: first.id,
        id: "exec-A",
        agentId: agent.id,
        name: "answer",
        type: "agent_execution",
        status: "success",
        startedAt: new Date(),
      },
    });
    const second = await adminCreateWorkspace(db, { name: "Second", ownerEmail: "second@example.com" });
    expect(second.ownerPassword).toBeTruthy();
    const key = await adminCreateKey(db, second.workspace.slug, "reader");

    const mine = await (await listExecutions(request(EXECUTIONS, { bearer: init.apiKey! }))).json();
    expect(mine.executions.map((e: { id: string }) => e.id)).toEqual(["exec-A"]);
    const theirs = await (await listExecutions(request(EXECUTIONS, { bearer: key!.secret }))).json();
    expect(theirs).toEqual({ executions: [], nextCursor: null });
  });
});

describe("admin CLI", () => {
  it("creates a workspace with an owner and key, a second key, and resets a password", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "runlens-admin-"));
    const env = { ...process.env, RUNLENS_DATA_DIR: dataDir, DATABASE_URL: "" };
    const admin = (...args: string[]) =>
      run(process.execPath, ["--import", "tsx", "--import", "./scripts/server-only.mjs", "scripts/admin.ts", ...args], {
        cwd: ROOT,
        env,
      });
    try {
      const created = await admin(
        "create-workspace",
        "Ops Team",
        "--owner",
        "ops@example.com",
        "--api-key",
        "rl_cli_key_0123456789abcdef",
      );
      expect(created.stdout).toMatch(/Created workspace "Ops Team"/);
      expect(created.stdout).toMatch(/one-time password: \S+/);
      const key = await admin("create-key", "ops-team", "deploy bot");
      const secret = key.stdout.trim().split("\n").at(-1)!;
      expect(secret).toMatch(/^rl_[A-Za-z0-9]{40}$/);
      const reset = await admin("reset-password", "ops@example.com");
      expect(reset.stdout).toMatch(/New one-time password for ops@example.com: \S+/);
      const unknown = await admin("reset-password", "ghost@example.com").catch((e) => e);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("No user with email ghost@example.com");
      // Data maintenance at once: nothing to make (a workspace gets its partitions when it is created).
      const maintenance = await admin("apply-retention");
      expect(maintenance.stdout).toMatch(/^Made 0 partitions; retention dropped 0 .*the storage budget dropped 0\./m);

      const db = await openDatabase({ kind: "embedded", dataDir: path.join(dataDir, "pglite") });
      try {
        const keys = await db.prisma.apiKey.findMany({ include: { workspace: true }, orderBy: { createdAt: "asc" } });
        expect(keys.map((k) => [k.workspace.name, k.label])).toEqual([
          ["Ops Team", "admin-cli"],
          ["Ops Team", "deploy bot"],
        ]);
        // Today and two days ahead, for spans and events.
        expect(await db.prisma.dataPartition.count({ where: { workspaceId: keys[0].workspaceId } })).toBe(6);
      } finally {
        await db.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
