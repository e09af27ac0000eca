import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/client/api";

/**
 * Query keys of executions and what hangs off them, one factory so a key always names one shape:
 * invalidating `lists()` refreshes every list, `detail(id)` one execution's page.
 */
export const executionKeys = {
  all: ["executions"] as const,
  lists: () => [...executionKeys.all, "list"] as const,
  list: (filters: object) => [...executionKeys.lists(), filters] as const,
  detail: (id: string) => [...executionKeys.all, "detail", id] as const,
  chain: (id: string) => [...executionKeys.all, "chain", id] as const,
  messages: (id: string) => [...executionKeys.all, "messages", id] as const,
  span: (executionId: string, spanId: string) => [...executionKeys.all, "span", executionId, spanId] as const,
};

export const agentKeys = { all: ["agents"] as const };

/** The workspace's agents, for pickers. */
export function useAgents() {
  return useQuery({ queryKey: agentKeys.all, queryFn: () => api.request("GET /api/v1/agents") });
}

/** One span with its payloads (the panel of the trace view and of a chat bubble). */
export function useSpan(executionId: string, spanId: string | null) {
  return useQuery({
    queryKey: executionKeys.span(executionId, spanId ?? ""),
    queryFn: () =>
      api.request("GET /api/v1/observability/executions/[id]/spans/[spanId]", {
        params: { id: executionId, spanId: spanId ?? "" },
      }),
    enabled: !!spanId,
  });
}

/** An execution's conversation messages (its chat view, a review's transcript). */
export function useExecutionMessages(executionId: string | null | undefined, enabled = true) {
  return useQuery({
    queryKey: executionKeys.messages(executionId ?? ""),
    queryFn: () =>
      api.request("GET /api/v1/observability/executions/[id]/messages", { params: { id: executionId ?? "" } }),
    enabled: enabled && !!executionId,
  });
}
