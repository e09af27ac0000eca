import { expect, test } from "@playwright/test";
import { continuedAsNewRuns } from "../../tests/fixtures/output/traces.ts";
import { unique } from "../support/seed.ts";

test("Output trace files dropped on Settings › Sources become linked executions", async ({ page }) => {
  const workflowId = `e2e-poll-${unique()}`;
  const [first, second] = continuedAsNewRuns(workflowId, [`${workflowId}-r1`, `${workflowId}-r2`], Date.now() - 60_000);
  const file = (i: number, root: unknown) => ({
    name: `2026-08-19-08-00-${i}0-000Z_${workflowId}.json`,
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(root)),
  });

  await test.step("the Sources page has an Output section", async () => {
    await page.goto("/settings/sources");
    await expect(page.getByRole("heading", { name: "Output" })).toBeVisible();
  });

  await test.step("two files are imported, each with its result", async () => {
    await page.getByLabel("Output trace files").setInputFiles([file(0, first), file(1, second)]);
    const rows = page.getByTestId("output-import-file");
    await expect(rows).toHaveCount(2);
    await expect(rows.filter({ hasText: "imported" })).toHaveCount(2);
    await expect(page.getByTestId("output-import-summary")).toContainText("2 imported, 0 failed");
  });

  await test.step("a broken file fails with the reason, the others stay imported", async () => {
    await page
      .getByLabel("Output trace files")
      .setInputFiles([
        { name: "not-a-trace.json", mimeType: "application/json", buffer: Buffer.from('{"id":"x","kind":"step"}') },
      ]);
    const failed = page.getByTestId("output-import-file").filter({ hasText: "not-a-trace.json" });
    await expect(failed).toContainText("failed");
    await expect(failed).toContainText("startedAt");
    await expect(page.getByTestId("output-import-summary")).toContainText("2 imported, 1 failed");
  });

  await test.step("a file dropped on the zone is imported (again: nothing changes)", async () => {
    const dataTransfer = await page.evaluateHandle(
      ({ name, text }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], name, { type: "application/json" }));
        return dt;
      },
      { name: file(1, second).name, text: JSON.stringify(second) },
    );
    await page.getByTestId("output-dropzone").dispatchEvent("drop", { dataTransfer });
    await expect(page.getByTestId("output-import-file").first()).toContainText("re-imported");
    await expect(page.getByTestId("output-import-summary")).toContainText("3 imported, 1 failed");
  });

  await test.step("the imported run opens with its continue-as-new chain", async () => {
    await page
      .getByTestId("output-import-file")
      .filter({ hasText: file(0, first).name })
      .getByRole("link", { name: "Open execution" })
      .click();
    await expect(page).toHaveURL(new RegExp(`/executions/${workflowId}-r1$`));
    await expect(page.getByRole("heading", { name: "poller" })).toBeVisible();
    const chain = page.getByTestId("run-chain");
    await expect(chain).toContainText(`run 1 of 2 of ${workflowId}`);
    await chain.getByRole("link", { name: "next run" }).click();
    await expect(page).toHaveURL(new RegExp(`/executions/${workflowId}-r2$`));
    await expect(page.getByTestId("run-chain")).toContainText("run 2 of 2");
    await expect(page.getByTestId("run-chain").getByRole("link", { name: "previous run" })).toBeVisible();
  });
});

test("the file picker appears once the page is interactive (a file picked earlier would be ignored)", async ({
  page,
}) => {
  const workflowId = `e2e-early-${unique()}`;
  const [run] = continuedAsNewRuns(workflowId, [`${workflowId}-r1`], Date.now() - 60_000);
  // Hold the page's scripts back: the server-rendered page is there, React is not yet.
  let release = () => {};
  const scripts = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route("**/_next/static/**", async (route) => {
    if (route.request().resourceType() === "script") await scripts; // stylesheets load: they block parsing
    await route.continue();
  });
  await page.goto("/settings/sources", { waitUntil: "commit" });
  await expect(page.getByTestId("output-dropzone")).toBeVisible();
  await expect(page.getByLabel("Output trace files")).toHaveCount(0);
  release();
  await page.getByLabel("Output trace files").setInputFiles({
    name: `2026-08-19-08-00-00-000Z_${workflowId}.json`,
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(run)),
  });
  await expect(page.getByTestId("output-import-file")).toHaveCount(1);
  await expect(page.getByTestId("output-import-summary")).toContainText("1 imported, 0 failed");
});
