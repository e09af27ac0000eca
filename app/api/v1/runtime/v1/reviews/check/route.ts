import { z } from "zod";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readQuery } from "@/lib/http/respond";
import { checkReview } from "@/lib/reviews/service";

export const dynamic = "force-dynamic";

const ZCheck = z.object({ executionId: z.string().min(1).max(128) });

export const GET = handle(async (req: Request) => {
  const p = await requireReader(req);
  const { executionId } = readQuery(req, ZCheck);
  return json(await checkReview(await getDb(), p.workspaceId, executionId));
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
