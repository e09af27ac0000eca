import { readGenAi } from "./genai.ts";
import { readIoValues, readOpenInference } from "./openinference.ts";
import { mergeReadings, type Reading, type SpanEvent } from "./reading.ts";
import { readTraceloop } from "./traceloop.ts";
import { type Attrs, isRecord } from "./values.ts";
import { readVercel } from "./vercel.ts";

/**
 * The convention families, in precedence order: when a span carries several, each field (type,
 * name, model, provider, each token count, input, output, tools, each id...) comes from the first
 * family that has it (docs/sources/otlp.md, "Precedence").
 *
 * - OpenInference first: `openinference.span.kind` is an explicit declaration of what the span is,
 *   and OpenInference's processors for other SDKs (e.g. its Vercel AI SDK processor) add it on top
 *   of their attributes, having already reconciled them.
 * - The Vercel AI SDK next: its spans also carry a few `gen_ai.*` attributes (model, usage), but its
 *   own `ai.*` ones are complete (messages, tool calls, the user's function id).
 * - OpenTelemetry GenAI: the common denominator many SDKs add beside their own.
 * - OpenLLMetry / Traceloop: its entity attributes sit on spans that carry no other family; its
 *   LLM spans are read through GenAI (older indexed attributes).
 * - `input.value` / `output.value` last: generic values any span may carry.
 */
const FAMILIES: { name: string; read: (attrs: Attrs, events: SpanEvent[]) => Reading }[] = [
  { name: "openinference", read: readOpenInference },
  { name: "vercel-ai", read: readVercel },
  { name: "gen_ai", read: readGenAi },
  { name: "traceloop", read: readTraceloop },
  { name: "io-values", read: readIoValues },
];

/** Whether a reading holds anything beyond its payload keys (an empty usage or context is nothing). */
function readSomething(r: Reading): boolean {
  for (const k in r) {
    const v = r[k as keyof Reading];
    if (k !== "payloadKeys" && !(isRecord(v) && Object.keys(v).length === 0)) return true;
  }
  return false;
}

export type Conventions = { reading: Reading; families: string[]; problems: string[] };

/**
 * Reads every family and merges them. A family that fails on attributes it did not expect (it
 * should not: each reads defensively) is skipped and named in `problems`; the span is stored with
 * what the others read.
 */
export function readConventions(attrs: Attrs, events: SpanEvent[]): Conventions {
  const readings: Reading[] = [];
  const families: string[] = [];
  const problems: string[] = [];
  for (const family of FAMILIES) {
    try {
      const r = family.read(attrs, events);
      readings.push(r);
      if (readSomething(r)) families.push(family.name);
    } catch (e) {
      problems.push(`${family.name}: ${(e as Error).message}`);
    }
  }
  return { reading: mergeReadings(readings), families, problems };
}
