import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

test("flag an execution, triage it with the keyboard, resolve it with a corrected answer, export it", async ({
  page,
  request,
}) => {
  const run = unique();
  const exec = `qa-${run}`;
  const key = await createApiKey(page, `qa-${run}`);
  await sendTraces(request, key, [
    {
      id: `${exec}-root`,
      executionId: exec,
      type: "agent_execution",
      name: `hotel-concierge-${run}`,
      agent: "concierge",
      startedAt: at(0),
      endedAt: at(800),
    },
    {
      id: `${exec}-m1`,
      executionId: exec,
      parentId: `${exec}-root`,
      type: "conversation_message",
      name: "user",
      startedAt: at(10),
      endedAt: at(10),
      message: { role: "user", content: "Qual o horário do café?" },
    },
    {
      id: `${exec}-m2`,
      executionId: exec,
      parentId: `${exec}-root`,
      type: "conversation_message",
      name: "assistant",
      startedAt: at(20),
      endedAt: at(20),
      message: { role: "assistant", content: "Das 7h às 9h." },
    },
  ]);

  await test.step("flag it from the execution page", async () => {
    await page.goto(`/executions/${exec}`);
    await page.getByRole("button", { name: "Review" }).click();
    const dialog = page.getByRole("dialog", { name: "Review this execution" });
    await dialog.getByLabel("Bad").check();
    await dialog.getByLabel("Comment").fill("too short");
    await dialog.getByRole("button", { name: "Submit review" }).click();
    await expect(dialog.getByText("Write at least 10 characters.")).toBeVisible();
    await dialog.getByLabel("Comment").fill("O horário do café informado está errado");
    await dialog.getByLabel("Priority").selectOption("urgent");
    await dialog.getByRole("button", { name: "Submit review" }).click();
    await expect(page.getByRole("link", { name: "View review" })).toBeVisible();
  });

  await test.step("open it from the queue with the keyboard", async () => {
    await page.goto("/reviews?status=open");
    const row = page.getByTestId("review-row").filter({ hasText: "O horário do café" });
    await expect(row).toBeVisible();
    await expect(page.getByTestId("review-stats")).toContainText("open");
    const rows = page.getByTestId("review-row");
    const index = (await rows.allTextContents()).findIndex((t) => t.includes("O horário do café"));
    for (let i = 0; i < index; i++) await page.keyboard.press("j");
    await page.keyboard.press("?");
    await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
    await page.keyboard.press("?");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/reviews\/[^/?]+/);
  });

  await test.step("rate, correct and resolve with keys", async () => {
    await expect(page.getByTestId("review-page")).toBeVisible();
    const corrected = page.getByLabel("Corrected output");
    await expect(corrected).toHaveValue("Das 7h às 9h.");
    await page.keyboard.press("g");
    await expect(page.getByRole("radio", { name: /Good/ })).toHaveAttribute("aria-checked", "true");
    await page.keyboard.press("e");
    await expect(corrected).toBeFocused();
    await corrected.fill("O café da manhã é servido das 6h30 às 10h.");
    await page.getByRole("heading", { name: "Review" }).click(); // leave the editor: keys are not captured while typing
    await page.keyboard.press("r");
    await expect(page.getByText(/Resolved by Olivia Owner/)).toBeVisible();
  });

  await test.step("download the export and check its line", async () => {
    await page.goto("/reviews");
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export for fine-tuning" }).click();
    const file = await (await downloading).path();
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const mine = lines.find((l) => l.metadata.execution_id === exec);
    expect(mine).toEqual({
      messages: [
        { role: "user", content: "Qual o horário do café?" },
        { role: "assistant", content: "O café da manhã é servido das 6h30 às 10h." },
      ],
      metadata: { review_id: expect.any(String), execution_id: exec, rating: "good", was_corrected: true },
    });
  });
});
