import "server-only";
import { randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import type { Prisma } from "../db/generated/client.ts";
import type { Db } from "../db/index.ts";
import { ConflictError } from "../errors.ts";

type Tx = Prisma.TransactionClient;

/** Creates a user with an email/password credential in better-auth's tables. */
export async function createUserWithPassword(
  tx: Tx,
  input: { email: string; name: string; password: string },
): Promise<{ id: string }> {
  const email = input.email.trim().toLowerCase();
  if (await tx.user.findUnique({ where: { email }, select: { id: true } })) {
    throw new ConflictError("user_exists", "An account with this email already exists.");
  }
  const id = randomUUID();
  await tx.user.create({ data: { id, email, name: input.name, emailVerified: false } });
  await tx.account.create({
    data: {
      id: randomUUID(),
      accountId: id,
      providerId: "credential",
      userId: id,
      password: await hashPassword(input.password),
    },
  });
  return { id };
}

export async function countUsers(db: Db): Promise<number> {
  return db.prisma.user.count();
}

/** Sets a new password and ends every session of that user. Returns false for an unknown email. */
export async function resetPassword(db: Db, email: string, password: string): Promise<boolean> {
  const user = await db.prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user) return false;
  const hash = await hashPassword(password);
  await db.prisma.$transaction(async (tx) => {
    const updated = await tx.account.updateMany({
      where: { userId: user.id, providerId: "credential" },
      data: { password: hash },
    });
    if (updated.count === 0) {
      await tx.account.create({
        data: { id: randomUUID(), accountId: user.id, providerId: "credential", userId: user.id, password: hash },
      });
    }
    await tx.session.deleteMany({ where: { userId: user.id } });
  });
  return true;
}
