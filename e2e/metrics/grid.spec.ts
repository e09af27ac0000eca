import { expect, type Locator, type Page, test } from "@playwright/test";
import { fetchFromPage } from "../support/api.ts";
import { createApiKey, sendTraces, unique } from "../support/seed.ts";

const run = unique();
const agent = `grid-${run}`;
const card = (page: Page, title: string) => page.locator(`[data-testid=metric-card][data-card-title="${title}"]`);

async function seed(page: Page) {
  const key = await createApiKey(page, `grid-${run}`);
  const now = Date.now();
  const res = await page.request.post("/api/v1/runtime/v1/observability/events", {
    headers: { authorization: `Bearer ${key}` },
    data: {
      events: Array.from({ length: 12 }, (_, i) => ({
        agent,
        name: "order_placed",
        timestamp: new Date(now - i * 3_600_000).toISOString(),
        // Large amounts: the sum is a long number ("1,234,567.89"-like), what clipped at 820 px.
        properties: {
          amount: 123_456.78 + i,
          category: i % 3 === 0 ? "books" : "electronics-and-more",
          paid: i % 4 !== 0,
        },
      })),
    },
  });
  expect((await res.json()).rejected).toBe(0);
  return key;
}

/** Cards through the API, as the builder saves them (placed by the server, in the first free place). */
async function createCards(page: Page, cards: { title: string; type: string; query: Record<string, unknown> }[]) {
  for (const c of cards) {
    const res = await fetchFromPage(page, "/api/v1/metrics/cards", { method: "POST", body: { agent, ...c } });
    expect(res.status).toBe(201);
  }
}

async function addCard(page: Page, fill: (builder: Locator) => Promise<void>) {
  await page.getByRole("button", { name: "Add card" }).click();
  const builder = page.getByRole("complementary", { name: "Card builder" });
  await fill(builder);
  await builder.getByRole("button", { name: "Save card" }).click();
  await expect(builder).toHaveCount(0);
}

/** A CSS colour as [r, g, b], through a canvas (computed styles may be oklch()). */
async function rgb(page: Page, color: string): Promise<[number, number, number]> {
  return page.evaluate((c) => {
    const ctx = document.createElement("canvas").getContext("2d")!;
    ctx.fillStyle = c;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b] as [number, number, number];
  }, color);
}

