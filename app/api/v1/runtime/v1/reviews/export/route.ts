import { TRAINING_JSONL_TYPE, ZExportQuery, ZTrainingExport } from "@/lib/contracts/reviews";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { route } from "@/lib/http/route";
import { exportTraining } from "@/lib/reviews/export";

export const dynamic = "force-dynamic";

/** Training examples as JSON, or streamed as JSONL (`format=jsonl`, with x-total-count for progress). */
export const GET = route({
  auth: "reader",
  query: ZExportQuery,
  response: { json: ZTrainingExport, raw: [TRAINING_JSONL_TYPE] },
  handler: async ({ principal, query }) => {
    const out = await exportTraining(await getDb(), principal.workspaceId, query);
    if (!("lines" in out)) return out;
    return new Response(out.lines, {
      headers: {
        "content-type": `${TRAINING_JSONL_TYPE}; charset=utf-8`,
        "content-disposition": `attachment; filename="runlens-training-${new Date().toISOString().slice(0, 10)}.jsonl"`,
        "x-total-count": String(out.total),
      },
    });
  },
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
