import { expect, test } from "@playwright/test";
import { fetchFromPage } from "../support/api.ts";
import { ANONYMOUS } from "../support/env.ts";
import { unique } from "../support/seed.ts";

test("a new workspace is named in a dialog, not the browser's prompt", async ({ page }) => {
  const name = `Dialog ${unique()}`;
  const prompts: string[] = [];
  page.on("dialog", async (d) => {
    prompts.push(d.type());
    await d.dismiss();
  });
  await page.goto("/executions");
  await page.getByLabel("Workspace").selectOption("__new__");
  const dialog = page.getByRole("dialog", { name: "New workspace" });
  await expect(dialog).toBeVisible();
  // An empty name is refused in the dialog.
  await dialog.getByRole("button", { name: "Create workspace" }).click();
  await expect(dialog.getByText("Give the workspace a name.")).toBeVisible();
  await dialog.getByLabel("Workspace name").fill(name);
  await dialog.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByText(`Workspace “${name}” created`)).toBeVisible();
  await expect(dialog).toBeHidden();
  await expect(page.getByLabel("Workspace").locator("option:checked")).toHaveText(`${name} (owner)`);
  // Escape closes it without creating anything.
  await page.getByLabel("Workspace").selectOption("__new__");
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  expect(prompts).toEqual([]);
});

test("a reviewer opening Settings lands on a page they may see", async ({ page, browser }) => {
  const email = `reviewer-${unique()}@runlens.test`;
  await page.goto("/settings/members");
  const invite = await fetchFromPage(page, "/api/v1/invitations", {
    method: "POST",
    body: { email, role: "reviewer" },
  });
  expect(invite.status).toBe(201);
  const path = new URL((invite.body as { url: string }).url).pathname;

  const context = await browser.newContext({ storageState: ANONYMOUS });
  const reviewer = await context.newPage();
  await reviewer.goto(path);
  await reviewer.getByLabel("Your name").fill("Rita Reviewer");
  await reviewer.getByLabel("Choose a password").fill("reviewer password 1");
  await reviewer.getByRole("button", { name: "Join workspace" }).click();
  await expect(reviewer).toHaveURL(/\/overview$/);

  await reviewer.goto("/settings");
  await expect(reviewer).toHaveURL(/\/settings\/members$/);
  const tabs = reviewer.getByRole("navigation", { name: "Settings" });
  await expect(tabs.getByRole("link", { name: "Members" })).toHaveAttribute("aria-current", "page");
  await expect(tabs.getByRole("link", { name: "API keys" })).toHaveCount(0);
  await expect(reviewer.getByText("Only owners and admins")).toHaveCount(0);
  await context.close();

  // The owner still lands on API keys.
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/settings\/api-keys$/);
});
