// One client process of `npm run bench:ingest -- --traffic sdk` (bench/ingest.ts starts several with
// an IPC channel): executions of exactly 35 spans through the real, built `@runlens/sdk` with its
// default batching and flushing. Root, step, tool and reply spans are sent when they start and
// again when they end (45 records an execution, fewer when the SDK holds a start until its end,
// sendRunningAfterMs: with virtual durations every start is); LLM calls go through traceLLM, HTTP calls through
// emitTrace, plus logs and conversation messages. Durations are virtual: the SDK's `clock` reads a
// timeline per lane (lib/demo/timeline.ts, as the sample data does), so nothing sleeps and the
// process sends as fast as the portal answers. Protocol: "ready" -> parent "go" -> "done".
import { Runlens, type RunlensDeliveryError } from "@runlens/sdk";
import { type ChatMessage, type Demo, httpCall, llmCall, type ModelName, toolCall, work } from "../lib/demo/calls.ts";
import { seededRandom, Timeline, Timelines } from "../lib/demo/timeline.ts";

const url = process.env.BENCH_URL!;
const apiKey = process.env.BENCH_API_KEY!;
const child = Number(process.env.BENCH_CHILD ?? 0);
const executions = Number(process.env.BENCH_EXECUTIONS ?? 0);
const lanes = Number(process.env.BENCH_LANES ?? 16);

const WORDS =
  "order refund customer shipping invoice payment delivery account support ticket warehouse tracking billing plan upgrade subscription renewal discount coupon question summary document search weather booking flight hotel meeting calendar reminder email reply escalate priority".split(
    " ",
  );
const AGENTS = ["support-agent", "billing-agent", "sales-assistant", "ops-workflow", "research-agent"];
const MODEL_NAMES: ModelName[] = ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5", "claude-haiku-4-5"];
const TOOLS = ["search_orders", "lookup_customer", "create_ticket", "send_email", "get_weather", "calculator"];
const STEP_TYPES = ["function", "agent", "connector", "condition"];

/** One execution: root + user message + log, 4 steps of 7 spans, and a reply span with 3 = 35 spans. */
async function execution(demo: Demo, n: number): Promise<void> {
  const { client, random: r } = demo;
  const text = (chars: number) => {
    let s = "";
    while (s.length < chars) s += (s ? " " : "") + r.pick(WORDS);
    return s;
  };
  const agent = r.pick(AGENTS);
  const model = r.pick(MODEL_NAMES);
  const system: ChatMessage = { role: "system", content: text(160) };
  const user = text(220);
  const exec = client.startExecution({
    name: `${agent} turn`,
    type: "agent_execution",
    agent,
    threadId: `th_${child}_${r.int(1, 400)}`,
    sessionId: `sess_${child}_${n}`,
    companyId: `co_${r.int(1, 40)}`,
    input: { message: user, channel: r.pick(["web", "whatsapp", "email"]) },
    metadata: {
      env: "production",
      version: `1.${r.int(0, 9)}.${r.int(0, 20)}`,
      region: r.pick(["us-east", "eu-west"]),
    },
  });
  await work(demo, 20, 80);
  client.message({ role: "user", content: user });
  client.log("history loaded", { input: { turns: r.int(0, 12) }, output: { summary: text(200) } });
  const messages: ChatMessage[] = [system, { role: "user", content: user }];
  for (let step = 0; step < 4; step++) {
    const span = client.startSpan(`step ${step}`, {
      type: "workflow_step",
      stepType: r.pick(STEP_TYPES),
      input: { step, state: text(200) },
    });
    const tool = r.pick(TOOLS);
    const args = { query: text(120), limit: r.int(1, 50) };
    await llmCall(demo, {
      model,
      promptName: `${agent}/plan`,
      messages,
      reply: [{ id: `call_${n}_${step}`, name: tool, args }],
    });
    const result = await toolCall(demo, tool, args, async () => {
      await work(demo, 20, 80);
      const response = await httpCall(demo, {
        method: r.pick(["GET", "POST"] as const),
        url: `https://api.example.com/v1/${tool}/${r.int(1, 99_999)}`,
        status: 200,
        ms: [20, 80],
        response: { items: [text(150), text(150)] },
      });
      client.log("tool result", { output: { count: 2, note: text(160) } });
      return response;
    });
    const answer = text(240);
    await llmCall(demo, { model, promptName: `${agent}/answer`, messages, reply: answer });
    client.log("step done", { output: { step, chars: answer.length } });
    span.end({ output: { step: step + 1, result } });
  }
  const reply = client.startSpan("reply", { type: "custom_event", input: { channel: "web" } });
  const final = text(300);
  await llmCall(demo, { model, promptName: `${agent}/reply`, messages, reply: final });
  client.message({ role: "assistant", content: final });
  client.log("reply sent", { output: { chars: final.length } });
  reply.end({ output: { sent: true } });
  await exec.end({ output: { answer: final, confidence: Math.round(r.next() * 100) / 100 } });
}

async function run(): Promise<void> {
  const latencies: number[] = [];
  const timedFetch: typeof fetch = async (input, init) => {
    const s = performance.now();
    try {
      return await fetch(input, init); // until the answer's headers: the server has handled the batch
    } finally {
      latencies.push(performance.now() - s);
    }
  };
  const problems: string[] = [];
  let timeouts = 0;
  const timelines = new Timelines();
  const client = new Runlens({
    apiUrl: url,
    apiKey,
    warnings: false,
    fetch: timedFetch,
    clock: timelines.now,
    // BENCH_SDK_RUNNING_AFTER_MS=0: every start sent at once, as the SDK did before it held them.
    ...(process.env.BENCH_SDK_RUNNING_AFTER_MS
      ? { sendRunningAfterMs: Number(process.env.BENCH_SDK_RUNNING_AFTER_MS) }
      : {}),
    // BENCH_SDK_MAX_BATCH=200: requests of at most 200 traces, as the SDK sent before maxBatchTraces.
    ...(process.env.BENCH_SDK_MAX_BATCH ? { maxBatchTraces: Number(process.env.BENCH_SDK_MAX_BATCH) } : {}),
    onError: (e: RunlensDeliveryError) => {
      if (e.kind === "timeout") timeouts++;
      else if (problems.length < 10) problems.push(`${e.kind}: ${e.message}`);
    },
  });
  let next = 0;
  const startMs = Date.now() - 6 * 3_600_000;
  const lane = async (k: number) => {
    const time = new Timeline(startMs + k * 137_000);
    const random = seededRandom(1 + child * 1000 + k);
    await timelines.play(time, async () => {
      for (;;) {
        const n = next++;
        if (n >= executions) return;
        await execution({ client, time, random }, n);
        await time.sleep(random.between(1_000, 20_000)); // the next customer
      }
    });
  };
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: lanes }, (_, k) => lane(k)));
  // Until everything is sent: a flush that hit flushTimeoutMs leaves records sending in the background.
  for (;;) {
    const before = timeouts;
    await client.flush();
    if (timeouts === before && client.stats().tracesPending === 0) break;
  }
  const stats = client.stats();
  const cpu = process.cpuUsage(cpu0);
  send({
    t: "done",
    executions,
    stats,
    problems,
    timeouts,
    latencies,
    cpuS: (cpu.user + cpu.system) / 1e6,
  });
}

const send = (m: unknown) => new Promise<void>((r) => process.send!(m, () => r()));
process.on("disconnect", () => process.exit(3)); // the parent is gone
process.on("message", (m: { t?: string }) => {
  if (m?.t !== "go") return;
  run().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
});
void send({ t: "ready" });
