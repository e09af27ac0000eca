import { signInCookies } from "@/lib/auth/better-auth";
import { ZSetupDone, ZSetupRequest, ZSetupStatus } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { otherMethods } from "@/lib/http/methods";
import { reply, route } from "@/lib/http/route";
import { setupFirstOwner } from "@/lib/workspaces/service";
import { countUsers } from "@/lib/workspaces/users";

export const dynamic = "force-dynamic";

/** Whether first-run setup is still open (no user exists). */
export const GET = route({
  auth: "public",
  response: ZSetupStatus,
  handler: async () => ({ needsSetup: (await countUsers(await getDb())) === 0 }),
});

/** Creates the owner and the first workspace, then signs the owner in. */
export const POST = route({
  auth: "public",
  body: ZSetupRequest,
  status: 201,
  response: ZSetupDone,
  handler: async ({ req, body }) => {
    await setupFirstOwner(await getDb(), body);
    return reply({ ok: true as const }, { cookies: await signInCookies(req, body.email, body.password) });
  },
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
