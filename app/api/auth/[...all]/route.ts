import { handleAuthRequest } from "@/lib/auth/better-auth";
import { otherMethods } from "@/lib/http/methods";

export const dynamic = "force-dynamic";

export { handleAuthRequest as GET, handleAuthRequest as POST };

export const { OPTIONS, PUT, PATCH, DELETE } = otherMethods({ GET: handleAuthRequest, POST: handleAuthRequest });
