import { type BrowserContext, expect, type Page, type TestInfo, test } from "@playwright/test";
import { fetchFromPage } from "../support/api.ts";
import { findLayoutProblems, type LayoutProblem, setTheme, settle, THEMES, WIDTHS } from "../support/layout.ts";

// Every portal page at the four widths, light and dark: no sideways scroll, no text cut without an
// ellipsis, no console error, no failed request. Each page is loaded once, then resized and
// re-themed in place; a full-page screenshot of each state is attached to the report.

const EXECUTIONS = "/api/v1/runtime/v1/observability/executions";
const THREADS = "/api/v1/runtime/v1/observability/threads";
const REVIEW_COMMENT = "Layout suite: the answer quotes last year's opening hours instead of this season's";

// Each state is attached as a screenshot; a trace of a hundred resizes would only slow the run.
test.use({ trace: "off" });

type Target = {
  name: string;
  path: string;
  /** Shown once the page has loaded what it shows. */
  ready: (page: Page) => Promise<void>;
  /** The status the document itself answers (the 404 page's is 404). */
  status?: number;
};

type Seeded = { traceRun: string; chatRun: string; thread: string; review: string };

async function get<T>(page: Page, path: string): Promise<T> {
  const res = await fetchFromPage(page, path, { method: "GET" });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  return res.body as T;
}

async function post(page: Page, path: string, body?: unknown) {
  const res = await fetchFromPage(page, path, { method: "POST", body });
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown>;
}

/** The sample data (once per database), a review and a few metric cards; returns what the pages open. */
async function seed(context: BrowserContext): Promise<Seeded> {
  const page = await context.newPage();
  await page.goto("/settings/account");
  type List = { executions: { id: string }[] };
  const research = () => get<List>(page, `${EXECUTIONS}?agent=research-agent&limit=1`);
  if ((await research()).executions.length === 0) await post(page, "/api/v1/demo");
  const traceRun = (await research()).executions[0].id;

  const threads = await get<{ threads: { threadId: string; agent: string }[] }>(page, `${THREADS}?limit=50`);
  const thread = (threads.threads.find((t) => t.agent === "support-bot") ?? threads.threads[0]).threadId;
  const messages = await get<{ messages: { executionId: string }[] }>(
    page,
    `${THREADS}/${encodeURIComponent(thread)}/messages`,
  );
  const chatRun = messages.messages[0].executionId;

  const reviews = await get<{ reviews: { id: string }[] }>(
    page,
    `/api/v1/runtime/v1/reviews?search=${encodeURIComponent("Layout suite")}`,
  );
  const review =
    reviews.reviews[0]?.id ??
    String(
      (
        await post(page, "/api/v1/runtime/v1/reviews", {
          executionId: chatRun,
          agentId: "support-bot",
          rating: "bad",
          comment: REVIEW_COMMENT,
          priority: "high",
          tags: ["hours", "layout"],
        })
      ).reviewId,
    );

  const cards = await get<{ cards: unknown[] }>(page, "/api/v1/metrics/cards?agent=support-bot");
  if (cards.cards.length === 0) {
    const card = (title: string, type: string, query: Record<string, unknown>) =>
      post(page, "/api/v1/metrics/cards", { agent: "support-bot", title, type, query });
    await card("Revenue from orders placed over the last week", "number", {
      event: "order_placed",
      aggregation: "sum",
      property: "amount",
    });
    await card("Alerts per day", "line", { event: "alert_received", interval: "day" });
    await card("Alerts by severity", "pie", { event: "alert_received", groupBy: "severity" });
    await card("Answered tickets", "rate", { event: "ticket_resolved", where: { property: "answered", equals: true } });
    await card("Latest events", "feed", {});
  }
  await page.close();
  return { traceRun, chatRun, thread, review };
}

const heading = (name: string | RegExp) => async (page: Page) => {
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
};

function targets(s: Seeded): Target[] {
  const settings = ["api-keys", "members", "ingestion", "sources", "models", "redaction", "data", "account"];
  return [
    { name: "overview", path: "/overview", ready: heading("Overview") },
    {
      name: "executions",
      path: "/executions",
      ready: async (page) => {
        await expect(page.getByTestId("executions-table").locator("tbody tr").first()).toBeVisible();
      },
    },
    {
      name: "execution",
      path: `/executions/${encodeURIComponent(s.traceRun)}`,
      ready: async (page) => {
        await expect(page.getByRole("tree").first()).toBeVisible();
      },
    },
    {
      name: "execution-chat",
      path: `/executions/${encodeURIComponent(s.chatRun)}`,
      ready: async (page) => {
        await expect(page.getByTestId("chat-bubble").first()).toBeVisible();
      },
    },
    {
      name: "threads",
      path: "/threads",
      ready: async (page) => {
        await expect(page.getByTestId("thread-item").first()).toBeVisible();
      },
    },
    {
      name: "thread",
      path: `/threads/${encodeURIComponent(s.thread)}`,
      ready: async (page) => {
        await expect(page.getByTestId("chat-bubble").first()).toBeVisible();
      },
    },
    {
      name: "reviews",
      path: "/reviews",
      ready: async (page) => {
        await expect(page.getByTestId("review-row").first()).toBeVisible();
      },
    },
    {
      name: "review",
      path: `/reviews/${s.review}`,
      ready: async (page) => {
        await expect(page.getByLabel("Corrected output")).toBeVisible();
      },
    },
    {
      name: "metrics",
      path: "/metrics?agent=support-bot",
      ready: async (page) => {
        await expect(page.getByTestId("card-value").first()).toBeVisible();
        await expect(page.getByTestId("feed")).toBeVisible();
      },
    },
    ...settings.map((tab) => ({ name: `settings-${tab}`, path: `/settings/${tab}`, ready: heading("Settings") })),
    { name: "not-found", path: "/no-such-page", status: 404, ready: heading("Page not found") },
  ];
}

