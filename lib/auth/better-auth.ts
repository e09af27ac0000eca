import "server-only";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { readConfig } from "../config.ts";
import { type Db, getDb } from "../db/index.ts";
import { ApiError } from "../errors.ts";
import { assertSameOrigin, publicOrigin, requestEdge, secureCookies } from "../http/edge.ts";
import { apiErrorResponse, readBodyBytes } from "../http/respond.ts";
import { logger } from "../log.ts";
import { processGlobal } from "../process-global.ts";
import { resolveAuthSecret } from "./secret.ts";
import { hashSessionTokens } from "./session-tokens.ts";

export const MIN_PASSWORD_LENGTH = 10;

const authLog = logger("auth");

/**
 * better-auth does email/password login: scrypt-hashed passwords, httpOnly session cookies,
 * Origin checks on mutations, rate-limited sign-in, and the same answer for an unknown email as
 * for a wrong password. Sign-up is closed: accounts come from first-run setup, invitations and
 * the admin CLI (lib/workspaces/users.ts).
 */
export async function createAuth(db: Db) {
  const config = readConfig();
  const secret = await resolveAuthSecret(db, config.secret);
  const secure = config.publicUrl?.startsWith("https://") ?? false;
  return betterAuth({
    appName: "Runlens",
    secret,
    // Unset: better-auth takes each request's own origin, which handleAuthRequest sets (never a wildcard).
    baseURL: config.publicUrl ?? undefined,
    database: hashSessionTokens(prismaAdapter(db.prisma, { provider: "postgresql" })),
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: 256,
    },
    session: { expiresIn: 60 * 60 * 24 * 14, updateAge: 60 * 60 * 24 },
    // Session tokens are stored hashed (session-tokens.ts): listing sessions would show hashes, and
    // revoking one by such a value could not find it. The portal uses none of these.
    disabledPaths: ["/list-sessions", "/revoke-session", "/revoke-other-sessions"],
    rateLimit: {
      enabled: process.env.RUNLENS_AUTH_RATE_LIMIT !== "off",
      storage: "database",
      window: 60,
      max: 100,
      customRules: { "/sign-in/email": { window: 60, max: 10 } },
    },
    advanced: { cookiePrefix: "runlens", useSecureCookies: secure },
    telemetry: { enabled: false },
    logger: {
      level: process.env.RUNLENS_AUTH_LOG_LEVEL === "error" ? "error" : "warn",
      // better-auth's lines go out as Runlens's own (lib/log.ts): JSON in production, with the request id.
      log: (level, message, ...args) => authLog[level](args.length > 0 ? { args } : {}, message),
    },
  });
}

export type Auth = Awaited<ReturnType<typeof createAuth>>;

type Holder = { auth?: Promise<Auth> };
const holder = processGlobal<Holder>("__runlensAuth", () => ({}));

export function getAuth(): Promise<Auth> {
  holder.auth ??= getDb()
    .then(createAuth)
    .catch((e) => {
      holder.auth = undefined;
      throw e;
    });
  return holder.auth;
}

/** Tests install their own database; the auth instance follows it. */
export function resetAuth(): void {
  holder.auth = undefined;
}

/** The cookies of a new session of this account, for the answer that signs it in (setup, accepting an invitation). */
export async function signInCookies(req: Request, email: string, password: string): Promise<string[]> {
  const auth = await getAuth();
  const signIn = await auth.api.signInEmail({ body: { email, password }, headers: req.headers, asResponse: true });
  return signIn.headers.getSetCookie();
}

/** Auth request bodies are a few fields (email, password, names): the API's default limit. */
const AUTH_MAX_BODY_BYTES = 1_000_000;

/**
 * `/api/auth/*`: a mutation carrying an Origin or a cookie must come from this portal's own origin
 * (RUNLENS_URL, else the request's host as resolved in lib/http/edge.ts); better-auth then sees the
 * request addressed to that origin (its only trusted origin) with the resolved client address as
 * its single X-Forwarded-For (the rate limiter's key; none when unknown, which better-auth keys as
 * one shared bucket). Cookies it sets are `Secure` on https.
 */
export async function handleAuthRequest(req: Request): Promise<Response> {
  try {
    if (req.headers.has("origin") || req.headers.has("cookie")) assertSameOrigin(req);
    const auth = await getAuth();
    return secureCookies(req, await auth.handler(await asSeenByAuth(req)));
  } catch (e) {
    if (e instanceof ApiError) return apiErrorResponse(e);
    throw e;
  }
}

async function asSeenByAuth(req: Request): Promise<Request> {
  const url = new URL(req.url);
  const headers = new Headers(req.headers);
  for (const name of ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "forwarded"]) headers.delete(name);
  const client = requestEdge(req).client;
  if (client) headers.set("x-forwarded-for", client);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(`${publicOrigin(req)}${url.pathname}${url.search}`, {
    method: req.method,
    headers,
    body: hasBody ? Buffer.from(await readBodyBytes(req, AUTH_MAX_BODY_BYTES)) : undefined,
  });
}
