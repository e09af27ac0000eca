import { otherMethods } from "@/lib/http/methods";
import { checkHealth } from "@/lib/server/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const health = await checkHealth();
  return Response.json(health, {
    status: health.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
