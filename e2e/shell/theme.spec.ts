import { expect, test } from "@playwright/test";

test("dark mode is toggled from the sidebar and survives a reload", async ({ page }) => {
  await page.goto("/executions");
  const html = page.locator("html");
  const toggle = page.getByRole("button", { name: "Toggle dark mode" });

  await expect(html).not.toHaveClass(/\bdark\b/);
  await expect(toggle).toHaveText("Dark");

  await toggle.click();
  await expect(html).toHaveClass(/\bdark\b/);
  await expect(toggle).toHaveText("Light");

  await page.reload();
  await expect(html).toHaveClass(/\bdark\b/);
  await expect(toggle).toHaveText("Light");

  await toggle.click();
  await expect(html).not.toHaveClass(/\bdark\b/);
});
