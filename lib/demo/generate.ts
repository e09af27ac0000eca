import { Runlens, type RunlensDeliveryError } from "@runlens/sdk";
import type { DemoResult } from "../contracts/ingest.ts";
import type { Demo } from "./calls.ts";
import { DIALOGUES, hotelDialogue, SYSTEM_PROMPTS } from "./dialogues.ts";
import { runReconciliation, runResearch } from "./long-runs.ts";
import { playConversation, playCpfCheck } from "./support.ts";
import { DAY, HOUR, MINUTE, type Random, seededRandom, Timeline, Timelines } from "./timeline.ts";
import { runInvoiceExtraction, runOrders, type Tally } from "./workflows.ts";

/**
 * Sample data a user can believe, sent through the SDK as an application would: support
 * conversations in English and Portuguese (one of 24 turns), an order workflow with every step
 * type, invoice extraction hitting a rate limit, a research agent and a nightly reconciliation of
 * hundreds of spans, and 30 days of business events. Runs are spread over the last 7 days; the
 * SDK's `clock` option reads a virtual timeline, so every call takes realistic time (models
 * hundreds of milliseconds to seconds, services tens to hundreds) without anyone waiting for it.
 */
export type DemoOptions = { apiUrl?: string; apiKey?: string; fetch?: typeof fetch; seed?: number };

export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const seed = opts.seed ?? 42;
  const now = Date.now();
  const timelines = new Timelines();
  const undelivered: string[] = [];
  const client = new Runlens({
    apiUrl: opts.apiUrl,
    apiKey: opts.apiKey,
    fetch: opts.fetch,
    agent: "support-bot",
    warnings: false,
    clock: timelines.now,
    // The sample is history: nobody watches it live, so only finished spans are sent (the SDK
    // also sends a "running" copy of each span as it starts, which a stored run never needs).
    onTrace: (trace) => (trace.status === "running" ? null : trace),
    // Wait for every batch: the portal shows the sample as soon as this returns.
    flushTimeoutMs: 120_000,
    onError: (e: RunlensDeliveryError) => {
      if (e.kind !== "timeout") undelivered.push(e.message);
    },
  });
  // Groups of runs played at once, each on its own timeline and with its own random numbers, so
  // the sample is the same whatever order their requests finish in.
  const groups: ((demo: Demo, now: number) => Promise<Tally>)[] = [
    supportConversations,
    guestHouseAndCpf,
    ordersAndInvoices,
    async (demo) => ({ executions: await runResearch(demo, ago(demo, now, 0.5 * DAY, 3 * DAY)), events: 0 }),
    async (demo) => ({ executions: await runReconciliation(demo, ago(demo, now, 1.1 * DAY, 1.4 * DAY)), events: 0 }),
    async (demo) => ({ executions: 0, events: trackBusinessEvents(demo, now, 30) }),
  ];
  const tallies = await Promise.all(
    groups.map((group, k) => {
      const time = new Timeline(now);
      return timelines.play(time, () => group({ client, time, random: seededRandom(seed + k) }, now));
    }),
  );
  await client.flush();
  if (undelivered.length > 0) throw new Error(`Sample data was not stored: ${undelivered.join("; ")}`);
  return {
    executions: tallies.reduce((sum, t) => sum + t.executions, 0),
    events: tallies.reduce((sum, t) => sum + t.events, 0),
  };
}

/** A start `min` to `max` ms before `now`. */
function ago({ random }: Demo, now: number, min: number, max: number): number {
  return now - random.between(min, max);
}

