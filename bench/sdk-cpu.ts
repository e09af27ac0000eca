// `npx tsx bench/sdk-cpu.ts [--executions N] [--rounds N]`: the SDK's own CPU per record, in one
// process, no server: executions shaped like bench:ingest's SDK traffic (a root, a log, and four
// steps each with an LLM call through traceLLM, a tool call through emitTrace and a log), sent by the
// real transport to a fetch that answers 200 at once. Prints CPU µs per record sent; what the
// `--traffic sdk` clients spend beyond it is the bench's own (virtual timelines, generated content).
import { parseArgs } from "node:util";
import { Runlens, traceLLM } from "../sdk/src/index.ts";

const { values: args } = parseArgs({ options: { executions: { type: "string" }, rounds: { type: "string" } } });
const EXECUTIONS = Number(args.executions ?? 5000);
const ROUNDS = Number(args.rounds ?? 3);
const text = (n: number, seed: number) =>
  `order ${seed} refund customer shipping `.repeat(Math.ceil(n / 40)).slice(0, n);

let records = 0;
let bytes = 0;
const fetchStub: typeof fetch = async (_url, init) => {
  const body = String(init?.body ?? "");
  bytes += body.length;
  return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
};

async function round(): Promise<{ cpuUs: number; records: number }> {
  const client = new Runlens({ apiUrl: "http://stub", apiKey: "rl_stub", fetch: fetchStub, warnings: false });
  const before = client.stats().tracesDelivered;
  const cpu0 = process.cpuUsage();
  const lanes = Array.from({ length: 16 }, async (_, lane) => {
    for (let i = lane; i < EXECUTIONS; i += 16) {
      const exec = client.startExecution({ name: `support turn ${i}`, input: { message: text(220, i) } });
      exec.log("received", { chars: 220 });
      for (let k = 0; k < 4; k++) {
        const step = client.startSpan(`step ${k}`, { input: { k }, stepType: "function" });
        await traceLLM(
          { client, model: "gpt-4o-mini", provider: "openai", input: [{ role: "user", content: text(300, i + k) }] },
          async () => ({
            choices: [{ message: { content: text(200, k) } }],
            usage: { prompt_tokens: 90, completion_tokens: 40, total_tokens: 130 },
          }),
        );
        client.emitTrace({
          id: `${i}-${k}-tool`,
          executionId: exec.id,
          parentId: step.traceId,
          type: "tool_call",
          name: "search_orders",
          startedAt: client.timestamp(),
          endedAt: client.timestamp(),
          status: "success",
          input: { q: text(40, k) },
          output: { hits: k },
          agent: "default",
        } as never);
        client.log("step done", { k });
        step.end({ output: { ok: true } });
      }
      await exec.end({ output: { answer: text(200, i) } });
    }
  });
  await Promise.all(lanes);
  await client.flush();
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: cpu.user + cpu.system, records: client.stats().tracesDelivered - before };
}

for (let r = 0; r < ROUNDS; r++) {
  const { cpuUs, records: n } = await round();
  records += n;
  console.log(
    `round ${r + 1}: ${n} records, ${(cpuUs / n).toFixed(1)} µs CPU a record, ${(bytes / records).toFixed(0)} bytes a record`,
  );
}