function contrast(a: [number, number, number], b: [number, number, number]): number {
  const lum = (c: [number, number, number]) => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test.describe.configure({ mode: "serial" });

test("the builder will not save a card that cannot render, and says what is missing", async ({ page }) => {
  await seed(page);
  await page.goto(`/metrics?agent=${agent}`);
  await page.getByRole("button", { name: "Add card" }).click();
  const builder = page.getByRole("complementary", { name: "Card builder" });
  const save = builder.getByRole("button", { name: "Save card" });
  await expect(save).toBeEnabled();

  await builder.getByLabel("Aggregation").selectOption("sum");
  await expect(save).toBeDisabled();
  await expect(save).toHaveAccessibleDescription("Pick a property.");
  await expect(builder.locator("#save-problem")).toHaveText("Pick a property.");
  await builder.getByLabel("Property", { exact: true }).selectOption("amount");
  await expect(save).toBeEnabled();

  await builder.getByLabel("Type").selectOption("pie");
  await expect(save).toBeDisabled();
  await expect(save).toHaveAccessibleDescription("Pick the property to slice by.");
  await builder.getByLabel("Slices by").selectOption("category");
  await expect(save).toBeEnabled();

  await builder.getByLabel("Type").selectOption("rate");
  await expect(save).toHaveAccessibleDescription("Pick the property and value to count.");
  await builder.getByLabel("Rate of property").selectOption("paid");
  await expect(save).toBeEnabled();

  await builder.getByLabel("Type").selectOption("number");
  await builder.getByLabel("Range").selectOption("custom");
  await expect(save).toBeDisabled();
  await expect(save).toHaveAccessibleDescription(/From: Required with range "custom"/);
  await builder.getByRole("button", { name: "Cancel" }).click();
});

test("the cards API refuses the same incomplete card with 400 naming the missing field", async ({ page }) => {
  await page.goto(`/metrics?agent=${agent}`);
  const res = await fetchFromPage(page, "/api/v1/metrics/cards", {
    method: "POST",
    body: { agent, title: "Revenue", type: "number", query: { event: "order_placed", aggregation: "sum" } },
  });
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({
    error: { code: "validation_error", details: [{ path: "query.property", message: "Pick a property." }] },
  });
  const pie = await fetchFromPage(page, "/api/v1/metrics/cards", {
    method: "POST",
    body: { agent, title: "Share", type: "pie", query: { event: "order_placed" } },
  });
  expect(pie.status).toBe(400);
  expect((pie.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path)).toEqual([
    "query.groupBy",
  ]);
});

test("two new cards are placed side by side, filling the row", async ({ page }) => {
  await page.goto(`/metrics?agent=${agent}`);
  await addCard(page, async (b) => {
    await b.getByLabel("Title").fill("Orders");
  });
  await addCard(page, async (b) => {
    await b.getByLabel("Title").fill("Paid");
    await b.getByLabel("Type").selectOption("rate");
    await b.getByLabel("Rate of property").selectOption("paid");
    await b.getByLabel("equals").fill("true");
  });
  await expect(card(page, "Orders").getByTestId("card-value")).toHaveText("12");
  await expect(card(page, "Paid").getByTestId("card-value")).toHaveText("75.0%");
  const first = (await card(page, "Orders").boundingBox())!;
  const second = (await card(page, "Paid").boundingBox())!;
  expect(Math.abs(second.y - first.y)).toBeLessThan(2);
  expect(second.x).toBeGreaterThanOrEqual(first.x + first.width);
  await expect(card(page, "Orders").getByTestId("card-range")).toHaveText("Last 7 days · events");
  await expect(card(page, "Paid").getByTestId("card-range")).toHaveText("Last 7 days · %");
});

test("at 820 px no card clips its number, title or axis labels", async ({ page }, testInfo) => {
  await page.goto(`/metrics?agent=${agent}`);
  await createCards(page, [
    {
      title: "Revenue from every order placed through the storefront this week",
      type: "number",
      query: { event: "order_placed", aggregation: "sum", property: "amount" },
    },
    {
      title: "Revenue per day",
      type: "line",
      query: { event: "order_placed", aggregation: "sum", property: "amount", interval: "hour", range: "24h" },
    },
    { title: "By category", type: "bar", query: { event: "order_placed", groupBy: "category" } },
    { title: "Share by category", type: "pie", query: { event: "order_placed", groupBy: "category" } },
    { title: "Latest orders", type: "feed", query: { events: ["order_placed"] } },
  ]);
  await page.setViewportSize({ width: 820, height: 1100 });
  await page.goto(`/metrics?agent=${agent}`);
  const revenue = card(page, "Revenue from every order placed through the storefront this week");
  await expect(revenue.getByTestId("card-value")).toHaveText("1,481,547.36");
  await expect(card(page, "Revenue per day").locator("svg.recharts-surface")).toBeVisible();
  await expect
    .poll(() => card(page, "Revenue per day").locator(".recharts-xAxis-tick-labels text").count())
    .toBeGreaterThan(1);
  await expect(card(page, "By category").locator(".recharts-bar-rectangle")).toHaveCount(2);
  await expect(card(page, "Share by category").getByTestId("pie-legend").locator("li")).toHaveCount(2);
  await expect(card(page, "Latest orders").getByTestId("feed-properties").first()).toBeVisible();

  const { found, checked } = await page.locator("[data-testid=metric-card]").evaluateAll((cards) => {
    const found: string[] = [];
    const checked = { numbers: 0, titles: 0, ticks: 0 };
    for (const c of cards) {
      const title = c.getAttribute("data-card-title");
      // The number must show whole: no ellipsis allowed.
      for (const n of c.querySelectorAll<HTMLElement>("[data-testid=card-value]")) {
        checked.numbers++;
        if (n.scrollWidth > n.clientWidth)
          found.push(`${title}: number ${n.textContent} ${n.scrollWidth}>${n.clientWidth}`);
      }
      // Any other text may be cut only with an ellipsis (and says itself in a title attribute).
      for (const el of c.querySelectorAll<HTMLElement>("h3, p, span, dt, dd, time")) {
        if (el.tagName === "H3") checked.titles++;
        if (!el.textContent?.trim() || el.scrollWidth <= el.clientWidth) continue;
        const style = getComputedStyle(el);
        if (style.overflowX === "visible") continue;
        if (style.textOverflow !== "ellipsis" || !el.title)
          found.push(`${title}: "${el.textContent}" ${el.scrollWidth}>${el.clientWidth}`);
      }
      // Axis labels inside their chart.
      for (const svg of c.querySelectorAll("svg.recharts-surface")) {
        const box = svg.getBoundingClientRect();
        for (const t of svg.querySelectorAll(".recharts-cartesian-axis-tick-labels text")) {
          const r = t.getBoundingClientRect();
          checked.ticks++;
          if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
            found.push(`${title}: tick "${t.textContent}" outside its chart`);
        }
      }
      // Nothing sticks out of the card.
      const box = c.getBoundingClientRect();
      for (const el of c.querySelectorAll("[data-testid=card-value], h3")) {
        const r = el.getBoundingClientRect();
        if (r.left < box.left - 1 || r.right > box.right + 1)
          found.push(`${title}: ${el.textContent} outside its card`);
      }
    }
    return { found, checked };
  });
  const shot = testInfo.outputPath("metrics-820.png");
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach("metrics at 820 px", { path: shot, contentType: "image/png" });
  expect(found).toEqual([]);
  expect(checked.numbers).toBe(3);
  expect(checked.titles).toBe(7);
  expect(checked.ticks).toBeGreaterThan(10);
  await expect(revenue.getByTestId("card-title")).toHaveAttribute(
    "title",
    "Revenue from every order placed through the storefront this week",
  );
});

test("cards show their range and unit, tooltips name the series, pies their values, the feed its properties", async ({
  page,
}) => {
  await page.goto(`/metrics?agent=${agent}`);
  const line = card(page, "Revenue per day");
  await expect(line.getByTestId("card-range")).toHaveText("Last 24 hours");
  const chart = line.locator("svg.recharts-surface");
  const box = (await chart.boundingBox())!;
  // Three quarters along: an hour with an order in it (they span the last 12 hours).
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5);
  const tooltip = line.getByTestId("chart-tooltip");
  await expect(tooltip).toContainText("Sum of amount");
  await expect(tooltip).not.toContainText("value");
  await expect(tooltip).toContainText(/\d{3},\d{3}\.\d{2}/);

  const legend = card(page, "Share by category").getByTestId("pie-legend");
  await expect(legend).toContainText("electronics-and-more");
  await expect(legend.locator("li", { hasText: "books" })).toContainText("4");
  await expect(legend.locator("li", { hasText: "books" })).toContainText("33%");

  const feed = card(page, "Latest orders");
  await expect(feed.getByTestId("card-range")).toHaveText("Latest 20 events, live");
  const first = feed.getByTestId("feed-properties").first();
  await expect(first.locator("dt", { hasText: "category" })).toBeVisible();
  await expect(first).not.toContainText("{");
});

