import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import { adminCreateWorkspace } from "@/lib/workspaces/admin";

/** A workspace with an API key, for tests that call programmatic routes. */
export async function createKeyedWorkspace(db: Db, name = "Test") {
  const apiKey = `rl_test_${randomBytes(16).toString("hex")}`;
  const { workspace } = await adminCreateWorkspace(db, { name, apiKey });
  return { workspaceId: workspace.id, apiKey };
}
