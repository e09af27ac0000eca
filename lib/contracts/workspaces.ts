import { z } from "zod";
import { ZEmail, ZName, ZPassword, ZRole } from "./common.ts";

export const ZSetupRequest = z.object({
  name: ZName.describe("Display name of the owner"),
  email: ZEmail,
  password: ZPassword,
  workspaceName: ZName.describe("Name of the first workspace"),
});
export type SetupRequest = z.infer<typeof ZSetupRequest>;

export const ZCreateWorkspaceRequest = z.object({ name: ZName });

export const ZSwitchWorkspaceRequest = z.object({ workspaceId: z.string().min(1).max(64) });

export const ZCreateApiKeyRequest = z.object({ label: z.string().trim().min(1, "Give the key a label.").max(80) });
export const ZApiKey = z.object({
  id: z.string(),
  label: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ZApiKey>;

export const ZInviteRequest = z.object({ email: ZEmail, role: ZRole });
export const ZAcceptInviteRequest = z.object({
  token: z.string().min(10).max(200),
  name: ZName.optional(),
  password: ZPassword.optional(),
});
export const ZUpdateMemberRequest = z.object({ role: ZRole });
export const ZRedactionRequest = z.object({
  keys: z.array(z.string().trim().min(1).max(100)).max(200),
});

export type Member = { userId: string; name: string; email: string; role: z.infer<typeof ZRole>; createdAt: string };
export type Invitation = {
  id: string;
  email: string;
  role: z.infer<typeof ZRole>;
  expiresAt: string;
  createdAt: string;
};
export type WorkspaceSummary = { id: string; name: string; slug: string; role: z.infer<typeof ZRole> };
export type Me = {
  user: { id: string; name: string; email: string };
  workspace: WorkspaceSummary;
  workspaces: WorkspaceSummary[];
};
