/** Query keys of reviews, one factory so a key always names one shape; `all` marks every one stale. */
export const reviewKeys = {
  all: ["reviews"] as const,
  queue: (filters: object) => [...reviewKeys.all, "queue", filters] as const,
  queueIds: (search: string) => [...reviewKeys.all, "queue-ids", search] as const,
  stats: (agentId: string) => [...reviewKeys.all, "stats", agentId] as const,
  one: (id: string) => [...reviewKeys.all, "one", id] as const,
  check: (executionId: string) => [...reviewKeys.all, "check", executionId] as const,
  execution: (executionId: string) => [...reviewKeys.all, "execution", executionId] as const,
};
