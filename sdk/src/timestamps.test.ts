import { describe, expect, it } from "vitest";
import type { TrackEventInput } from "../../lib/contracts/ingest.ts";
import type { Trace } from "./config.ts";
import { traceLLM } from "./llm.ts";
import { Runlens } from "./observability.ts";

/** A client whose requests are answered 207 in process, keeping what it sent. */
function recordingClient(clock?: () => number | Date) {
  const traces: Trace[] = [];
  const events: TrackEventInput[] = [];
  const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body));
    const items: { id?: string }[] = body.traces ?? body.events;
    if (body.traces) traces.push(...body.traces);
    else events.push(...body.events);
    const results = items.map((i) => ({ id: i.id ?? null, status: 201 }));
    return Response.json({ accepted: items.length, rejected: 0, results }, { status: 207 });
  }) as typeof globalThis.fetch;
  const client = new Runlens({ apiUrl: "http://runlens.test", apiKey: "k", fetch, warnings: false, clock });
  /** The last version of each trace (a span is sent when it starts and again when it ends). */
  const final = () => new Map(traces.map((t) => [t.id, t]));
  return { client, final, events };
}

const T0 = Date.parse("2026-01-15T10:30:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

describe("the clock option", () => {
  it("stamps executions, spans, logs, messages, LLM calls and events with its readings", async () => {
    let now = T0;
    const { client, final, events } = recordingClient(() => now);
    const exec = client.startExecution({ name: "replay" });
    now += 40;
    client.message({ role: "user", content: "Where is my order?" });
    now += 10;
    const tool = client.startSpan("lookup_order", { type: "tool_call" });
    now += 180;
    client.log("cache_miss");
    now += 20;
    tool.end({ output: { status: "shipped" } });
    now += 15;
    await traceLLM({ model: "gpt-4o-mini", client }, async () => {
      now += 950;
      return { text: "It shipped yesterday." };
    });
    now += 5;
    client.track("ticket_resolved", { answered: true });
    now += 5;
    await exec.end();
    await client.flush();

    const byName = (name: string) => [...final().values()].find((t) => t.name === name)!;
    expect(byName("replay")).toMatchObject({ startedAt: iso(T0), endedAt: iso(T0 + 1225), status: "success" });
    expect(byName("user")).toMatchObject({ startedAt: iso(T0 + 40), endedAt: iso(T0 + 40) });
    expect(byName("lookup_order")).toMatchObject({ startedAt: iso(T0 + 50), endedAt: iso(T0 + 250) });
    expect(byName("cache_miss").startedAt).toBe(iso(T0 + 230));
    expect(byName("gpt-4o-mini")).toMatchObject({ startedAt: iso(T0 + 265), endedAt: iso(T0 + 1215) });
    expect(events[0].timestamp).toBe(iso(T0 + 1220));
  });

  it("keeps stamps strictly increasing while it stands still, and follows it when set back", async () => {
    let now: number | Date = T0;
    const { client, final } = recordingClient(() => now);
    const first = client.startExecution({ name: "first" });
    const a = client.log("a");
    const b = client.log("b");
    await first.end();
    now = new Date(T0 - 86_400_000); // the next replayed run happened a day earlier
    const second = client.startExecution({ name: "second" });
    await second.end();

    const stamps = final();
    expect([stamps.get(a)!.startedAt, stamps.get(b)!.startedAt]).toEqual([iso(T0 + 1), iso(T0 + 2)]);
    expect(stamps.get(first.id)).toMatchObject({ startedAt: iso(T0), endedAt: iso(T0 + 3) });
    expect(stamps.get(second.id)).toMatchObject({ startedAt: iso(T0 - 86_400_000), endedAt: iso(T0 - 86_399_999) });
  });

  it("is the system clock when not given", async () => {
    const { client, final } = recordingClient();
    const before = Date.now();
    const exec = client.startExecution({ name: "live" });
    await exec.end();
    const { startedAt, endedAt } = final().get(exec.id)!;
    expect(Date.parse(startedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(endedAt!)).toBeGreaterThan(Date.parse(startedAt));
    expect(Date.parse(endedAt!)).toBeLessThanOrEqual(Date.now() + 1000);
  });
});