let seeded: Seeded;
test.beforeAll(async ({ browser }, testInfo) => {
  testInfo.setTimeout(180_000);
  const context = await browser.newContext({ storageState: testInfo.project.use.storageState });
  seeded = await seed(context);
  await context.close();
});

/**
 * Opens `target` once and checks it at every width and theme. Console errors, page errors, failed
 * requests and error responses are collected from the first request on.
 */
async function checkPage(page: Page, target: Target, testInfo: TestInfo) {
  const errors: string[] = [];
  const expectedUrl = new URL(target.path, "http://x").pathname;
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // The browser reports the 404 page's own status as a failed resource: it is the answer intended.
    if (target.status && m.location().url.endsWith(expectedUrl) && /status of 404/.test(m.text())) return;
    errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    // The router cancels the prefetch of a link that scrolled or resized out of view: not a failure.
    if (r.headers()["next-router-prefetch"] && r.failure()?.errorText === "net::ERR_ABORTED") return;
    errors.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on("response", (r) => {
    if (r.status() < 400) return;
    if (target.status === r.status() && r.request().resourceType() === "document") return;
    errors.push(`response ${r.status()}: ${r.request().method()} ${r.url()}`);
  });

  await page.setViewportSize({ width: WIDTHS[0], height: 900 });
  const res = await page.goto(target.path);
  expect(res?.status(), `${target.path} answers`).toBe(target.status ?? 200);
  await target.ready(page);

  const problems: (LayoutProblem & { state: string })[] = [];
  // Width outside, theme inside: a theme switch repaints, only a resize lays the page out again.
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const theme of THEMES) {
      await setTheme(page, theme);
      await settle(page);
      const state = `${width}px ${theme}`;
      for (const p of await findLayoutProblems(page)) problems.push({ ...p, state });
      const file = testInfo.outputPath(`${target.name}-${width}-${theme}.jpeg`);
      await page.screenshot({ path: file, fullPage: true, type: "jpeg", quality: 80 });
      await testInfo.attach(`${target.name} ${state}`, { path: file, contentType: "image/jpeg" });
    }
  }
  expect(problems, `layout problems on ${target.path}`).toEqual([]);
  expect(errors, `console errors and failed requests on ${target.path}`).toEqual([]);
}

// Titles are known before the seed runs; the paths are resolved inside each test.
const NAMES = targets({ traceRun: "", chatRun: "", thread: "", review: "" }).map((t) => t.name);
for (const name of NAMES) {
  test(`${name} fits every width in light and dark, without errors`, async ({ page }, testInfo) => {
    const target = targets(seeded).find((t) => t.name === name)!;
    await checkPage(page, target, testInfo);
  });
}

test("the checks catch sideways scroll, cut text and cut placeholders, and leave ellipses, scrollers and screen-reader text alone", async ({
  page,
}) => {
  await page.goto("/settings/account");
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await settle(page);
  expect(await findLayoutProblems(page)).toEqual([]);
  const long = "a sentence far too long for the hundred pixels it is given";
  await page.evaluate((text) => {
    const box = (style: string, testId: string, tag = "div") => {
      const el = document.createElement(tag);
      el.setAttribute("style", `width:100px;white-space:nowrap;${style}`);
      el.dataset.testid = testId;
      el.textContent = text;
      document.querySelector("main")?.append(el);
    };
    box("overflow:hidden", "cut");
    box("overflow:hidden;text-overflow:ellipsis", "ellipsis");
    box("overflow:auto", "scroller", "pre");
    box("position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0,0,0,0)", "sr-only");
  }, long);
  const problems = await findLayoutProblems(page);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatchObject({ kind: "clipped-text", where: expect.stringContaining("data-testid=cut") });

  await page.evaluate(() => document.querySelector('[data-testid="cut"]')?.remove());
  await page.evaluate(() => {
    const field = document.createElement("input");
    field.setAttribute("style", "width:80px");
    field.placeholder = "a placeholder longer than its field";
    document.querySelector("main")?.append(field);
  });
  expect((await findLayoutProblems(page)).map((p) => p.kind)).toEqual(["clipped-placeholder"]);

  await page.evaluate(() => {
    const wide = document.createElement("div");
    wide.setAttribute("style", "width:3000px;height:4px");
    document.body.append(wide);
  });
  expect((await findLayoutProblems(page)).map((p) => `${p.kind} ${p.where}`)).toContain("horizontal-scroll document");
});
