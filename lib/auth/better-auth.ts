import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { readConfig } from "../config.ts";
import { type Db, getDb } from "../db/index.ts";
import { processGlobal } from "../process-global.ts";
import { resolveAuthSecret } from "./secret.ts";

export const MIN_PASSWORD_LENGTH = 10;

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
    baseURL: config.publicUrl ?? { allowedHosts: ["*"], protocol: "http" },
    database: prismaAdapter(db.prisma, { provider: "postgresql" }),
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: 256,
    },
    session: { expiresIn: 60 * 60 * 24 * 14, updateAge: 60 * 60 * 24 },
    rateLimit: {
      enabled: process.env.RUNLENS_AUTH_RATE_LIMIT !== "off",
      storage: "database",
      window: 60,
      max: 100,
      customRules: { "/sign-in/email": { window: 60, max: 10 } },
    },
    advanced: { cookiePrefix: "runlens", useSecureCookies: secure },
    telemetry: { enabled: false },
    logger: { level: process.env.RUNLENS_AUTH_LOG_LEVEL === "error" ? "error" : "warn" },
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
