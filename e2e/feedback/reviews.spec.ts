import { expect, test } from "@playwright/test";
import { fetchFromPage } from "../support/api.ts";
import { at, createApiKey, sendTraces, unique } from "../support/seed.ts";

const REVIEWS = "/api/v1/runtime/v1/reviews";

test("resolve and next opens the next review of the queue, then the queue; each resolution is confirmed", async ({
  page,
  request,
}) => {
  const run = unique();
  const agent = `next-bot-${run}`;
  const key = await createApiKey(page, `next-${run}`);
  const ids: string[] = [];
  for (const n of [1, 2]) {
    const exec = `next-${run}-${n}`;
    await sendTraces(request, key, [
      {
        id: exec,
        executionId: exec,
        type: "agent_execution",
        name: `answer-${n}`,
        agent,
        startedAt: at(n * 1000),
        endedAt: at(n * 1000 + 500),
        output: { text: `answer number ${n}` },
      },
    ]);
    const res = await request.post(REVIEWS, {
      headers: { authorization: `Bearer ${key}` },
      data: { executionId: exec, agentId: agent, rating: "bad", comment: `wrong answer number ${n}`, tags: [run] },
    });
    expect(res.status()).toBe(201);
    ids.push(((await res.json()) as { reviewId: string }).reviewId);
  }

  await page.goto(`/reviews?tag=${run}`);
  const rows = page.getByTestId("review-row");
  await expect(rows).toHaveCount(2);
  // Both have the same priority: the queue's order decides which comes first.
  await rows.first().click();
  await expect(page).toHaveURL(/\/reviews\/[^/?]+\?tag=/);
  const opened = new URL(page.url()).pathname.split("/").pop() ?? "";
  expect(ids).toContain(opened);
  const other = ids.find((id) => id !== opened);

  await expect(page.getByLabel("Corrected output")).toHaveValue(/answer number/);
  await page.getByRole("button", { name: /Resolve and next/ }).click();
  await expect(page.getByText("Review resolved: here is the next one")).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/reviews/${other}\\?tag=${run}$`));
  await expect(page.getByLabel("Corrected output")).toHaveValue(/answer number/);

  // The last one of the queue: back to the queue, which says both are resolved.
  await page.getByRole("button", { name: /Resolve and next/ }).click();
  await expect(page.getByText("Review resolved: that was the last one of the queue")).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/reviews\\?tag=${run}$`));
  await expect(rows.filter({ hasText: "resolved" })).toHaveCount(2);
  for (const id of ids) {
    const review = await fetchFromPage(page, `${REVIEWS}/${id}`, { method: "GET" });
    expect((review.body as { status: string }).status).toBe("resolved");
  }

  // The average resolution time reads as people say it ("2 min", "3 h"), not as "0.03 h".
  const avg = page.getByTestId("review-stats").locator(":scope > div", { hasText: "avg. resolution" });
  await expect(avg).toHaveText(/avg\. resolution\s*\d+(\.\d)? (s|min|h|d)$/);
});

test("exporting when nothing is resolved says so and downloads nothing", async ({ page, request }) => {
  const run = unique();
  const agent = `empty-export-${run}`;
  const key = await createApiKey(page, `empty-${run}`);
  await sendTraces(request, key, [
    { id: `ee-${run}`, executionId: `ee-${run}`, type: "agent_execution", name: "open one", agent, startedAt: at(0) },
  ]);
  const res = await request.post(REVIEWS, {
    headers: { authorization: `Bearer ${key}` },
    data: { executionId: `ee-${run}`, agentId: agent, rating: "bad", comment: "still open, not resolved" },
  });
  expect(res.status()).toBe(201);

  const downloads: string[] = [];
  page.on("download", (d) => downloads.push(d.suggestedFilename()));
  await page.goto(`/reviews?agentId=${agent}`);
  await expect(page.getByTestId("review-row")).toHaveCount(1);
  await page.getByRole("button", { name: "Export for fine-tuning" }).click();
  await expect(page.getByTestId("export-note")).toHaveText("Nothing to export.");
  await expect(page.getByText(/Nothing to export: no resolved review matches/)).toBeVisible();
  expect(downloads).toEqual([]);
});
