/** Query keys of the Metrics tab, one factory so a key always names one shape. */
export const metricKeys = {
  all: ["metrics"] as const,
  catalog: (agent: string | null) => [...metricKeys.all, "catalog", agent] as const,
  cards: (agent: string | null) => [...metricKeys.all, "cards", agent] as const,
  query: (agent: string, type: string, query: object, refresh?: number) =>
    [...metricKeys.all, "query", agent, type, JSON.stringify(query), refresh ?? 0] as const,
  feed: (agent: string, events: string[], refresh?: number) =>
    [...metricKeys.all, "feed", agent, events.join(","), refresh ?? 0] as const,
};
