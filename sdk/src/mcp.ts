import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";
import { PRIORITIES, RATINGS, REVIEW_STATUSES } from "../../lib/contracts/reviews.ts";
import { Executions, type ExecutionsOptions } from "./executions.ts";
import { Reviews } from "./reviews.ts";

type ToolResult = { content: { type: "text"; text: string }[]; isError?: boolean };

const ok = (data: unknown): ToolResult => ({ content: [{ type: "text", text: JSON.stringify(data, null, 2) }] });
const fail = (e: unknown): ToolResult => ({
  content: [{ type: "text", text: (e as Error).message ?? String(e) }],
  isError: true,
});

async function run(fn: () => Promise<unknown>): Promise<ToolResult> {
  try {
    return ok(await fn());
  } catch (e) {
    return fail(e);
  }
}

/**
 * An MCP server over the Runlens API (authenticated by an API key), so an LLM judge or an
 * assistant can read executions and triage them with reviews.
 */
export function createMcpServer(opts: ExecutionsOptions = {}): McpServer {
  const reviews = new Reviews(opts);
  const executions = new Executions(opts);
  const server = new McpServer({ name: "runlens", version: "0.1.0" });

  server.registerTool(
    "get_execution",
    {
      title: "Get an execution",
      description:
        "An execution with its traces (depth-first; conversation messages, LLM calls, errors). Use offset/limit to page big traces.",
      inputSchema: {
        executionId: z.string(),
        offset: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      },
    },
    ({ executionId, offset, limit }) => run(() => executions.getDetails(executionId, { offset, limit: limit ?? 200 })),
  );
  server.registerTool(
    "create_execution_review",
    {
      title: "Review an execution",
      description:
        "Creates the QA review of an execution (one per execution). The comment needs at least 10 characters.",
      inputSchema: {
        executionId: z.string(),
        agentId: z.string().describe("The execution's agent (id or name)"),
        rating: z.enum(RATINGS),
        comment: z.string().min(10),
        priority: z.enum(PRIORITIES).optional(),
        tags: z.array(z.string()).optional(),
      },
    },
    (input) => run(() => reviews.create(input)),
  );
  server.registerTool(
    "list_execution_reviews",
    {
      title: "List reviews",
      description:
        "Reviews of the workspace, filtered; `search` is Portuguese full-text over comments, notes and corrections.",
      inputSchema: {
        agentId: z.string().optional(),
        status: z.enum(REVIEW_STATUSES).optional(),
        rating: z.enum(RATINGS).optional(),
        priority: z.enum(PRIORITIES).optional(),
        search: z.string().optional(),
        limit: z.number().int().min(1).max(200).optional(),
      },
    },
    (filters) => run(() => reviews.list(filters)),
  );
  server.registerTool(
    "get_execution_review",
    { title: "Get a review", description: "One review by id.", inputSchema: { reviewId: z.string() } },
    ({ reviewId }) => run(() => reviews.get(reviewId)),
  );
  server.registerTool(
    "update_execution_review",
    {
      title: "Update a review",
      description:
        "Changes status (open, in_progress, resolved, dismissed), rating, priority, tags, notes or the corrected output. Resolving stamps who and when.",
      inputSchema: {
        reviewId: z.string(),
        status: z.enum(REVIEW_STATUSES).optional(),
        rating: z.enum(RATINGS).optional(),
        priority: z.enum(PRIORITIES).optional(),
        tags: z.array(z.string()).optional(),
        comment: z.string().min(10).optional(),
        actionTaken: z.string().optional(),
        resolutionNotes: z.string().optional(),
        correctedOutput: z.string().optional(),
      },
    },
    ({ reviewId, ...patch }) => run(() => reviews.update(reviewId, patch)),
  );
  server.registerTool(
    "get_review_stats",
    {
      title: "Review statistics",
      description: "Counts by status, rating and priority, and the average resolution time in hours.",
      inputSchema: { agentId: z.string().optional() },
    },
    ({ agentId }) => run(() => reviews.stats(agentId)),
  );
  return server;
}

/** `runlens mcp`: serves the tools over stdio until the client disconnects. */
export async function serveMcpStdio(): Promise<void> {
  const server = createMcpServer();
  await server.connect(new StdioServerTransport());
}
