import { spawn } from "node:child_process";
import { expect, test } from "@playwright/test";
import { PORT, ROOT, SERVER_ENV, serverArgs } from "../support/env.ts";

/** Beside the test server (its port is this run's, RUNLENS_E2E_PORT). */
const SECOND_PORT = PORT + 99;

/** Runs a second portal on the data directory the test server holds; resolves with its exit. */
function startSecondServer(timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const [script, ...args] = serverArgs(SECOND_PORT);
  const child = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...SERVER_ENV },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      output += `\n[e2e] still running after ${timeoutMs} ms: killed\n`;
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test("a second server on the same embedded data directory refuses to start", async ({ request }) => {
  test.setTimeout(60_000);
  const { code, output } = await startSecondServer(30_000);

  expect(output).toContain("already open in another Runlens process");
  expect(code).not.toBeNull(); // null: it had to be killed
  expect(code).not.toBe(0);

  // The first server keeps its database.
  const health = await request.get("/api/health");
  expect(await health.json()).toMatchObject({ status: "ok", db: "embedded" });
});
