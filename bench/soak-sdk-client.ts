// One SDK load process of the soak (bench/soak.ts starts it with an IPC channel): executions with
// spans through the real SDK (each span sent when it starts and again when it ends) and events
// through track(), until the parent says stop. Every request goes through a fetch wrapper that
// reports each item's send and acknowledgement to the parent.
import { Runlens } from "../sdk/src/index.ts";
import { type AttemptRow, type StatusCounts, sendAndRecord, toRow } from "./soak-ledger.ts";

const url = process.env.SOAK_URL!;
const apiKey = process.env.SOAK_API_KEY!;
const name = process.env.SOAK_CHILD ?? "sdk";
const send = (m: unknown) => process.send?.(m);

let rows: AttemptRow[] = [];
const statuses: StatusCounts = {};
const trackingFetch: typeof fetch = (input, init) =>
  sendAndRecord(globalThis.fetch, String(input), init ?? {}, (a) => rows.push(toRow(a)), statuses);

function report() {
  if (rows.length === 0) return;
  send({ t: "attempts", rows });
  rows = [];
}

let stopping = false;
process.on("message", (m: { t?: string }) => {
  if (m?.t === "stop") stopping = true;
});
// The parent is gone (killed): stop too.
let finished = false;
process.on("disconnect", () => finished || process.exit(3));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CATEGORIES = ["books", "toys", "food"];

async function main() {
  const client = new Runlens({ apiUrl: url, apiKey, agent: `soak-${name}`, warnings: false, fetch: trackingFetch });
  const timer = setInterval(report, 1000);
  let executions = 0;
  for (let n = 0; !stopping; n++) {
    const exec = client.startExecution({
      name: "soak run",
      type: "agent_execution",
      executionId: `${name}-e${n}`,
      input: { n },
    });
    for (let j = 0; j < 3 && !stopping; j++) {
      const span = client.startSpan(`step ${j}`, { input: { j }, type: "tool_call" });
      await sleep(20 + Math.floor(Math.random() * 150));
      span.end({ output: { v: 2 } });
      client.track("soak_sdk_event", { v: 1, amount: j + 1, category: CATEGORIES[j], ok: j !== 1 });
    }
    await exec.end({ output: { v: 2 } });
    executions++;
    await sleep(50);
  }
  await client.flush();
  clearInterval(timer);
  report();
  finished = true;
  await new Promise((r) => process.send?.({ t: "done", executions, statuses, stats: client.stats() }, r));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    report();
    process.exit(1);
  },
);
