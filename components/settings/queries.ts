import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/client/api";

/** Query keys of Settings, one factory so a key always names one shape. */
export const settingsKeys = {
  members: ["settings", "members"] as const,
  invitations: ["settings", "invitations"] as const,
  apiKeys: ["settings", "api-keys"] as const,
  ingestion: ["settings", "ingestion"] as const,
  redaction: ["settings", "redaction"] as const,
  models: ["settings", "models"] as const,
};

/** The workspace's members (Settings › Members, a review's assignee picker). */
export function useMembers() {
  return useQuery({ queryKey: settingsKeys.members, queryFn: () => api.request("GET /api/v1/members") });
}
