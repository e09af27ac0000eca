import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { fetchFromPage } from "../support/api.ts";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

// Settings › Data (issue #18 item 3): retention days and the workspace's storage budget edited by
// the owner, the usage per agent and per day, and the storage banner from 80% of a budget on.

function run(id: string, agent: string, spans: number, payloadChars = 0) {
  return Array.from({ length: spans }, (_, i) => ({
    id: `${id}-${i}`,
    executionId: id,
    parentId: i === 0 ? null : `${id}-0`,
    type: i === 0 ? "agent_execution" : "tool_call",
    name: i === 0 ? `${agent} run` : `step ${i}`,
    agent,
    startedAt: at(i),
    endedAt: at(100 + i),
    // Random text does not compress: the stored size follows the payload's.
    input: payloadChars ? { blob: randomBytes(Math.ceil((payloadChars * 3) / 4)).toString("base64") } : { i },
  }));
}

/** The workspace's budget back to none, so no other spec sees the banner. */
async function clearBudget(page: Page) {
  const res = await fetchFromPage(page, "/api/v1/settings/data", { method: "PUT", body: { storageBudgetBytes: null } });
  expect(res.status).toBe(200);
}

test("an owner sets retention and sees the usage per agent and per day", async ({ page, request }) => {
  const key = await createApiKey(page, `usage ${unique()}`);
  const agent = `usage-${unique()}`;
  await sendTraces(request, key, [...run(`u-${unique()}`, agent, 3), ...run(`u-${unique()}`, agent, 2)]);

  await page.goto("/settings/data");
  const byAgent = page.getByRole("table", { name: "Usage by agent" });
  const row = byAgent.getByRole("row").filter({ hasText: agent });
  await expect(row).toBeVisible();
  // Agent, size, executions 2, spans 5, events 0.
  await expect(row.getByRole("cell")).toHaveText([agent, /\d+(\.\d)? [KMG]?B/, "2", "5", "0"]);
  await expect(page.getByRole("figure", { name: "Usage by day" })).toBeVisible();
  await expect(
    page.getByRole("figure", { name: "Usage by day" }).locator(".recharts-bar-rectangle").first(),
  ).toBeVisible();

  const traces = page.getByLabel("Keep traces (days)");
  const events = page.getByLabel("Keep events (days)");
  await expect(traces).toHaveValue("");
  await traces.fill("30");
  await events.fill("thirty");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("A whole number of days, or empty to keep forever.")).toBeVisible();
  await events.fill("365");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  await page.reload();
  await expect(page.getByLabel("Keep traces (days)")).toHaveValue("30");
  await expect(page.getByLabel("Keep events (days)")).toHaveValue("365");
  const stored = await fetchFromPage(page, "/api/v1/settings/data", { method: "GET" });
  expect(stored.body).toMatchObject({ tracesRetentionDays: 30, eventsRetentionDays: 365, storageBudgetBytes: null });

  // Back to forever, as every other spec expects.
  await page.getByLabel("Keep traces (days)").fill("");
  await page.getByLabel("Keep events (days)").fill("");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  const cleared = await fetchFromPage(page, "/api/v1/settings/data", { method: "GET" });
  expect(cleared.body).toMatchObject({ tracesRetentionDays: null, eventsRetentionDays: null });
});

test("past 80% of the workspace budget every page shows a banner, dismissible for the session", async ({
  page,
  request,
}) => {
  const key = await createApiKey(page, `budget ${unique()}`);
  // About 1.2 MB of incompressible payloads: past a 1 MB budget whatever else the database holds.
  await sendTraces(request, key, run(`big-${unique()}`, `budget-${unique()}`, 60, 20_000));
  try {
    await page.goto("/settings/data");
    await page.getByLabel("Workspace storage budget").fill("1MB");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

    await page.goto("/overview");
    const banner = page.getByRole("region", { name: "Storage warning" });
    await expect(banner).toContainText("Storage warning:");
    await expect(banner).toContainText("this workspace's storage budget");
    await expect(banner).toContainText("of 1.0 MB");
    await banner.getByRole("link", { name: "Review in Settings › Data" }).click();
    await expect(page).toHaveURL(/\/settings\/data$/);
    await expect(page.getByLabel("Workspace storage budget")).toHaveValue("1.0MB");

    await page.getByRole("button", { name: "Dismiss the storage warning" }).click();
    await expect(banner).toHaveCount(0);
    await page.goto("/executions");
    await expect(page.getByRole("heading", { name: "Executions" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Storage warning" })).toHaveCount(0);
  } finally {
    await clearBudget(page);
  }
});
