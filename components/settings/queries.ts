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
  data: ["settings", "data"] as const,
  dataFresh: ["settings", "data", "fresh"] as const,
};

/**
 * Settings › Data: retention, budgets and usage. The page asks for usage computed now (`fresh`);
 * the storage banner of every page takes the server's figure of the last minute and keeps it five.
 */
export function useDataSettings({ fresh }: { fresh: boolean }) {
  return useQuery({
    queryKey: fresh ? settingsKeys.dataFresh : settingsKeys.data,
    queryFn: () => api.request("GET /api/v1/settings/data", { query: { usage: fresh ? "fresh" : "cached" } }),
    staleTime: fresh ? 0 : 5 * 60_000,
  });
}

/** The workspace's members (Settings › Members, a review's assignee picker). */
export function useMembers() {
  return useQuery({ queryKey: settingsKeys.members, queryFn: () => api.request("GET /api/v1/members") });
}
