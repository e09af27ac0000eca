import type { Review } from "@/lib/contracts/reviews";

export const RATING_LABEL: Record<Review["rating"], string> = { good: "Good", bad: "Bad", neutral: "Neutral" };
export const RATING_TONE = { good: "green", bad: "red", neutral: "neutral" } as const;
export const PRIORITY_TONE = { urgent: "red", high: "amber", medium: "indigo", low: "neutral" } as const;
export const ACTIONS = ["prompt_fixed", "knowledge_updated", "tool_fixed", "escalated", "no_action"] as const;
export const ACTION_LABEL: Record<(typeof ACTIONS)[number], string> = {
  prompt_fixed: "Prompt fixed",
  knowledge_updated: "Knowledge base updated",
  tool_fixed: "Tool or integration fixed",
  escalated: "Escalated",
  no_action: "No action needed",
};
