import { ZExportQuery } from "@/lib/contracts/reviews";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readQuery } from "@/lib/http/respond";
import { countExportable, trainingExamples } from "@/lib/reviews/export";
import { agentFilter } from "@/lib/reviews/service";

export const dynamic = "force-dynamic";

/** Training examples as JSON, or streamed as JSONL (`format=jsonl`, with x-total-count for progress). */
export const GET = handle(async (req: Request) => {
  const p = await requireReader(req);
  const q = readQuery(req, ZExportQuery);
  const db = await getDb();
  const agentId = await agentFilter(db, p.workspaceId, q.agentId);
  if (q.format === "json") {
    const examples = [];
    for await (const e of trainingExamples(db, p.workspaceId, q, agentId)) examples.push(e);
    return json({ training_examples: examples, count: examples.length });
  }
  const total = await countExportable(db, p.workspaceId, q, agentId);
  const encoder = new TextEncoder();
  const iterator = trainingExamples(db, p.workspaceId, q, agentId);
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="runlens-training-${new Date().toISOString().slice(0, 10)}.jsonl"`,
      "x-total-count": String(total),
    },
  });
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
