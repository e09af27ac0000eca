import { describe, expect, it } from "vitest";
import { ROLES } from "@/lib/contracts/common";
import { AGENT_KINDS, RUN_STATUSES, SOURCES } from "@/lib/contracts/executions";
import { CARD_TYPES } from "@/lib/contracts/metrics";
import { PRIORITIES, RATINGS, REVIEW_STATUSES } from "@/lib/contracts/reviews";
import {
  AgentKind,
  CardType,
  MemberRole,
  ReviewPriority,
  ReviewRating,
  ReviewStatus,
  RunStatus,
  TraceSource,
} from "@/lib/db/generated/enums";

/**
 * Each enum of the API is declared once, in lib/contracts; the database has its own copy (a
 * Postgres enum in prisma/schema.prisma). They must name the same values, in the same order (the
 * priority sort of the review queue is the enum's order).
 */
describe("the contracts' enums are the database's", () => {
  it.each([
    ["roles", ROLES, MemberRole],
    ["agent kinds", AGENT_KINDS, AgentKind],
    ["run statuses", RUN_STATUSES, RunStatus],
    ["sources", SOURCES, TraceSource],
    ["card types", CARD_TYPES, CardType],
    ["review ratings", RATINGS, ReviewRating],
    ["review priorities", PRIORITIES, ReviewPriority],
    ["review statuses", REVIEW_STATUSES, ReviewStatus],
  ] as const)("%s", (_, contract, prisma) => {
    expect([...contract]).toEqual(Object.values(prisma));
  });
});
