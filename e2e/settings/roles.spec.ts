import { expect, test } from "@playwright/test";
import { fetchFromPage } from "../support/api.ts";
import { ANONYMOUS, BASE_URL, VIEWER } from "../support/env.ts";

test("a viewer invited by the owner cannot manage API keys", async ({ page, browser }) => {
  const link = await test.step("the owner creates a viewer invitation", async () => {
    await page.goto("/settings/members");
    await page.getByLabel("Email", { exact: true }).fill(VIEWER.email);
    await page.getByLabel("Role", { exact: true }).selectOption("viewer");
    await page.getByRole("button", { name: "Create invitation link" }).click();
    const url = page.getByTestId("invite-link").locator("code");
    await expect(url).toHaveText(/\/invite\/\S+$/);
    return (await url.textContent()) ?? "";
  });
  // The link's origin is checked by the test below; open its path on the portal under test.
  const invitePath = new URL(link).pathname;

  // The invitee's own browser: no owner session.
  const viewerContext = await browser.newContext({ storageState: ANONYMOUS });
  const viewer = await viewerContext.newPage();

  await test.step("the viewer joins with the link", async () => {
    await viewer.goto(invitePath);
    await expect(viewer.getByText("You are invited as viewer.")).toBeVisible();
    await viewer.getByLabel("Your name").fill(VIEWER.name);
    await viewer.getByLabel("Choose a password").fill(VIEWER.password);
    await viewer.getByRole("button", { name: "Join workspace" }).click();
    await expect(viewer).toHaveURL(/\/overview$/);
    await expect(viewer.getByRole("heading", { name: "Overview" })).toBeVisible();
  });

  await test.step("the API keys page refuses the viewer", async () => {
    await viewer.goto("/settings/api-keys");
    await expect(viewer.getByText("Only owners and admins can manage API keys.")).toBeVisible();
    await expect(viewer.getByLabel("New key label")).toHaveCount(0);
  });

  await test.step("the API refuses to create a key for the viewer", async () => {
    const res = await fetchFromPage(viewer, "/api/v1/api-keys", { method: "POST", body: { label: "sneaky" } });
    expect(res.status).toBe(403);
  });

  await test.step("the link works only once", async () => {
    await viewerContext.clearCookies();
    await viewer.goto(invitePath);
    await expect(viewer.getByRole("heading", { name: "Invitation not valid" })).toBeVisible();
  });

  await viewerContext.close();

  await test.step("the owner sees the viewer among the members", async () => {
    await page.reload();
    await expect(page.getByLabel(`Role of ${VIEWER.email}`)).toHaveValue("viewer");
  });
});

// Under `next start -H 127.0.0.1`, req.url says localhost whatever address the admin used: the link
// must be built from the Host the browser sent (or RUNLENS_URL).
test("the invitation link points at the address the admin uses", async ({ page }) => {
  await page.goto("/settings/members");
  await page.getByLabel("Email", { exact: true }).fill("second-viewer@runlens.test");
  await page.getByLabel("Role", { exact: true }).selectOption("viewer");
  await page.getByRole("button", { name: "Create invitation link" }).click();
  await expect(page.getByTestId("invite-link").locator("code")).toContainText(`${BASE_URL}/invite/`);
});
