// `npm run bench:threads`: a 2,000-message thread (issue: opens in under 1 s and scrolls smoothly).
// Starts a real portal on the embedded database, sends the thread through the ingest API, then
// measures the messages API and, in headless Chromium, the thread page: time from navigation
// start to the first bubble on screen, and the longest main-thread task while scrolling the whole
// conversation. Last line: {"bench":"threads",...}.
import { chromium } from "@playwright/test";
import { startPortal } from "../tests/helpers/server.ts";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const PER_EXECUTION = 20;
const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startPortal();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
try {
  const headers = { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" };
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const traces = Array.from({ length: MESSAGES }, (_, i) => {
    const role = i % 2 === 0 ? "user" : "assistant";
    const content =
      i % 50 === 49
        ? {
            type: "buttons",
            text: "Posso ajudar em algo mais?",
            items: [
              { id: "y", label: "Sim" },
              { id: "n", label: "Não" },
            ],
          }
        : `${role === "user" ? "Pergunta" : "Resposta"} ${i}: ${"lorem ipsum dolor sit amet ".repeat(1 + (i % 7))}`;
    return {
      id: `m${i}`,
      executionId: `bench-exec-${Math.floor(i / PER_EXECUTION)}`,
      type: "conversation_message",
      name: role,
      agent: "bench-bot",
      threadId: "bench-thread",
      startedAt: new Date(t0 + i * 1000).toISOString(),
      endedAt: new Date(t0 + i * 1000).toISOString(),
      message: { role, content },
    };
  });
  for (let i = 0; i < traces.length; i += 1000) {
    const res = await fetch(`${server.url}/api/v1/runtime/v1/observability/traces`, {
      method: "POST",
      headers,
      body: JSON.stringify({ traces: traces.slice(i, i + 1000) }),
    });
    if (res.status !== 207) throw new Error(`ingest failed: ${res.status}`);
  }

  const api: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const res = await fetch(`${server.url}/api/v1/runtime/v1/observability/threads/bench-thread/messages`, { headers });
    const body = (await res.json()) as { messages: unknown[] };
    api.push(performance.now() - start);
    if (body.messages.length !== MESSAGES)
      throw new Error(`expected ${MESSAGES} messages, got ${body.messages.length}`);
  }

  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(() => {
    const w = window as unknown as { __firstBubble?: number; __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
    new MutationObserver(() => {
      if (w.__firstBubble === undefined && document.querySelector("[data-testid=chat-bubble]"))
        w.__firstBubble = performance.now();
    }).observe(document, { childList: true, subtree: true });
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel("Email").fill("owner@example.com");
  await page.getByLabel("Password").fill("server-test-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/executions/);

  const open: number[] = [];
  const scrollTask: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await page.goto(`${server.url}/threads/bench-thread`);
    await page.getByTestId("chat-bubble").first().waitFor({ timeout: 30_000 });
    await page.getByRole("heading", { name: "bench-thread" }).waitFor({ timeout: 30_000 });
    open.push(await page.evaluate(() => (window as unknown as { __firstBubble: number }).__firstBubble));
    // Scroll the whole conversation from the newest message to the first.
    await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
    // One screen per animation frame, like a fast continuous scroll, until the top.
    await page.getByTestId("chat-view").evaluate(async (el) => {
      while (el.scrollTop > 0) {
        el.scrollTop = Math.max(0, el.scrollTop - 900);
        await new Promise((r) => requestAnimationFrame(() => r(null)));
      }
    });
    await page.getByText("Pergunta 0:").waitFor({ timeout: 30_000 });
    scrollTask.push(
      await page.evaluate(() => Math.max(0, ...(window as unknown as { __longTasks: number[] }).__longTasks)),
    );
  }
  await context.close();

  const result = {
    bench: "threads",
    messages: MESSAGES,
    api_messages_p50_ms: Math.round(median(api)),
    api_messages_max_ms: Math.round(Math.max(...api)),
    page_first_bubble_ms: Math.round(median(open)),
    scroll_longest_task_ms: Math.round(median(scrollTask)),
    target_open_ms: 1000,
    open_target_met: median(open) < 1000,
  };
  console.log(
    `\n2,000-message thread (${MESSAGES} messages, ${MESSAGES / PER_EXECUTION} executions), median of ${RUNS} page loads`,
  );
  console.log(`  messages API           p50 ${result.api_messages_p50_ms} ms, max ${result.api_messages_max_ms} ms`);
  console.log(
    `  page: first bubble     ${result.page_first_bubble_ms} ms from navigation start (target < 1000 ms: ${result.open_target_met ? "met" : "NOT met"})`,
  );
  console.log(
    `  scroll to the top      longest main-thread task ${result.scroll_longest_task_ms} ms (0 = none over 50 ms)`,
  );
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await server.stop();
}