test("in dark mode a card's number and captions read at 4.5:1 or more", async ({ page }, testInfo) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(`/metrics?agent=${agent}`);
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  const orders = card(page, "Orders");
  await expect(orders.getByTestId("card-value")).toHaveText("12");
  const background = await rgb(
    page,
    await orders.locator(":scope > div").evaluate((el) => getComputedStyle(el).backgroundColor),
  );
  const shot = testInfo.outputPath("metrics-dark.png");
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach("metrics in dark mode", { path: shot, contentType: "image/png" });
  for (const id of ["card-value", "card-range", "card-title"]) {
    const color = await rgb(page, await orders.getByTestId(id).evaluate((el) => getComputedStyle(el).color));
    expect(contrast(color, background), id).toBeGreaterThanOrEqual(4.5);
  }
});

test("an agent without events gets an explanatory empty state, not another agent's cards", async ({ page }) => {
  const key = await createApiKey(page, `quiet-${run}`);
  const quiet = `quiet-${run}`;
  await sendTraces(page.request, key, [
    {
      id: `quiet-span-${run}`,
      executionId: `quiet-run-${run}`,
      type: "agent_execution",
      name: "answer",
      agent: quiet,
      startedAt: new Date(Date.now() - 2000).toISOString(),
      endedAt: new Date().toISOString(),
    },
  ]);
  await page.goto(`/metrics?agent=${quiet}`);
  const empty = page.getByTestId("metrics-empty");
  await expect(empty).toContainText(`${quiet} has not sent business events yet`);
  await expect(empty).toContainText("track(");
  await expect(page.getByTestId("metric-card")).toHaveCount(0);
  // The agents that have a tab are offered, none selected.
  const tabs = page.getByRole("navigation", { name: "Agents" });
  await expect(tabs.getByRole("link", { name: agent })).toBeVisible();
  await expect(tabs.locator("[aria-current=page]")).toHaveCount(0);

  await page.goto(`/metrics?agent=nobody-${run}`);
  await expect(page.getByTestId("metrics-empty")).toContainText(`No agent named nobody-${run}`);
  await expect(page.getByTestId("metric-card")).toHaveCount(0);
});
