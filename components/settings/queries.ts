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
};

/** Settings › Data: retention, budgets and usage (also read by the storage banner of every page). */
export function useDataSettings() {
  return useQuery({
    queryKey: settingsKeys.data,
    queryFn: () => api.request("GET /api/v1/settings/data"),
    // Usage is an estimate that moves slowly; the banner should not recompute it on every page.
    staleTime: 5 * 60_000,
  });
}

/** The workspace's members (Settings › Members, a review's assignee picker). */
export function useMembers() {
  return useQuery({ queryKey: settingsKeys.members, queryFn: () => api.request("GET /api/v1/members") });
}