/** The scripted support conversations, each at its own moment of the last 7 days. */
async function supportConversations(demo: Demo, now: number): Promise<Tally> {
  const { time, random } = demo;
  const tally: Tally = { executions: 0, events: 0 };
  for (const [i, dialogue] of DIALOGUES.entries()) {
    time.set(ago(demo, now, 40 * MINUTE, 7 * DAY - HOUR));
    const en = dialogue.lang === "en";
    const full = i === 0 || random.chance(0.75);
    tally.executions += await playConversation(
      demo,
      dialogue,
      {
        agent: en ? "support-bot" : "atendimento-whatsapp",
        executionName: en ? "support-chat" : "atendimento",
        model: en ? "gpt-4o" : "gpt-4o-mini",
        promptName: en ? "support-answer" : "atendimento-resposta",
        system: SYSTEM_PROMPTS[dialogue.lang],
        threadId: en ? `web-${4100 + i * 13}` : `wa-5511${random.int(91_000_000, 99_999_999)}`,
      },
      { turns: full ? undefined : Math.max(1, dialogue.turns.length - 1), offerMore: random.chance(0.3) },
    );
    tally.events++;
  }
  return tally;
}

/** The long conversation (a guest house booked over WhatsApp) and the CPF check. */
async function guestHouseAndCpf(demo: Demo, now: number): Promise<Tally> {
  demo.time.set(ago(demo, now, 1.2 * DAY, 2.5 * DAY));
  const booking = await playConversation(demo, hotelDialogue(new Date(demo.time.now())), {
    agent: "reservas-pousada",
    executionName: "concierge-whatsapp",
    model: "claude-sonnet-4-5",
    promptName: "concierge",
    system: SYSTEM_PROMPTS.hotel,
    threadId: "wa-5547999990000",
  });
  demo.time.set(ago(demo, now, 2 * HOUR, 20 * HOUR));
  const cpf = await playCpfCheck(demo, "wa-5511999990000");
  return { executions: booking + cpf, events: 1 };
}

/** Checkout orders over the week, and a month-end batch of invoices within one afternoon. */
async function ordersAndInvoices(demo: Demo, now: number): Promise<Tally> {
  const orders = await runOrders(demo, spread(demo.random, now, 14));
  const batch = now - 2 * DAY - demo.random.between(0, 3 * HOUR);
  const invoices = await runInvoiceExtraction(
    demo,
    [0, 1, 2, 3, 4, 5].map((k) => batch + k * 23 * MINUTE),
  );
  return { executions: orders.executions + invoices.executions, events: orders.events + invoices.events };
}

/** `count` start times over the last 7 days, oldest first. */
function spread(random: Random, now: number, count: number): number[] {
  return Array.from({ length: count }, () => now - random.between(30 * MINUTE, 7 * DAY - HOUR)).sort((a, b) => a - b);
}

/** Business events for the Metrics tab: alerts, resolved tickets and orders over `days` days. */
function trackBusinessEvents({ client, random }: Demo, now: number, days: number): number {
  let events = 0;
  for (let d = 0; d < days; d++) {
    const perDay = 15 + Math.floor(random.next() * 15);
    for (let k = 0; k < perDay; k++) {
      const timestamp = new Date(now - d * DAY - Math.floor(random.next() * DAY));
      const r = random.next();
      if (r < 0.4) {
        client.track(
          "alert_received",
          {
            company: random.pick(["NW Telecom", "Acme", "Globex"]),
            severity: random.pick(["Low", "Medium", "High", "High", "Critical"]),
            source: random.pick(["Zabbix", "Grafana", "Datadog"]),
          },
          { timestamp },
        );
      } else if (r < 0.75) {
        client.track(
          "ticket_resolved",
          {
            duration: Math.round(5 + random.next() * 120),
            answered: random.next() < 0.82,
            category: random.pick(["network", "billing", "account", "orders"]),
          },
          { timestamp },
        );
      } else {
        client.track(
          "order_placed",
          {
            amount: Math.round(random.next() * 50000) / 100,
            category: random.pick(["electronics", "books", "toys", "home"]),
            customer_id: `c_${Math.floor(random.next() * 300)}`,
          },
          { timestamp },
        );
      }
      events++;
    }
  }
  return events;
}
