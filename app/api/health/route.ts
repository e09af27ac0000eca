import { ZHealth } from "@/lib/contracts/health";
import { otherMethods } from "@/lib/http/methods";
import { reply, route } from "@/lib/http/route";
import { checkHealth } from "@/lib/server/health";

export const dynamic = "force-dynamic";

/** 200 when the database (and Redis, when configured) answer, else 503 with the same body. */
export const GET = route({
  auth: "public",
  headers: { "cache-control": "no-store" },
  response: ZHealth,
  handler: async () => {
    const health = await checkHealth();
    return reply(health, { status: health.status === "ok" ? 200 : 503 });
  },
});

export const { OPTIONS, POST, PUT, PATCH, DELETE } = otherMethods({ GET });
