import { expect, test } from "@playwright/test";
import { listExecutions } from "../support/api.ts";
import { ANONYMOUS } from "../support/env.ts";

test("an API key reads executions until it is revoked", async ({ page, playwright }) => {
  // A service holds the key and nothing else: no session cookie.
  const service = await playwright.request.newContext({ storageState: ANONYMOUS });

  await test.step("create a key and copy its secret", async () => {
    await page.goto("/settings/api-keys");
    await page.getByLabel("New key label").fill("e2e bot");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect(page.getByTestId("new-key-secret")).not.toBeEmpty();
  });
  const secret = (await page.getByTestId("new-key-secret").textContent())?.trim() ?? "";
  expect(secret.length).toBeGreaterThan(20);

  await test.step("Copy key puts the secret on the clipboard", async () => {
    await page.getByRole("button", { name: "Copy key" }).click();
    await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  });

  await test.step("the key reads executions; a wrong key is refused", async () => {
    const ok = await listExecutions(service, secret);
    expect(ok.status()).toBe(200);
    expect(await ok.json()).toMatchObject({ executions: expect.any(Array) });

    expect((await listExecutions(service, `${secret}x`)).status()).toBe(401);
    expect((await listExecutions(service, "rl_not_a_key")).status()).toBe(401);
  });

  await test.step("revoking the key marks it revoked and the API refuses it", async () => {
    const row = page.getByTestId("api-key-row").filter({ hasText: "e2e bot" });
    page.once("dialog", (dialog) => dialog.accept());
    await row.getByRole("button", { name: "Revoke" }).click();
    await expect(row).toContainText("revoked");
    await expect(row.getByRole("button", { name: "Revoke" })).toHaveCount(0);

    expect((await listExecutions(service, secret)).status()).toBe(401);
  });

  await service.dispose();
});
