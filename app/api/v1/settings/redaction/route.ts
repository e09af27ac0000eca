import { ZRedactionRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { requireMember } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";
import { setRedactionKeys } from "@/lib/workspaces/service";

export const dynamic = "force-dynamic";

export const GET = handle(async (req: Request) => {
  const me = await requireMember(req);
  const db = await getDb();
  const ws = await db.prisma.workspace.findUniqueOrThrow({ where: { id: me.workspaceId } });
  return json({ keys: ws.redactionKeys });
});

export const PUT = handle(async (req: Request) => {
  const me = await requireMember(req, "workspace.manage");
  const { keys } = await readJson(req, ZRedactionRequest);
  return json({ keys: await setRedactionKeys(await getDb(), me.workspaceId, keys) });
});

export const { OPTIONS, POST, PATCH, DELETE } = otherMethods({ GET, PUT });
