import { ZLayoutRequest } from "@/lib/contracts/metrics";
import { getDb } from "@/lib/db";
import { requireReader } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";
import { saveLayout } from "@/lib/metrics/cards";

export const dynamic = "force-dynamic";

export const PUT = handle(async (req: Request) => {
  const p = await requireReader(req, "metrics.edit");
  const input = await readJson(req, ZLayoutRequest);
  return json({ cards: await saveLayout(await getDb(), p.workspaceId, input) });
});

export const { OPTIONS, GET, HEAD, POST, PATCH, DELETE } = otherMethods({ PUT });
