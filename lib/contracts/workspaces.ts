import { z } from "zod";
import { ZEmail, ZInstantOut, ZName, ZPassword, ZRole } from "./common.ts";

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
export const ZApiKey = z.strictObject({
  id: z.string(),
  label: z.string(),
  prefix: z.string().describe("The secret's first characters, to tell keys apart"),
  createdAt: ZInstantOut,
  lastUsedAt: ZInstantOut.nullable(),
  revokedAt: ZInstantOut.nullable(),
});
export type ApiKey = z.infer<typeof ZApiKey>;
export const ZApiKeyList = z.strictObject({ apiKeys: z.array(ZApiKey) });
export type ApiKeyList = z.infer<typeof ZApiKeyList>;
/** The new key; `secret` is in this answer only. */
export const ZApiKeyCreated = z.strictObject({ apiKey: ZApiKey, secret: z.string() });
export type ApiKeyCreated = z.infer<typeof ZApiKeyCreated>;

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

export const ZMember = z.strictObject({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: ZRole,
  createdAt: ZInstantOut,
});
export type Member = z.infer<typeof ZMember>;
export const ZMemberList = z.strictObject({
  members: z.array(ZMember),
  me: z.strictObject({ userId: z.string(), role: ZRole }),
});
export type MemberList = z.infer<typeof ZMemberList>;
export const ZMemberRole = z.strictObject({ userId: z.string(), role: ZRole });

export const ZInvitation = z.strictObject({
  id: z.string(),
  email: z.string(),
  role: ZRole,
  expiresAt: ZInstantOut,
  createdAt: ZInstantOut,
});
export type Invitation = z.infer<typeof ZInvitation>;
export const ZInvitationList = z.strictObject({ invitations: z.array(ZInvitation) });
export type InvitationList = z.infer<typeof ZInvitationList>;
/** The new invitation and its one-time link (no email is sent). */
export const ZInvitationCreated = z.strictObject({ invitation: ZInvitation, url: z.string() });
export type InvitationCreated = z.infer<typeof ZInvitationCreated>;

export const ZWorkspaceSummary = z.strictObject({ id: z.string(), name: z.string(), slug: z.string(), role: ZRole });
export type WorkspaceSummary = z.infer<typeof ZWorkspaceSummary>;
export const ZWorkspaceList = z.strictObject({ workspaces: z.array(ZWorkspaceSummary) });
export type WorkspaceList = z.infer<typeof ZWorkspaceList>;
export const ZWorkspaceCreated = z.strictObject({ workspace: ZWorkspaceSummary });
export type WorkspaceCreated = z.infer<typeof ZWorkspaceCreated>;
/** The workspace now active (its cookie is set with this answer). */
export const ZActiveWorkspace = z.strictObject({ workspaceId: z.string() });
export type ActiveWorkspace = z.infer<typeof ZActiveWorkspace>;

export const ZMe = z.strictObject({
  user: z.strictObject({ id: z.string(), name: z.string(), email: z.string() }),
  workspace: ZWorkspaceSummary,
  workspaces: z.array(ZWorkspaceSummary),
});
export type Me = z.infer<typeof ZMe>;

export const ZSetupStatus = z.strictObject({ needsSetup: z.boolean().describe("No user exists yet") });
export const ZSetupDone = z.strictObject({ ok: z.literal(true) });
export type SetupDone = z.infer<typeof ZSetupDone>;

export const ZRedactionKeys = z.strictObject({ keys: z.array(z.string()) });
export type RedactionKeys = z.infer<typeof ZRedactionKeys>;
