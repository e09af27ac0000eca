/** Query keys of threads, one factory so a key always names one shape; `all` refreshes lists and messages. */
export const threadKeys = {
  all: ["threads"] as const,
  list: (search: string | undefined) => [...threadKeys.all, "list", search ?? ""] as const,
  messages: (threadId: string | null) => [...threadKeys.all, "messages", threadId ?? ""] as const,
};
