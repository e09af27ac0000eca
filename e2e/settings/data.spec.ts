import { expect, test } from "@playwright/test";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

// Deletion on demand from the portal (issue #18 item 4): typed confirmation, the data gone, and the
// record in Settings › Data.

function run(id: string, agent: string, user: string) {
  return {
    id: `${id}-root`,
    executionId: id,
    type: "agent_execution",
    name: `${agent} run`,
    agent,
    identify: { type: "email", value: user },
    startedAt: at(0),
    endedAt: at(500),
  };
}

test("an owner deletes an execution after typing its id, and the deletion is recorded", async ({ page, request }) => {
  const key = await createApiKey(page, `delete ${unique()}`);
  const id = `doomed-${unique()}`;
  await sendTraces(request, key, [run(id, "deleting", "someone@example.com")]);
  await page.goto(`/executions/${id}`);
  await page.getByRole("button", { name: "Delete execution" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete this execution?" });
  const confirm = dialog.getByRole("button", { name: "Delete execution" });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(`Type ${id} to confirm`).fill(id.slice(0, -1));
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(`Type ${id} to confirm`).fill(id);
  await confirm.click();
  await expect(page).toHaveURL(/\/executions$/);
  await expect(page.getByText("Execution deleted.")).toBeVisible();
  expect((await page.goto(`/executions/${id}`))?.status()).toBe(404);
  await page.goto("/settings/data");
  await expect(page.getByRole("list", { name: "Deletions" })).toContainText(`Execution ${id}`);
});

test("an erasure request deletes a user's executions, confirmed by typing ERASE", async ({ page, request }) => {
  const key = await createApiKey(page, `erase ${unique()}`);
  const user = `erase-${unique()}@example.com`;
  const [a, b, kept] = [`era-${unique()}`, `era-${unique()}`, `era-${unique()}`];
  await sendTraces(request, key, [
    run(a, "erasing", user),
    run(b, "erasing", user),
    run(kept, "erasing", "other@example.com"),
  ]);
  await page.goto("/settings/data");
  await page.getByLabel("Identify value").fill(user);
  await page.getByRole("button", { name: "Erase…" }).click();
  const dialog = page.getByRole("dialog", { name: "Erase this data?" });
  await dialog.getByLabel("Type ERASE to confirm").fill("ERASE");
  await dialog.getByRole("button", { name: "Erase", exact: true }).click();
  await expect(page.getByText("Erased 2 executions, 2 spans, 0 events.")).toBeVisible();
  await expect(page.getByRole("list", { name: "Deletions" })).toContainText(`email ${user}`);
  expect((await page.goto(`/executions/${a}`))?.status()).toBe(404);
  expect((await page.goto(`/executions/${kept}`))?.status()).toBe(200);
});
