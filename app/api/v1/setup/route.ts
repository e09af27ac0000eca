import { getAuth } from "@/lib/auth/better-auth";
import { ZSetupRequest } from "@/lib/contracts/workspaces";
import { getDb } from "@/lib/db";
import { secureCookies } from "@/lib/http/edge";
import { assertSameOrigin } from "@/lib/http/guards";
import { otherMethods } from "@/lib/http/methods";
import { handle, json, readJson } from "@/lib/http/respond";
import { setupFirstOwner } from "@/lib/workspaces/service";
import { countUsers } from "@/lib/workspaces/users";

export const dynamic = "force-dynamic";

/** Whether first-run setup is still open (no user exists). */
export const GET = handle(async () => json({ needsSetup: (await countUsers(await getDb())) === 0 }));

/** Creates the owner and the first workspace, then signs the owner in. */
export const POST = handle(async (req: Request) => {
  assertSameOrigin(req);
  const input = await readJson(req, ZSetupRequest);
  await setupFirstOwner(await getDb(), input);
  const auth = await getAuth();
  const signIn = await auth.api.signInEmail({
    body: { email: input.email, password: input.password },
    headers: req.headers,
    asResponse: true,
  });
  const res = json({ ok: true }, 201);
  for (const c of signIn.headers.getSetCookie()) res.headers.append("set-cookie", c);
  return secureCookies(req, res);
});

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET, POST });
