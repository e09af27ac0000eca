import "server-only";
import type { Db } from "../db/index.ts";
import { randomToken } from "./tokens.ts";

/**
 * The session-signing secret: RUNLENS_SECRET when set, otherwise one generated on first start and
 * kept in the database, so every web process of an installation signs sessions the same way.
 */
export async function resolveAuthSecret(db: Db, fromEnv: string | null): Promise<string> {
  if (fromEnv) return fromEnv;
  const generated = randomToken(48);
  await db.prisma.instanceSetting.upsert({
    where: { key: "auth_secret" },
    create: { key: "auth_secret", value: generated },
    update: {},
  });
  const row = await db.prisma.instanceSetting.findUniqueOrThrow({ where: { key: "auth_secret" } });
  return row.value;
}
