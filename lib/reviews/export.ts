import "server-only";
import type { ExportQuery, TrainingExample, TrainingExport } from "../contracts/reviews.ts";
import type { Db } from "../db/index.ts";
import { readFrom } from "../db/replicas.ts";
import { buildMessages } from "../messages/text.ts";
import { agentFilter } from "./service.ts";

/**
 * Fine-tuning export (OpenAI chat format), one example per review: the execution's conversation
 * (conversation_message traces, else its root input and output), with the final assistant turn
 * replaced by the corrected output when there is one.
 */

type Filter = { agentId?: string; status: string; rating?: string };
const BATCH = 200;

async function countExportable(
  db: Db,
  workspaceId: string,
  f: Filter,
  agentId: string | null | undefined,
): Promise<number> {
  if (agentId === null) return 0;
  return db.prisma.review.count({
    where: {
      workspaceId,
      status: f.status as never,
      ...(f.rating ? { rating: f.rating as never } : {}),
      ...(agentId ? { agentId } : {}),
    },
  });
}

async function* trainingExamples(
  db: Db,
  workspaceId: string,
  f: Filter,
  agentId: string | null | undefined,
): AsyncGenerator<TrainingExample> {
  if (agentId === null) return;
  const where = {
    workspaceId,
    status: f.status as never,
    ...(f.rating ? { rating: f.rating as never } : {}),
    ...(agentId ? { agentId } : {}),
  };
  let cursor: string | undefined;
  for (;;) {
    const reviews = await db.prisma.review.findMany({
      where,
      orderBy: { id: "asc" },
      take: BATCH,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
    });
    if (reviews.length === 0) return;
    const executionIds = reviews.map((r) => r.executionId);
    const spans = await db.prisma.span.findMany({
      where: {
        workspaceId,
        executionId: { in: executionIds },
        OR: [{ type: "conversation_message" }, { parentId: null }],
      },
      select: {
        executionId: true,
        type: true,
        parentId: true,
        message: true,
        input: true,
        output: true,
        startedAt: true,
        id: true,
      },
      orderBy: [{ startedAt: "asc" }, { id: "asc" }],
    });
    for (const r of reviews) {
      const mine = spans.filter((s) => s.executionId === r.executionId);
      const conversation = mine
        .filter((s) => s.type === "conversation_message" && s.message)
        .map((s) => s.message as { role: string; content: unknown });
      const root = mine.find((s) => s.parentId === null && s.type !== "conversation_message") ?? null;
      yield {
        messages: buildMessages(conversation, root, r.correctedOutput),
        metadata: {
          review_id: r.id,
          execution_id: r.executionId,
          rating: r.rating,
          was_corrected: r.correctedOutput !== null,
        },
      };
    }
    cursor = reviews.at(-1)!.id;
  }
}

/** JSONL: one training example a line, and how many there are (for a progress bar). */
export type TrainingStream = { lines: ReadableStream<Uint8Array>; total: number };

/**
 * The export: every example in one JSON answer, or (format=jsonl) streamed a line each as it is
 * read. On a read replica when there is one (lib/db/replicas.ts); a stream keeps reading the server
 * its count was read from (a failure there mid-stream ends it, as one of the primary would).
 */
export function exportTraining(db: Db, workspaceId: string, q: ExportQuery): Promise<TrainingExport | TrainingStream> {
  return readFrom(db, workspaceId, (db) => exportOn(db, workspaceId, q));
}

async function exportOn(db: Db, workspaceId: string, q: ExportQuery): Promise<TrainingExport | TrainingStream> {
  const agentId = await agentFilter(db, workspaceId, q.agentId);
  if (q.format === "json") {
    const examples = [];
    for await (const e of trainingExamples(db, workspaceId, q, agentId)) examples.push(e);
    return { training_examples: examples, count: examples.length };
  }
  const total = await countExportable(db, workspaceId, q, agentId);
  const encoder = new TextEncoder();
  const iterator = trainingExamples(db, workspaceId, q, agentId);
  const lines = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
  return { lines, total };
}
