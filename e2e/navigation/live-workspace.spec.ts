import { expect, test } from "@playwright/test";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

test("live updates follow a workspace switch, without a reload", async ({ page, request }) => {
  const run = unique();
  const second = `Second ${run}`;
  await page.goto("/executions");
  // A second workspace of the owner's (creating it makes it active for this browser only).
  const created = await page.evaluate(async (name) => {
    const res = await fetch("/api/v1/workspaces", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });
    return (await res.json()) as { workspace: { id: string } };
  }, second);
  const key = await createApiKey(page, `live-${run}`); // a key of the second workspace
  const first = await page.evaluate(async (id) => {
    const res = await fetch("/api/v1/workspaces");
    const body = (await res.json()) as { workspaces: { id: string }[] };
    return body.workspaces.find((w) => w.id !== id)?.id ?? "";
  }, created.workspace.id);

  // Start in the first workspace.
  await page.evaluate(async (workspaceId) => {
    await fetch("/api/v1/workspaces/active", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ workspaceId }),
    });
  }, first);
  // Live streams the page opens (the list has one subscription).
  const streams: number[] = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname === "/api/v1/live") streams.push(r.status());
  });
  await page.goto("/executions");
  await expect.poll(() => streams).toEqual([200]);
  await page.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });

  // Switch in the sidebar: the list shows the second workspace and subscribes to its notices.
  await page.getByLabel("Workspace").selectOption(created.workspace.id);
  await expect(page.getByLabel("Workspace")).toHaveValue(created.workspace.id);
  await expect(page.getByText("No executions yet")).toBeVisible();
  await expect.poll(() => streams).toEqual([200, 200]);

  const exec = `after-switch-${run}`;
  await sendTraces(request, key, [
    {
      id: exec,
      executionId: exec,
      type: "agent_execution",
      name: exec,
      agent: "switch-bot",
      startedAt: at(0),
      endedAt: at(100),
    },
  ]);
  await expect(page.getByRole("link", { name: exec })).toBeVisible();
  // It arrived live: the page was not reloaded.
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
});
